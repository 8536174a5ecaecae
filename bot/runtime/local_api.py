"""A Bot API answered inside the process: the offline console and the benchmark use it, so
the real Application and handlers run unchanged with no network.

What the bot sends is handed to `on_output`; files it would download are served from
`files` (file_id -> bytes). The messages sent are kept as Telegram keeps them (`messages`:
the plain text without the HTML markup, the current keyboard, edits applied), so that a
button press carries the message Telegram would put in it.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 1,
    "is_bot": True,
    "first_name": "Takedown Desk",
    "username": "takedown_desk_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


_TAG = re.compile(r"<[^>]+>")
KEPT_MESSAGES = 1000  # the latest messages sent, whose buttons the console may press


def plain_text(text: str) -> str:
    """HTML text as Telegram shows and returns it: the markup gone, entities decoded."""
    return html.unescape(_TAG.sub("", text))


@dataclass
class Output:
    """One thing the bot sent: a message, a document, a photo, an edit or a button answer."""

    method: str
    chat_id: int | None
    text: str
    reply_markup: dict[str, Any] | None = None
    file_name: str | None = None
    file_bytes: bytes | None = None
    message_id: int | None = None


class LocalBotApi(BaseRequest):
    def __init__(self, on_output: Callable[[Output], None] = lambda output: None) -> None:
        self.on_output = on_output
        self.files: dict[str, bytes] = {}
        self.messages: dict[int, dict[str, Any]] = {}  # message_id -> the message as kept
        self._message_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/" in url:
            file_id = url.rsplit("/", 1)[-1]
            return (200, self.files[file_id]) if file_id in self.files else (404, b"")
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        uploads = request_data.multipart_data if request_data else {}
        result = self._answer(api_method, params, uploads)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, method: str, params: dict[str, Any], uploads: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "sendDocument", "sendPhoto"):
            return self._send(method, params, uploads)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            self._edit(method, params)
            self.on_output(
                Output(
                    method,
                    _int_or_none(params.get("chat_id")),
                    str(params.get("text", "")),
                    reply_markup=params.get("reply_markup"),
                    message_id=_int_or_none(params.get("message_id")),
                )
            )
            return True
        if method == "answerCallbackQuery":
            if params.get("text"):
                self.on_output(Output(method, None, str(params["text"])))
            return True
        if method == "getFile":
            file_id = str(params["file_id"])
            return {"file_id": file_id, "file_unique_id": file_id, "file_path": file_id}
        return True  # setMyCommands, deleteWebhook, close, ...

    def _edit(self, method: str, params: dict[str, Any]) -> None:
        """As Telegram edits a message: editMessageText without a keyboard removes it."""
        kept = self.messages.get(_int_or_none(params.get("message_id")) or 0)
        if kept is None:
            return
        if method == "editMessageText":
            kept["text"] = plain_text(str(params.get("text", "")))
        kept.pop("reply_markup", None)
        if params.get("reply_markup"):
            kept["reply_markup"] = _json(params["reply_markup"])

    def _send(self, method: str, params: dict[str, Any], uploads: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids)
        file_name = file_bytes = None
        if uploads:
            file_name, content, _mime = next(iter(uploads.values()))
            file_bytes = content if isinstance(content, bytes) else content.read()
        text = str(params.get("text") or params.get("caption") or "")
        self.on_output(
            Output(
                method,
                chat_id,
                text,
                reply_markup=params.get("reply_markup"),
                file_name=file_name,
                file_bytes=file_bytes,
                message_id=message_id,
            )
        )
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
        }
        if method == "sendMessage":
            message["text"] = plain_text(text)
        elif method == "sendDocument":
            message["document"] = {
                "file_id": f"doc{message_id}",
                "file_unique_id": f"d{message_id}",
            }
        else:
            message["photo"] = [
                {
                    "file_id": f"photo{message_id}",
                    "file_unique_id": f"p{message_id}",
                    "width": 1,
                    "height": 1,
                }
            ]
        if params.get("reply_markup"):
            message["reply_markup"] = _json(params["reply_markup"])
        self.messages[message_id] = message
        if len(self.messages) > KEPT_MESSAGES:  # the benchmark sends hundreds of thousands
            del self.messages[next(iter(self.messages))]
        return message


def _json(value: Any) -> Any:
    """A parameter PTB sent as JSON text (reply_markup), as the object it stands for."""
    return json.loads(value) if isinstance(value, str) else value


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
