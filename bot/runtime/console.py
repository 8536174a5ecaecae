"""`python -m bot console`: the real Application offline. The operator types commands as an
admin at a prompt; replies are printed, documents and charts saved under console-out/.

Extra words at the prompt: `press N` presses button N of the last reply; `/import FILE.csv`
sends a local file with the caption /import; `quit` leaves.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import time
from pathlib import Path
from typing import Any

from telegram import Update

from bot.runtime.app import App, build_application, running
from bot.runtime.local_api import LocalBotApi, Output, plain_text
from bot.runtime.logs import setup_logging
from bot.runtime.settings import Settings
from storage.db import private_dir, private_file

OUT_DIR = Path("console-out")
CONSOLE_USER_ID = 1


class Console:
    def __init__(self, settings: Settings) -> None:
        self.user_id = settings.admin_ids[0] if settings.admin_ids else CONSOLE_USER_ID
        admins = sorted({*settings.admin_ids, self.user_id})
        # No daily digest offline: one "sent" to the console would be recorded as delivered
        # (digests_sent) and the real bot would then not send that day's digest to the chats.
        self.settings = settings.model_copy(update={"admin_ids": admins, "digest_chat_ids": []})
        self.api = LocalBotApi(on_output=self.show)
        self.app: App = build_application(self.settings, request=self.api, keep_updates=False)
        # Update ids must not repeat across console sessions (redeliveries are skipped).
        self._update_ids = itertools.count(int(time.time() * 1000))
        self._message_ids = itertools.count(1)
        self._buttons: list[tuple[str, str, int]] = []  # (label, data, message_id)

    def show(self, output: Output) -> None:
        text = plain_text(output.text)
        if output.method == "answerCallbackQuery":
            print(f"(button) {text}")
            return
        if output.file_bytes is not None and output.file_name:
            private_dir(OUT_DIR)  # exports and packets: the bot's user's only (0700, 0600)
            path = OUT_DIR / f"{int(time.time())}-{Path(output.file_name).name}"
            private_file(path)
            path.write_bytes(output.file_bytes)
            print(f"[{output.method[4:].lower()} saved to {path}]")
        if text:
            print(text)
        self._remember_buttons(output)
        print()

    def _remember_buttons(self, output: Output) -> None:
        markup = output.reply_markup or {}
        rows = markup.get("inline_keyboard") or []
        buttons = [button for row in rows for button in row if "callback_data" in button]
        if not buttons:
            return
        self._buttons = [(b["text"], b["callback_data"], output.message_id or 0) for b in buttons]
        print("  ".join(f"[{i}] {label}" for i, (label, _, _) in enumerate(self._buttons, 1)))

    def _base(self) -> dict[str, Any]:
        user = {"id": self.user_id, "is_bot": False, "first_name": "Operator"}
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private"},
            "from": user,
        }

    def message_update(self, line: str) -> dict[str, Any]:
        message = self._base()
        if line.startswith("/import") and len(line.split()) > 1:
            path = Path(line.split(maxsplit=1)[1].strip())
            file_id = f"local{message['message_id']}"
            self.api.files[file_id] = path.read_bytes()
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": path.name,
                "mime_type": "text/csv",
                "file_size": len(self.api.files[file_id]),
            }
            message["caption"] = "/import"
            message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": 7}]
        else:
            message["text"] = line
            if line.startswith("/"):
                length = len(line.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def press_update(self, number: int) -> dict[str, Any]:
        """A press of button `number`, with the message it is under as Telegram would send
        it: its text and keyboard as they are now (the bot reads the rounds from them)."""
        _, data, message_id = self._buttons[number - 1]
        message = copy.deepcopy(self.api.messages[message_id])
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._update_ids)),
                "from": {"id": self.user_id, "is_bot": False, "first_name": "Operator"},
                "chat_instance": "console",
                "data": data,
                "message": message,
            },
        }

    def to_update(self, line: str) -> dict[str, Any] | None:
        words = line.split()
        if words[0] == "press":
            if (
                len(words) != 2
                or not words[1].isdigit()
                or not 0 < int(words[1]) <= len(self._buttons)
            ):
                print("press N: N is the number of a button of the last reply.\n")
                return None
            return self.press_update(int(words[1]))
        if line.startswith("/import") and len(words) > 1 and not Path(words[1]).is_file():
            print(f"No file {words[1]}.\n")
            return None
        return self.message_update(line)

    async def run(self) -> None:
        print(
            f"Takedown Desk console - database {self.settings.database_path}, you are admin "
            f"(user {self.user_id}). Type /help, `press N` for a button, `quit` to leave.\n"
        )
        async with running(self.app):
            while True:
                try:
                    line = (await asyncio.to_thread(input, "takedown> ")).strip()
                except EOFError:
                    break
                if line in ("quit", "exit"):
                    break
                update = self.to_update(line) if line else None
                if update is not None:
                    await self.app.process_update(Update.de_json(update, self.app.bot))


async def run_console(settings: Settings) -> int:
    setup_logging(None, level=logging.WARNING)
    await Console(settings).run()
    return 0
