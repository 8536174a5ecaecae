"""The real Application in-process, answered by a checking LocalBotApi: fast enough to push
thousands of updates through every handler, strict enough to catch what Telegram would refuse.

    async with InProcessBot(tmp_path / "t.db") as bot:
        [reply] = await bot.send(bot.message(ADMIN, "/start"))

`send` runs one update through `Application.process_update`; `feed` puts many on the
application's update queue, where the update fetcher processes them concurrently exactly as
it does the updates the poller fetches (concurrent_updates is on in build_application).
Every error that reaches the application's error handler is counted (`errors`) by an extra
error handler added here (PTB calls every registered error handler; production is
unchanged), but for the designed end of a redelivered write (UpdateAlreadyHandled).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.flood import FloodLimit
from bot.runtime.app import App, build_application, running
from bot.runtime.local_api import LocalBotApi, Output
from bot.runtime.settings import Settings
from storage.db import UpdateAlreadyHandled
from storage.store import Store
from tests.clock import ManualClock
from tests.e2e.fake_bot_api import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, html_to_plain

ADMIN = 100
START = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)  # 11:00 in Asia/Karachi
ALLOWED_GROUP = -100999
OTHER_GROUP = -100777
FEED_TIMEOUT = 120.0

JSONDict = dict[str, Any]

# Update ids keep growing across bot instances, as Telegram's do for one bot (a restarted bot
# skips the ids it has handled).
_UPDATE_IDS = itertools.count(10_000)


def unlimited() -> FloodLimit:
    """A commands-a-minute limit no test reaches."""
    return FloodLimit(per_minute=1_000_000_000)


class CheckingBotApi(LocalBotApi):
    """LocalBotApi that refuses what Telegram refuses (bad HTML, over-long text, empty text),
    with the same 400 answer, so such a reply surfaces as an error in the bot."""

    def __init__(self, on_output: Any) -> None:
        super().__init__(on_output)
        self.refused: list[str] = []

    def _answer(self, method: str, params: dict[str, Any], uploads: dict[str, Any]) -> Any:
        for key, limit in (("text", MAX_TEXT_LENGTH), ("caption", MAX_CAPTION_LENGTH)):
            if key not in params or params[key] is None:
                continue
            raw = str(params[key])
            try:
                plain = html_to_plain(raw) if params.get("parse_mode") == "HTML" else raw
            except ValueError as err:
                return self._refuse(method, f"Bad Request: {err}")
            if len(plain.encode("utf-16-le")) // 2 > limit:
                return self._refuse(method, f"Bad Request: {key} is too long")
            if key == "text" and not plain.strip():
                return self._refuse(method, "Bad Request: message text is empty")
        if method == "answerCallbackQuery" and len(str(params.get("text") or "")) > 200:
            return self._refuse(method, "Bad Request: MESSAGE_TOO_LONG")
        return super()._answer(method, params, uploads)

    def _refuse(self, method: str, description: str) -> Any:
        self.refused.append(f"{method}: {description}")
        raise _Refused(description)

    async def do_request(self, url: str, method: str, request_data: Any = None, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        try:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        except _Refused as err:
            body = {"ok": False, "error_code": 400, "description": str(err)}
            return 400, json.dumps(body).encode()


class _Refused(Exception):
    pass


class LogRecorder(logging.Handler):
    """Every log record of the process while the bot runs (for "database is locked" and
    ERROR records)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        lines = []
        for record in self.records:
            lines.append(record.getMessage())
            if record.exc_info and record.exc_info[1] is not None:
                lines.append(repr(record.exc_info[1]))
        return "\n".join(lines)

    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR]


@dataclass
class Reply:
    """What one update produced: messages sent to chats and answers to button presses."""

    outputs: list[Output]

    @property
    def texts(self) -> list[str]:
        return [o.text for o in self.outputs]

    @property
    def plain(self) -> str:
        return "\n".join(html_to_plain(o.text) if o.method != "answerCallbackQuery" else o.text
                         for o in self.outputs)  # fmt: skip


class InProcessBot:
    def __init__(self, db_path: Path, clock: ManualClock | None = None, *,
                 flood: FloodLimit | None = None, **overrides: Any):  # fmt: skip
        """`flood`: by default no commands-a-minute limit to speak of (the tests send
        hundreds of commands at one instant); pass FloodLimit() for the bot's own."""
        values: dict[str, Any] = {
            "bot_token": "123456:TEST-TOKEN-robustness",
            "database_path": db_path,
            "admin_ids": [ADMIN],
            "allowed_chat_ids": [ALLOWED_GROUP],
        }
        values.update(overrides)
        self.db_path = db_path
        self.settings = Settings(_env_file=None, **values)
        self.clock = clock or ManualClock(START)
        self.outputs: list[Output] = []
        self.api = CheckingBotApi(self.outputs.append)
        self.app: App = build_application(
            self.settings, clock=self.clock, request=self.api, flood=flood or unlimited()
        )
        self.errors: list[BaseException | None] = []
        self.app.add_error_handler(self._count_error)
        self.logs = LogRecorder()
        self._running: Any = None
        self.peak_concurrency = 0  # most updates in flight at once during `feed`
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    async def _count_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(context.error, UpdateAlreadyHandled):
            return  # a second copy's write rolled back on the handled mark: by design
        self.errors.append(context.error)

    async def __aenter__(self) -> InProcessBot:
        logging.getLogger().addHandler(self.logs)
        self._running = running(self.app)
        await self._running.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._running.__aexit__(exc_type, exc, tb)
        finally:
            logging.getLogger().removeHandler(self.logs)

    @property
    def store(self) -> Store:
        store = self.app.bot_data["deps"].store
        assert store is not None
        return store  # type: ignore[no-any-return]

    def texts_to(self, chat_id: int) -> list[str]:
        return [o.text for o in self.outputs if o.chat_id == chat_id]

    # ------------------------------------------------------------------ building updates

    def next_update_id(self) -> int:
        return next(_UPDATE_IDS)

    def message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        document: tuple[bytes, str] | None = None,
        mime_type: str | None = "text/csv",
        update_id: int | None = None,
    ) -> JSONDict:
        """An update with a message; a leading /command gets its bot_command entity, on the
        caption when a document goes with it."""
        chat_id = user_id if chat_id is None else chat_id
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Member"} if chat_type == "private" else {"title": "Desk"})
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "date": int(self.clock.now().timestamp()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
        }
        entities = (
            [{"type": "bot_command", "offset": 0, "length": _utf16_len(text.split()[0])}]
            if text.startswith("/") and text.split()
            else []
        )
        if document is not None:
            data, name = document
            file_id = f"upload{message['message_id']}"
            self.api.files[file_id] = data
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": name,
                "file_size": len(data),
            }
            if mime_type:
                message["document"]["mime_type"] = mime_type
            if text:
                message["caption"] = text
                if entities:
                    message["caption_entities"] = entities
        else:
            message["text"] = text
            if entities:
                message["entities"] = entities
        return {"update_id": update_id or self.next_update_id(), "message": message}

    def press(self, user_id: int, output: Output, data: str, *, chat_type: str = "private",
              chat_id: int | None = None, update_id: int | None = None) -> JSONDict:  # fmt: skip
        """An update pressing the button `data` under the bot's message `output` (shown in
        `chat_id`, by default the chat it was sent to)."""
        if chat_id is None:
            chat_id = output.chat_id if output.chat_id is not None else user_id
        message: JSONDict = {
            "message_id": output.message_id,
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Member"},
            "from": {"id": 1, "is_bot": True, "first_name": "Takedown Desk"},
        }
        if output.method == "sendMessage":
            message["text"] = html_to_plain(output.text)
        else:
            message["document"] = {"file_id": "d", "file_unique_id": "d"}
            message["caption"] = html_to_plain(output.text)
        if output.reply_markup:
            message["reply_markup"] = output.reply_markup
        return {
            "update_id": update_id or self.next_update_id(),
            "callback_query": {
                "id": str(next(self._query_ids)),
                "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
                "chat_instance": "robustness",
                "data": data,
                "message": message,
            },
        }

    # ------------------------------------------------------------------ running updates

    async def send(self, update: JSONDict) -> Reply:
        """Process one update to the end; what the bot sent while doing it."""
        before = len(self.outputs)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return Reply(self.outputs[before:])

    async def ask(self, user_id: int, text: str, **kwargs: Any) -> Reply:
        return await self.send(self.message(user_id, text, **kwargs))

    async def feed(self, updates: list[JSONDict], *, replies: int, method: str = "") -> None:
        """Put updates on the update queue (processed concurrently by the application's update
        fetcher, as polled updates are) and wait until `replies` outputs (of `method`, if
        given) have been sent and no update is in flight."""

        def sent() -> int:
            return sum(1 for o in self.outputs if not method or o.method == method)

        target = sent() + replies
        # all at once, as webhook posts arrive (the inbox keeps them with one synced commit)
        queue = self.app.update_queue
        await asyncio.gather(*(queue.put(Update.de_json(u, self.app.bot)) for u in updates))

        async def done() -> None:
            processor = self.app.update_processor
            while (
                sent() < target
                or self.app.update_queue.qsize()
                or processor.current_concurrent_updates
            ):
                current = processor.current_concurrent_updates
                self.peak_concurrency = max(self.peak_concurrency, current)
                await asyncio.sleep(0.005)

        await asyncio.wait_for(done(), FEED_TIMEOUT)
        await asyncio.sleep(0.05)  # let stragglers show up (there must be none)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Not what a command writes: the handled marks, and members' names (kept from any update).
NOT_WRITTEN_BY_COMMANDS = frozenset({"processed_updates", "people"})


def fingerprint(db_path: Path, *, skip: frozenset[str] = NOT_WRITTEN_BY_COMMANDS) -> str:
    """A cheap digest of every row of every table (but `skip`): equal digests, same rows."""
    digest = hashlib.blake2b(digest_size=16)
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in tables:
            if table in skip:
                continue
            digest.update(table.encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                digest.update(repr(row).encode())
    conn.close()
    return digest.hexdigest()


def table_counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    conn.close()
    return counts
