"""Before the bot starts: is the Bot API there and does it take the token?

python-telegram-bot's own start-up logs a 30-line traceback when getMe fails, before its
error reaches `python -m bot`. Asked first with a throwaway Bot, the answer is one line, and
the process exits 1 so that its supervisor (systemd's Restart=on-failure, Docker's restart
policy) starts it again after its delay: no retry loop of our own.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.runtime.settings import Settings

TOKEN_REFUSED = "BOT_TOKEN was refused by the Bot API; check it with @BotFather."


async def bot_api_problem(settings: Settings) -> str | None:
    """None if getMe works; otherwise the one line to print."""
    assert settings.bot_token is not None
    bot = Bot(settings.bot_token.get_secret_value(), base_url=settings.telegram_api_url)
    try:
        async with bot:  # initialize() calls getMe; leaving closes the connections
            return None
    except InvalidToken:
        return TOKEN_REFUSED
    except TelegramError as err:
        return f"Cannot reach the Bot API at {settings.telegram_api_url}: {err}; exiting."
