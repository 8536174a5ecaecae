"""A fake Telegram Bot API server for end-to-end tests.

The real python-telegram-bot ``Application`` (or ``python -m bot`` in a subprocess) talks to this
server over HTTP on 127.0.0.1 exactly as it would talk to api.telegram.org. Tests push updates
(``push_message``, ``push_callback``) and read back what the bot sent (``sent``), usually through
the waiting helpers ``ask`` and ``press``::

    async with FakeBotApi() as api:
        ...  # start the bot with base_url=api.base_url, base_file_url=api.base_file_url
        [reply] = await api.ask(42, "/status #17")
        assert "#17" in reply.plain

Realism worth knowing about (each of these is what Telegram does, so the bot must cope):

- ``getUpdates`` is a real long poll: it returns at once when updates are queued, otherwise waits
  up to ``timeout`` seconds. An ``offset`` acknowledges the updates already delivered before it.
  A newer ``getUpdates`` ends a waiting older one with 409 Conflict.
- ``deleteWebhook(drop_pending_updates=true)`` drops the queued updates.
- With ``parse_mode=HTML`` the text must be valid Telegram HTML (supported tags only, every ``<``
  part of a tag, tags closed in order), otherwise 400 "can't parse entities". Text is limited to
  4096 characters and captions to 1024, counted after the markup is removed; callback data to
  1..64 bytes. The Message returned (and later shown in a callback query) holds the plain text.
- Editing a message with the same text and keyboard fails with "message is not modified";
  ``editMessageText`` without ``reply_markup`` removes the inline keyboard.
- A callback query can be answered once.

Faults on purpose, scripted per method in order (``fail_method``: an error answer such as 502
or 429 with retry_after; ``reset_method``: the connection closed without an answer;
``slow_method``: handled, answered late), per chat (``fail_chat``), and file downloads served
a byte at a time (``trickle_files``).
"""

# The waiting helpers take `timeout=` on purpose: it is the test-facing API (ASYNC109).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import mimetypes
import re
import struct
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

JSONDict = dict[str, Any]
T = TypeVar("T")

BOT_ID = 999000
BOT_USERNAME = "takedown_test_bot"
BOT_FIRST_NAME = "Takedown Desk"
BOT_USER: JSONDict = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": BOT_FIRST_NAME,
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

DEFAULT_TIMEOUT = 10.0
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files: "file is too big"

SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})

_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "media",
    }
)
_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "cache_time",
        "user_id",
        "message_thread_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "has_spoiler",
        "show_caption_above_media",
    }
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answer: {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.error_code)


# --------------------------------------------------------------------------- Telegram HTML

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")


def html_to_plain(text: str) -> str:
    """The text a user sees for ``text`` sent with parse_mode=HTML; ValueError like Telegram's."""
    out: list[str] = []
    stack: list[str] = []
    i = 0

    def offset() -> int:
        return len(text[:i].encode("utf-8"))

    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG_RE.match(text, i)
            if match is None:
                raise ValueError(
                    f"can't parse entities: Unsupported start tag at byte offset {offset()}"
                )
            closing, name = match.group(1), match.group(2).lower()
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise ValueError(
                    f'can\'t parse entities: Unsupported {kind} tag "{name}" '
                    f"at byte offset {offset()}"
                )
            if closing:
                if not stack or stack[-1] != name:
                    expected = f'"</{stack[-1]}>"' if stack else "nothing"
                    raise ValueError(
                        f"can't parse entities: Unmatched end tag at byte offset {offset()}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
            continue
        if char == "&":
            match = _ENTITY_RE.match(text, i)
            if match is not None:
                out.append(html.unescape(match.group(0)))
                i = match.end()
                continue
        out.append(char)
        i += 1
    if stack:
        raise ValueError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- records


@dataclass
class SentMessage:
    """One message the bot sent (sendMessage/sendDocument/sendPhoto) or edited (edit*)."""

    method: str
    chat_id: int
    message_id: int
    text: str | None  # as the bot sent it (HTML markup included)
    caption: str | None  # as the bot sent it
    parse_mode: str | None
    reply_markup: JSONDict | None
    document: bytes | None  # uploaded bytes of a document or photo
    filename: str | None
    params: JSONDict  # every parameter of the call, complex values decoded
    mime_type: str | None = None
    message: JSONDict = field(default_factory=dict, repr=False)  # the Message returned

    @property
    def is_edit(self) -> bool:
        return self.method in EDIT_METHODS

    @property
    def body(self) -> str:
        """The text, or the caption, as sent ('' if neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def plain(self) -> str:
        """What the user reads: ``body`` with HTML markup removed and entities unescaped."""
        if (self.parse_mode or "").upper() == "HTML":
            return html_to_plain(self.body)
        return self.body

    @property
    def buttons(self) -> list[list[JSONDict]]:
        """Rows of the inline keyboard ([] if none)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [list(row) for row in rows]

    @property
    def callback_data(self) -> list[str]:
        """callback_data of every inline button, row by row."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    def button(self, label: str) -> str:
        """callback_data of the (first) inline button whose text contains ``label``."""
        for row in self.buttons:
            for b in row:
                if label.lower() in str(b.get("text", "")).lower() and "callback_data" in b:
                    return str(b["callback_data"])
        labels = [b.get("text") for row in self.buttons for b in row]
        raise AssertionError(f"no button labelled {label!r}; buttons: {labels}")

    def describe(self) -> str:
        extra = f" file={self.filename!r} ({len(self.document)} bytes)" if self.document else ""
        kb = f" buttons={self.callback_data}" if self.buttons else ""
        return f"{self.method} chat={self.chat_id} msg={self.message_id}{extra}{kb}: {self.body!r}"


@dataclass
class CallbackResult:
    """What ``FakeBotApi.press`` saw: the update, the answer, edits of the message, new messages."""

    update: JSONDict
    answer: JSONDict
    edits: list[SentMessage]
    messages: list[SentMessage]

    @property
    def edit(self) -> SentMessage | None:
        """The last edit of the pressed message, if any."""
        return self.edits[-1] if self.edits else None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    filename: str | None
    mime_type: str | None
    file_path: str


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    times: int | None  # None: until cleared
    # "error": answered with error_code; "reset": dropped before handling; "reset_handled":
    # dropped after handling; "slow": answered late
    kind: str = "error"
    delay: float = 0.0  # seconds, for "slow"


@dataclass
class _Queued:
    update: JSONDict
    delivered: bool = False


_Handler = Callable[[JSONDict, dict[str, tuple[bytes, str | None, str | None]]], Awaitable[Any]]


def _update_type(update: Mapping[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 800, 600


# --------------------------------------------------------------------------- the server


class FakeBotApi:
    """Fake Bot API on 127.0.0.1:<random port>. See the module docstring."""

    def __init__(self, *, first_update_id: int | None = None) -> None:
        """``first_update_id``: by default derived from the clock, so update ids keep growing
        across FakeBotApi instances, as Telegram's do for one bot (a bot that remembers handled
        update ids in its database would otherwise skip the updates of a second instance)."""
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, JSONDict]] = []
        self.callback_answers: list[JSONDict] = []
        self.commands: list[JSONDict] = []
        self.commands_by_scope: dict[str, list[JSONDict]] = {}
        self.tokens: set[str] = set()
        self.delivered_update_ids: list[int] = []
        # Called on a wait timeout; its text is appended to the dump (BotProcess sets it).
        self.extra_dump: Callable[[], str] | None = None

        self._queue: list[_Queued] = []
        self._allowed_updates: list[str] = []
        if first_update_id is None:
            first_update_id = time.time_ns() // 1_000_000 % 1_000_000_000 + 1
        self._next_update_id = first_update_id
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._raw: dict[tuple[int, int], tuple[str | None, JSONDict | None]] = {}
        self._chats: dict[int, JSONDict] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._next_file = 1
        self._chat_failures: dict[int, _Failure] = {}
        self._method_failures: dict[str, list[_Failure]] = {}
        self._trickle: float | None = None
        self._open_queries: set[str] = set()
        self._next_query = 1
        self._poll_generation = 0
        self._update_event = asyncio.Event()
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._true,  # webhook mode: the test posts the updates itself
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "sendChatAction": self._true,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "getFile": self._get_file,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._closing = True
        self._update_event.set()  # end waiting long polls now
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For TELEGRAM_API_URL / ApplicationBuilder.base_url."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder.base_file_url."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def env(self, token: str = "123456:TEST-TOKEN") -> dict[str, str]:
        """Environment for ``python -m bot`` against this server."""
        return {"BOT_TOKEN": token, "TELEGRAM_API_URL": self.base_url}

    # ------------------------------------------------------------------ failure injection

    def fail_chat(
        self,
        chat_id: int,
        error_code: int = 403,
        description: str = "Forbidden: bot was blocked by the user",
        *,
        retry_after: int | None = None,
        times: int | None = None,
    ) -> None:
        """Make sends and edits to ``chat_id`` fail (``times`` calls, or until ``unfail_chat``)."""
        self._chat_failures[chat_id] = _Failure(error_code, description, retry_after, times)

    def unfail_chat(self, chat_id: int) -> None:
        self._chat_failures.pop(chat_id, None)

    def fail_method(
        self,
        method: str,
        error_code: int = 500,
        description: str = "Internal Server Error",
        *,
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Make calls of ``method`` (e.g. "setMyCommands") fail ``times`` times (None: always).

        Faults of one method are scripted in order: each call of fail_method, reset_method or
        slow_method queues one more after those already queued (``times=None`` ends the list).
        """
        self._queue_fault(method, _Failure(error_code, description, retry_after, times))

    def reset_method(self, method: str, *, times: int | None = 1, handled: bool = False) -> None:
        """Close the connection of ``times`` calls of ``method`` before handling them, without
        a byte of answer (the client sees the server disconnect: a reset); with ``handled``,
        after handling them (Telegram did it, the answer was lost on the way back)."""
        kind = "reset_handled" if handled else "reset"
        self._queue_fault(method, _Failure(0, kind, None, times, kind=kind))

    def slow_method(self, method: str, seconds: float, *, times: int | None = 1) -> None:
        """Handle ``times`` calls of ``method`` (a sent message is delivered) but answer only
        after ``seconds``."""
        self._queue_fault(method, _Failure(0, "slow", None, times, kind="slow", delay=seconds))

    def unfail_method(self, method: str) -> None:
        self._method_failures.pop(method.lower(), None)

    def trickle_files(self, seconds_per_byte: float | None) -> None:
        """Serve file downloads one byte every ``seconds_per_byte`` (None: at once)."""
        self._trickle = seconds_per_byte

    def _queue_fault(self, method: str, failure: _Failure) -> None:
        self._method_failures.setdefault(method.lower(), []).append(failure)

    def _take_fault(self, method: str, params: JSONDict) -> _Failure | None:
        """The fault this call meets (an error answer is raised as ApiError), or None."""
        faults = self._method_failures.get(method.lower())
        failure = faults[0] if faults else None
        if failure is not None:
            assert faults is not None
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    faults.pop(0)
        elif method in SEND_METHODS or method in EDIT_METHODS:
            key = params.get("chat_id")
            failure = self._chat_failures.get(key) if isinstance(key, int) else None
            if failure is not None and failure.times is not None and isinstance(key, int):
                failure.times -= 1
                if failure.times <= 0:
                    del self._chat_failures[key]
        if failure is not None and failure.kind == "error":
            raise ApiError(failure.error_code, failure.description, failure.retry_after)
        return failure

    # ------------------------------------------------------------------ test side: updates

    def _new_update_id(self, update_id: int | None) -> int:
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        return update_id

    def push_raw(self, update: JSONDict) -> JSONDict:
        """Queue any update as is (e.g. the same update_id again, to test redelivery)."""
        if "update_id" not in update:
            update = {"update_id": self._new_update_id(None), **update}
        else:
            self._new_update_id(int(update["update_id"]))
        self._queue.append(_Queued(update))
        self._update_event.set()
        return update

    def _user(
        self, user_id: int, first_name: str, username: str | None, last_name: str | None = None
    ) -> JSONDict:
        user: JSONDict = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "en",
        }
        if username:
            user["username"] = username
        if last_name:
            user["last_name"] = last_name
        return user

    def push_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        reply_to_message: JSONDict | SentMessage | None = None,
        document: tuple[bytes, str] | None = None,
        caption: str | None = None,
        update_id: int | None = None,
        extra: JSONDict | None = None,
    ) -> JSONDict:
        """Queue a message from ``user_id``; returns the update (its message: ``["message"]``).

        A text (or a document caption) starting with "/" gets a bot_command entity.
        ``document=(content, filename)`` attaches a file that the bot can fetch with getFile.
        ``extra`` is merged into the message (e.g. forward_origin).
        """
        chat_id = user_id if chat_id is None else chat_id
        user = self._user(user_id, first_name, username, last_name)
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat.update(first_name=first_name)
            if username:
                chat["username"] = username
        else:
            chat["title"] = self._chats.get(chat_id, {}).get("title", f"Test {chat_type} {chat_id}")
        self._chats[chat_id] = chat
        content: JSONDict = {}
        if document is not None:
            data, filename = document
            stored = self._store_file(data, filename, None, "documents")
            content["document"] = self._document_dict(stored)
            if caption is not None:
                content["caption"] = caption
                if caption.startswith("/"):
                    content["caption_entities"] = [_command_entity(caption)]
            if text is not None:
                raise ValueError("a document message has a caption, not a text")
        elif text is not None:
            content["text"] = text
            if text.startswith("/"):
                content["entities"] = [_command_entity(text)]
        if reply_to_message is not None:
            content["reply_to_message"] = self._reply_target(reply_to_message)
        if extra:
            content.update(extra)
        message = self._new_message(chat_id, user, content)
        return self.push_raw({"update_id": self._new_update_id(update_id), "message": message})

    def media_message(
        self,
        chat_id: int,
        kind: str,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        sender_id: int = 999,
        extra: JSONDict | None = None,
    ) -> JSONDict:
        """A message with a photo, video, voice, audio, animation or document in ``chat_id``
        (not an update: a message to reply to), its file served by getFile and the file URL
        as Telegram serves it. ``extra`` is merged in (e.g. forward_origin)."""
        default_mime = {"photo": "image/jpeg", "video": "video/mp4", "voice": "audio/ogg"}
        mime = mime_type or default_mime.get(kind)
        # Telegram's file paths end in the type's extension (photos/file_12.jpg).
        path_name = filename or {"photo": "p.jpg", "voice": "v.oga", "video": "v.mp4"}.get(kind)
        stored = self._store_file(data, path_name, mime, f"{kind}s")
        attachment = self._document_dict(stored)
        if filename is None:
            attachment.pop("file_name", None)
        content: JSONDict = {}
        if kind == "photo":
            content["photo"] = [
                {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "width": 800, "height": 600, "file_size": len(data)}
            ]  # fmt: skip
        elif kind in ("video", "animation"):
            attachment.update(width=640, height=360, duration=5)
            content[kind] = attachment
        elif kind in ("voice", "audio"):
            attachment.update(duration=5)
            content[kind] = attachment
        else:
            content[kind] = attachment
        if caption is not None:
            content["caption"] = caption
        if extra:
            content.update(extra)
        return self._new_message(chat_id, self._user(sender_id, "Sender", None), content)

    def push_callback(
        self,
        user_id: int,
        message: SentMessage | JSONDict,
        data: str,
        *,
        first_name: str = "User",
        last_name: str | None = None,
    ) -> JSONDict:
        """Queue a press of the inline button with ``data`` on a message the bot sent."""
        chat_id, message_id = _message_key(message)
        current = self._messages.get((chat_id, message_id))
        if current is None:
            raise AssertionError(f"the bot never sent message {message_id} to chat {chat_id}")
        rows = (current.get("reply_markup") or {}).get("inline_keyboard") or []
        datas = [b.get("callback_data") for row in rows for b in row]
        if data not in datas:
            raise AssertionError(
                f"message {message_id} in chat {chat_id} has no button with callback_data "
                f"{data!r}; it has {datas}"
            )
        query_id = f"{self._next_query}"
        self._next_query += 1
        self._open_queries.add(query_id)
        query: JSONDict = {
            "id": query_id,
            "from": self._user(user_id, first_name, None, last_name),
            "message": json.loads(json.dumps(current)),
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        return self.push_raw({"update_id": self._new_update_id(None), "callback_query": query})

    def _reply_target(self, target: JSONDict | SentMessage) -> JSONDict:
        if isinstance(target, SentMessage):
            target = self._messages.get((target.chat_id, target.message_id), target.message)
        reply = dict(target)
        reply.pop("reply_to_message", None)  # Telegram nests one level only
        return reply

    # ------------------------------------------------------------------ test side: reading

    def mark(self) -> int:
        """Index into ``sent`` to wait for messages after this point."""
        return len(self.sent)

    def sent_to(self, chat_id: int, after: int = 0) -> list[SentMessage]:
        """Messages (sendMessage/sendDocument/sendPhoto) sent to ``chat_id``, from index after."""
        return [s for s in self.sent[after:] if s.method in SEND_METHODS and s.chat_id == chat_id]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """The current state of a message (after edits), as Telegram would return it."""
        return self._messages[(chat_id, message_id)]

    def calls_of(self, method: str) -> list[JSONDict]:
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def dump(self, last: int = 40) -> str:
        lines = [f"--- last {last} Bot API calls (getUpdates omitted) ---"]
        calls = [(m, p) for m, p in self.calls if m != "getUpdates"][-last:]
        for method, params in calls:
            shown = {k: v for k, v in params.items() if k not in ("reply_markup",)}
            text = json.dumps(shown, ensure_ascii=False, default=str)
            lines.append(f"{method} {text[:300]}")
        if not calls:
            lines.append("(none)")
        lines.append(f"queued updates not yet acknowledged: {len(self._queue)}")
        if self.extra_dump is not None:
            lines.append(self.extra_dump())
        return "\n".join(lines)

    async def _wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        async def wait() -> T:
            async with self._changed:
                while True:
                    result = check()
                    if result is not None:
                        return result
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}\n{self.dump()}"
            ) from None

    async def wait_for(
        self,
        predicate: Callable[[SentMessage], bool],
        *,
        after: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> SentMessage:
        """The first entry of ``sent`` from index ``after`` that matches ``predicate``."""

        def check() -> SentMessage | None:
            return next((s for s in self.sent[after:] if predicate(s)), None)

        return await self._wait_until(check, timeout, "a sent message matching the predicate")

    async def wait_for_call(
        self, method: str, *, after: int = 0, timeout: float = DEFAULT_TIMEOUT
    ) -> JSONDict:
        """Params of the first call of ``method`` from index ``after`` of ``calls``."""

        def check() -> JSONDict | None:
            return next((p for m, p in self.calls[after:] if m.lower() == method.lower()), None)

        return await self._wait_until(check, timeout, f"a call of {method}")

    async def wait_delivered(self, update_id: int, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until getUpdates has handed update ``update_id`` to the bot."""

        def check() -> bool | None:
            return True if update_id in self.delivered_update_ids else None

        await self._wait_until(check, timeout, f"the bot to fetch update {update_id}")

    async def ask(
        self,
        user_id: int,
        text: str | None,
        *,
        expect: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        quiet: float = 0.5,
        **push_kwargs: Any,
    ) -> list[SentMessage]:
        """Push a message, return the next ``expect`` messages the bot sends to that chat.

        With ``expect=0``: wait until the bot fetched the update, then ``quiet`` seconds, and
        return whatever it sent to that chat meanwhile (so ``== []`` asserts silence).
        """
        chat_id = push_kwargs.get("chat_id")
        chat_id = user_id if chat_id is None else chat_id
        start = len(self.sent)
        update = self.push_message(user_id, text, **push_kwargs)
        if expect <= 0:
            await self.wait_delivered(update["update_id"], timeout=timeout)
            await asyncio.sleep(quiet)
            return self.sent_to(chat_id, start)

        def check() -> list[SentMessage] | None:
            got = self.sent_to(chat_id, start)
            return got[:expect] if len(got) >= expect else None

        what = f"{expect} message(s) to chat {chat_id} in answer to {text!r}"
        return await self._wait_until(check, timeout, what)

    async def press(
        self,
        user_id: int,
        message: SentMessage | JSONDict,
        data: str,
        *,
        expect_edit: bool = True,
        expect: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
        first_name: str = "User",
        last_name: str | None = None,
    ) -> CallbackResult:
        """Press a button; wait for answerCallbackQuery, an edit of the message (unless
        ``expect_edit=False``) and ``expect`` new messages in that chat."""
        chat_id, message_id = _message_key(message)
        start = len(self.sent)
        update = self.push_callback(
            user_id, message, data, first_name=first_name, last_name=last_name
        )
        query_id = update["callback_query"]["id"]

        def check() -> CallbackResult | None:
            answer = next(
                (a for a in self.callback_answers if a.get("callback_query_id") == query_id), None
            )
            edits = [
                s
                for s in self.sent[start:]
                if s.is_edit and s.chat_id == chat_id and s.message_id == message_id
            ]
            messages = self.sent_to(chat_id, start)
            if answer is None or (expect_edit and not edits) or len(messages) < expect:
                return None
            return CallbackResult(update, answer, edits, messages[:expect])

        what = f"answer{' + edit' if expect_edit else ''} of button {data!r}"
        return await self._wait_until(check, timeout, what)

    # ------------------------------------------------------------------ HTTP plumbing

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle_method(self, request: web.Request) -> web.Response:
        self.tokens.add(request.match_info["token"])
        raw_method = request.match_info["method"]
        name, handler = self._handlers.get(raw_method.lower(), (raw_method, None))
        try:
            params, files = await _read_params(request)
        except ApiError as err:
            self.calls.append((name, {}))
            await self._notify()
            return err.response()
        recorded = dict(params)
        for key, (data, filename, _) in files.items():
            recorded.setdefault(key, f"<file {filename!r}, {len(data)} bytes>")
        self.calls.append((name, recorded))
        await self._notify()
        fault: _Failure | None = None
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            fault = self._take_fault(name, params)
            if fault is not None and fault.kind == "reset":
                assert request.transport is not None
                request.transport.abort()
                raise web.HTTPServiceUnavailable()  # never written: the connection is gone
            result = await handler(params, files)
            if fault is not None and fault.kind == "reset_handled":
                assert request.transport is not None
                request.transport.abort()
                raise web.HTTPServiceUnavailable()  # handled, but the answer is never written
        except ApiError as err:
            return err.response()
        finally:
            await self._notify()
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        self.tokens.add(request.match_info["token"])
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return ApiError(404, "Not Found").response()
        content_type = stored.mime_type or "application/octet-stream"
        if self._trickle is None:
            return web.Response(body=stored.content, content_type=content_type)
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.content_length = len(stored.content)
        await response.prepare(request)
        for index in range(len(stored.content)):
            if self._closing:
                break
            await response.write(stored.content[index : index + 1])
            await asyncio.sleep(self._trickle)
        return response

    # ------------------------------------------------------------------ state helpers

    def _chat(self, chat_id: int) -> JSONDict:
        known = self._chats.get(chat_id)
        if known is not None:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}

    def _new_message(self, chat_id: int, sender: JSONDict, content: JSONDict) -> JSONDict:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSONDict = {
            "message_id": message_id,
            "from": dict(sender),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **content,
        }
        self._messages[(chat_id, message_id)] = message
        return message

    def _store_file(
        self, data: bytes, filename: str | None, mime_type: str | None, folder: str
    ) -> _StoredFile:
        number = self._next_file
        self._next_file += 1
        if mime_type is None or mime_type == "application/octet-stream":
            guessed = mimetypes.guess_type(filename or "")[0]
            mime_type = guessed or mime_type or "application/octet-stream"
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=f"FILE{number:06d}-fake",
            file_unique_id=f"U{number:06d}",
            content=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_dict(stored: _StoredFile) -> JSONDict:
        doc: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.filename:
            doc["file_name"] = stored.filename
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        return doc

    def _input_file(
        self, params: JSONDict, files: Mapping[str, tuple[bytes, str | None, str | None]], name: str
    ) -> tuple[bytes, str | None, str | None]:
        if name in files:
            return files[name]
        value = params.get(name)
        if isinstance(value, str):
            if value.startswith("attach://") and value[len("attach://") :] in files:
                return files[value[len("attach://") :]]
            stored = self._files.get(value)
            if stored is not None:
                return stored.content, stored.filename, stored.mime_type
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    @staticmethod
    def _chat_id(params: JSONDict) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _formatted(params: JSONDict, key: str, limit: int) -> str | None:
        """Plain text of params[key] (None if absent), checked like Telegram checks it."""
        value = params.get(key)
        if value is None:
            return None
        text = str(value)
        plain = text
        if str(params.get("parse_mode") or "").upper() == "HTML":
            try:
                plain = html_to_plain(text)
            except ValueError as err:
                raise ApiError(400, f"Bad Request: {err}") from None
        if _utf16_len(plain) > limit:
            what = "message is too long" if key == "text" else "message caption is too long"
            raise ApiError(400, f"Bad Request: {what}")
        return plain

    @staticmethod
    def _inline_markup(params: JSONDict) -> JSONDict | None:
        """The inline keyboard to show on the message (validated), None if there is none."""
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return None
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list):
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: "
                "InlineKeyboardButton must be an Object",
            )
        for row in rows:
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return {"inline_keyboard": rows}

    def _reply_content(self, chat_id: int, params: JSONDict) -> JSONDict:
        reply = params.get("reply_parameters")
        target_id: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            target_id = params["reply_to_message_id"]
        if target_id is None:
            return {}
        target = self._messages.get((chat_id, int(target_id)))
        if target is None:
            if allow_missing:
                return {}
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {"reply_to_message": self._reply_target(target)}

    def _record(
        self,
        method: str,
        params: JSONDict,
        message: JSONDict,
        *,
        document: bytes | None = None,
        filename: str | None = None,
        mime_type: str | None = None,
    ) -> SentMessage:
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        markup = params.get("reply_markup")
        text = params.get("text")
        caption = params.get("caption")
        if method == "editMessageReplyMarkup":
            raw_text, _ = self._raw.get((chat_id, message_id), (None, None))
            text = raw_text
        entry = SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=message_id,
            text=None if text is None else str(text),
            caption=None if caption is None else str(caption),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup if isinstance(markup, dict) else None,
            document=document,
            filename=filename,
            params=params,
            mime_type=mime_type,
            message=message,
        )
        self.sent.append(entry)
        return entry

    # ------------------------------------------------------------------ methods

    async def _true(self, params: JSONDict, files: Any) -> bool:
        return True

    async def _get_me(self, params: JSONDict, files: Any) -> JSONDict:
        return dict(BOT_USER)

    async def _delete_webhook(self, params: JSONDict, files: Any) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _get_webhook_info(self, params: JSONDict, files: Any) -> JSONDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    async def _get_updates(self, params: JSONDict, files: Any) -> list[JSONDict]:
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_event.set()  # wake an older poll so that it ends with 409
        if isinstance(offset, int):
            self._queue = [
                q for q in self._queue if not (q.delivered and q.update["update_id"] < offset)
            ]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            if self._allowed_updates:
                self._queue = [
                    q for q in self._queue if _update_type(q.update) in self._allowed_updates
                ]
            batch = self._queue[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if batch or remaining <= 0:
                for queued in batch:
                    queued.delivered = True
                    self.delivered_update_ids.append(queued.update["update_id"])
                return [q.update for q in batch]
            self._update_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), remaining)

    @staticmethod
    def _scope_key(params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    async def _set_my_commands(self, params: JSONDict, files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 BotCommand")
        for command in commands:
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params)
        self.commands_by_scope[key] = list(commands)
        if key == self._scope_key({}):
            self.commands = list(commands)
        return True

    async def _get_my_commands(self, params: JSONDict, files: Any) -> list[JSONDict]:
        return list(self.commands_by_scope.get(self._scope_key(params), []))

    async def _delete_my_commands(self, params: JSONDict, files: Any) -> bool:
        key = self._scope_key(params)
        self.commands_by_scope.pop(key, None)
        if key == self._scope_key({}):
            self.commands = []
        return True

    async def _send_message(self, params: JSONDict, files: Any) -> JSONDict:
        chat_id = self._chat_id(params)
        text = self._formatted(params, "text", MAX_TEXT_LENGTH)
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        content: JSONDict = {"text": text, **self._reply_content(chat_id, params)}
        markup = self._inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        message = self._new_message(chat_id, BOT_USER, content)
        self._raw[(chat_id, message["message_id"])] = (str(params["text"]), markup)
        self._record("sendMessage", params, message)
        return message

    async def _send_file(
        self, method: str, field_name: str, params: JSONDict, files: Any
    ) -> JSONDict:
        chat_id = self._chat_id(params)
        data, filename, mime_type = self._input_file(params, files, field_name)
        caption = self._formatted(params, "caption", MAX_CAPTION_LENGTH)
        content: JSONDict = self._reply_content(chat_id, params)
        if field_name == "photo":
            stored = self._store_file(data, filename, mime_type or "image/png", "photos")
            width, height = _image_size(data)
            scale = min(1.0, 90 / max(width, height, 1))
            content["photo"] = [
                {
                    "file_id": stored.file_id + "-thumb",
                    "file_unique_id": stored.file_unique_id + "t",
                    "width": max(int(width * scale), 1),
                    "height": max(int(height * scale), 1),
                    "file_size": max(len(data) // 10, 1),
                },
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(data),
                },
            ]
        else:
            stored = self._store_file(data, filename, mime_type, "documents")
            content["document"] = self._document_dict(stored)
        if caption is not None:
            content["caption"] = caption
        markup = self._inline_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        message = self._new_message(chat_id, BOT_USER, content)
        self._raw[(chat_id, message["message_id"])] = (params.get("caption"), markup)
        self._record(
            method,
            params,
            message,
            document=data,
            filename=filename,
            mime_type=stored.mime_type,
        )
        return message

    async def _send_document(self, params: JSONDict, files: Any) -> JSONDict:
        return await self._send_file("sendDocument", "document", params, files)

    async def _send_photo(self, params: JSONDict, files: Any) -> JSONDict:
        return await self._send_file("sendPhoto", "photo", params, files)

    def _editable(self, params: JSONDict) -> tuple[int, int, JSONDict]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by FakeBotApi")
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != BOT_ID:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat_id, message_id, message

    def _apply_edit(
        self,
        method: str,
        params: JSONDict,
        key: tuple[int, int],
        message: JSONDict,
        changes: JSONDict,
        raw: tuple[str | None, JSONDict | None],
    ) -> JSONDict:
        if raw == self._raw.get(key):
            raise ApiError(400, _NOT_MODIFIED)
        updated = {k: v for k, v in message.items() if k != "reply_markup"}
        updated.update(changes)
        if raw[1] is not None:
            updated["reply_markup"] = raw[1]
        updated["edit_date"] = int(time.time())
        self._messages[key] = updated
        self._raw[key] = raw
        self._record(method, params, updated)
        return updated

    async def _edit_message_text(self, params: JSONDict, files: Any) -> JSONDict:
        chat_id, message_id, message = self._editable(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = self._formatted(params, "text", MAX_TEXT_LENGTH)
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = self._inline_markup(params)
        raw = (str(params["text"]), markup)
        return self._apply_edit(
            "editMessageText", params, (chat_id, message_id), message, {"text": text}, raw
        )

    async def _edit_message_caption(self, params: JSONDict, files: Any) -> JSONDict:
        chat_id, message_id, message = self._editable(params)
        if "text" in message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = self._formatted(params, "caption", MAX_CAPTION_LENGTH)
        markup = self._inline_markup(params)
        raw = (params.get("caption"), markup)
        changes: JSONDict = {"caption": caption} if caption else {}
        if not caption:
            message = {k: v for k, v in message.items() if k != "caption"}
        return self._apply_edit(
            "editMessageCaption", params, (chat_id, message_id), message, changes, raw
        )

    async def _edit_message_reply_markup(self, params: JSONDict, files: Any) -> JSONDict:
        chat_id, message_id, message = self._editable(params)
        markup = self._inline_markup(params)
        raw_text, _ = self._raw.get((chat_id, message_id), (None, None))
        return self._apply_edit(
            "editMessageReplyMarkup",
            params,
            (chat_id, message_id),
            message,
            {},
            (raw_text, markup),
        )

    async def _answer_callback_query(self, params: JSONDict, files: Any) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(400, _BAD_QUERY)
        self._open_queries.discard(query_id)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(dict(params, callback_query_id=query_id))
        return True

    async def _get_file(self, params: JSONDict, files: Any) -> JSONDict:
        file_id = str(params.get("file_id", ""))
        stored = self._files.get(file_id.removesuffix("-thumb"))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------------- helpers


def _command_entity(text: str) -> JSONDict:
    command = text.split(maxsplit=1)[0] if text.strip() else text
    return {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}


def _message_key(message: SentMessage | JSONDict) -> tuple[int, int]:
    if isinstance(message, SentMessage):
        return message.chat_id, message.message_id
    return int(message["chat"]["id"]), int(message["message_id"])


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    if key in _INT_PARAMS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if key in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


async def _read_params(
    request: web.Request,
) -> tuple[JSONDict, dict[str, tuple[bytes, str | None, str | None]]]:
    """Parameters from the query string and a urlencoded, multipart or JSON body."""
    params: JSONDict = {k: _coerce(k, v) for k, v in request.query.items()}
    files: dict[str, tuple[bytes, str | None, str | None]] = {}
    if not request.can_read_body:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        for key, value in body.items():
            params[key] = _coerce(key, value) if isinstance(value, str) else value
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = (value.file.read(), value.filename, value.content_type)
        else:
            params[key] = _coerce(key, str(value))
    return params, files
