"""`python -m bot` runs the bot (long polling); `python -m bot console` runs it offline."""

from __future__ import annotations

import asyncio
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.runtime.app import build_application
from bot.runtime.logs import setup_logging
from bot.runtime.preflight import TOKEN_REFUSED, bot_api_problem
from bot.runtime.settings import SettingsError, load_settings

NO_TOKEN = (
    "BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot), put "
    "BOT_TOKEN=... in .env (see .env.example), or try the bot offline with `make console`."
)


def main(argv: list[str]) -> int:
    try:
        settings = load_settings()
    except SettingsError as err:
        print(err, file=sys.stderr)
        return 2
    if argv[:1] == ["console"]:
        from bot.runtime.console import run_console

        return asyncio.run(run_console(settings))
    if argv:
        print(
            f"Unknown argument {argv[0]!r}. Use `python -m bot` or `python -m bot console`.",
            file=sys.stderr,
        )
        return 2
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    setup_logging(settings.bot_token.get_secret_value())
    problem = asyncio.run(bot_api_problem(settings))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2 if problem == TOKEN_REFUSED else 1
    app = build_application(settings)
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(TOKEN_REFUSED, file=sys.stderr)
        return 2
    except NetworkError as err:
        print(f"Cannot reach the Bot API at {settings.telegram_api_url}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
