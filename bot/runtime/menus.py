"""The command menu each member sees is their role's (Telegram's menus per scope): in their
private chat with the bot and, per member, in each ALLOWED_CHAT_IDS group. Everyone else
sees /start and /help (the default scope). Set on start, on /grant and /revoke, and when a
member's first update shows the bot their name (a member granted before they ever opened a
chat with the bot: Telegram refuses the menu of a chat it does not know)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
)
from telegram.error import TelegramError

from bot.domain import Role
from bot.grammar.commands import COMMANDS
from bot.runtime.settings import Settings

log = logging.getLogger(__name__)

ANYONE = ("start", "help")  # a stranger's /start shows them their id, for an admin to /grant


def menu(role: Role | None) -> list[BotCommand]:
    """The commands `role` may use, in the command table's order (None: a stranger's)."""
    return [
        BotCommand(command.name, command.summary)
        for command in COMMANDS.values()
        if (command.role <= role if role is not None else command.name in ANYONE)
    ]


def scopes(user_id: int, settings: Settings) -> list[BotCommandScope]:
    return [
        BotCommandScopeChat(user_id),
        *(BotCommandScopeChatMember(chat_id, user_id) for chat_id in settings.allowed_chat_ids),
    ]


async def set_menu(bot: Bot, settings: Settings, user_id: int, role: Role | None) -> None:
    """The member's menu is their role's; None (revoked): back to the default."""
    for scope in scopes(user_id, settings):
        try:
            if role is None:
                await bot.delete_my_commands(scope=scope)
            else:
                await bot.set_my_commands(menu(role), scope=scope)
        except TelegramError as err:  # a chat the member never opened, a group they are not in
            log.info("menu of user %s in %s not set: %s", user_id, scope.type, err)


async def set_menus(bot: Bot, settings: Settings, members: Iterable[tuple[int, Role]]) -> None:
    """On start: the default menu, then each member's."""
    await bot.set_my_commands(menu(None))
    for user_id, role in members:
        await set_menu(bot, settings, user_id, role)
