"""`python -m bot` runs the bot (long polling); `console` runs it offline; `backup` makes a
backup now; `restore FILE` puts a backup in place of the database (the bot stopped)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.runtime.app import build_application
from bot.runtime.logs import setup_logging
from bot.runtime.settings import Settings, SettingsError, load_settings
from storage.db import DatabaseUnusable, check_file
from storage.lock import DatabaseInUse, hold_lock

NO_TOKEN = (
    "BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot), put "
    "BOT_TOKEN=... in .env (see .env.example), or try the bot offline with `make console`."
)
USAGE = (
    "Use `python -m bot`, `python -m bot console`, `python -m bot backup` "
    "or `python -m bot restore FILE`."
)


def main(argv: list[str]) -> int:
    try:
        settings = load_settings()
    except SettingsError as err:
        print(err, file=sys.stderr)
        return 2
    match argv:
        case []:
            if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
                print(NO_TOKEN, file=sys.stderr)
                return 2
            return _as_the_one_bot(settings, lambda: _poll(settings))
        case ["console"]:
            from bot.runtime.console import run_console

            return _as_the_one_bot(settings, lambda: asyncio.run(run_console(settings)))
        case ["backup"]:
            from bot.runtime.maintenance import backup_now

            return asyncio.run(backup_now(settings))
        case ["restore", file]:
            from bot.runtime.maintenance import restore_from

            return restore_from(settings, Path(file))
    print(f"Unknown arguments {' '.join(argv)!r}. {USAGE}", file=sys.stderr)
    return 2


def _as_the_one_bot(settings: Settings, run: Callable[[], int]) -> int:
    """Run holding the database's lock, after checking the file (one line if either fails)."""
    try:
        with hold_lock(settings.database_path):
            asyncio.run(check_file(settings.database_path))
            return run()
    except (DatabaseUnusable, DatabaseInUse) as err:
        print(err, file=sys.stderr)
        return 1


def _poll(settings: Settings) -> int:
    assert settings.bot_token is not None
    setup_logging(settings.bot_token.get_secret_value())
    app = build_application(settings)
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print("BOT_TOKEN was refused by the Bot API; check it with @BotFather.", file=sys.stderr)
        return 2
    except NetworkError as err:
        print(f"Cannot reach the Bot API at {settings.telegram_api_url}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
