"""`python -m bot` runs the bot (long polling, or a webhook server with WEBHOOK_URL set);
`console` runs it offline; `backup` makes a backup now; `restore FILE` puts a backup in place
of the database (the bot stopped); `migrate-to-postgres` copies the SQLite database into the
empty PostgreSQL one of DATABASE_URL (the bot stopped)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.runtime.app import App, build_application
from bot.runtime.logs import setup_logging
from bot.runtime.preflight import TOKEN_REFUSED, bot_api_problem
from bot.runtime.settings import Settings, SettingsError, load_settings
from storage.backend import PostgresUnusable
from storage.db import DatabaseUnusable, check_file
from storage.lock import DatabaseInUse, hold_lock

NO_TOKEN = (
    "BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot), put "
    "BOT_TOKEN=... in .env (see .env.example), or try the bot offline with `make console`."
)
USAGE = (
    "Use `python -m bot`, `python -m bot console`, `python -m bot backup`, "
    "`python -m bot restore FILE` or `python -m bot migrate-to-postgres`."
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
        case ["migrate-to-postgres"]:
            from bot.runtime.maintenance import migrate_to_postgres

            return migrate_to_postgres(settings)
        case ["restore", file]:
            from bot.runtime.maintenance import restore_from

            return restore_from(settings, Path(file))
    print(f"Unknown arguments {' '.join(argv)!r}. {USAGE}", file=sys.stderr)
    return 2


def _as_the_one_bot(settings: Settings, run: Callable[[], int]) -> int:
    """Run holding the database's lock, after checking the file (one line if either fails).
    On PostgreSQL there is no lock: several bots on one database is what it is for."""
    if settings.database_url.get_secret_value():
        try:
            from storage.postgres import check_postgres  # psycopg: only for PostgreSQL

            asyncio.run(check_postgres(settings.database_url.get_secret_value()))
        except PostgresUnusable as err:
            print(err, file=sys.stderr)
            return 1
        return run()
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
    problem = asyncio.run(bot_api_problem(settings))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2 if problem == TOKEN_REFUSED else 1
    app = build_application(settings)
    try:
        if settings.webhook_url:
            _run_webhook(app, settings)
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 2
    except NetworkError as err:
        print(f"Cannot reach the Bot API at {settings.telegram_api_url}: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # the webhook's address is taken or not ours
        print(f"Cannot listen on WEBHOOK_LISTEN {settings.webhook_listen}: {err}", file=sys.stderr)
        return 1
    return 0


def _run_webhook(app: App, settings: Settings) -> None:
    """Serve Telegram's webhook behind the reverse proxy: PTB checks the secret header (403
    without it) and answers 200 once the update is on the update queue, which keeps it in
    the inbox first (bot/runtime/inbox.py)."""
    assert settings.webhook_secret is not None  # required with WEBHOOK_URL (settings)
    app.run_webhook(
        listen=settings.webhook_host,
        port=settings.webhook_port,
        url_path=settings.webhook_path,
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
