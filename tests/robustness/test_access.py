"""Access: every command of bot.grammar.commands.COMMANDS x every role, a stranger, an allowed and a
non-allowed group chat; the outcome buttons, the packet button, the /import document, an
unknown command, a stale button and a plain message. Each allowed or refused exactly as
PRODUCT.md "Who may use it" says:

- a member whose role is at least the command's (the table is the one place saying which)
  is served: the reply is not a refusal;
- a member below it gets one refusal naming the role needed, and nothing is written;
- a stranger gets one polite refusal showing their own user id, and only the attempt is
  written (audited);
- in a group chat not in ALLOWED_CHAT_IDS the bot answers nothing, to anyone, and writes
  nothing.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.domain import Role
from bot.grammar.commands import COMMANDS
from tests.robustness.driver import (
    ADMIN,
    ALLOWED_GROUP,
    NOT_WRITTEN_BY_COMMANDS,
    OTHER_GROUP,
    InProcessBot,
    JSONDict,
    Reply,
    fingerprint,
)

# The robustness tests are slow: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

VIEWER, REPORTER, REVIEWER, GRANTED_ADMIN, STRANGER = 401, 201, 301, 102, 555
MEMBERS = {VIEWER: Role.VIEWER, REPORTER: Role.REPORTER, REVIEWER: Role.REVIEWER,
           GRANTED_ADMIN: Role.ADMIN, ADMIN: Role.ADMIN}  # fmt: skip
_accounts = itertools.count(1)

# A valid-ish argument list for each command (a command added later gets none: still checked).
ARGUMENTS: dict[str, Callable[[], str]] = {
    "help": lambda: "flag",
    "flag": lambda: f"x.com/access_{next(_accounts)} TTP propaganda",
    "status": lambda: "#1",
    "find": lambda: "access",
    "request": lambda: "#1",
    "outcome": lambda: "#1 rejected",
    "dismiss": lambda: "#2 not linked to any group",
    "reopen": lambda: "#2 linked after all",
    "note": lambda: "#3 posts daily",
    "correct": lambda: "#1 removed mis-tapped",
    "edit": lambda: "#4 followers=12k",
    "pending": lambda: "overdue",
    "stats": lambda: "30d by group",
    "report": lambda: "2026-10",
    "comebacks": lambda: "x",
    "packet": lambda: "x",
    "export": lambda: "all",
    "grant": lambda: "999 viewer",
    "revoke": lambda: "999",
    "audit": lambda: "#1",
}
IMPORT_CSV = b"account,group,category,followers,note\nt.me/imported_by_access,BLA,hate,5,x\n"

SKIP = NOT_WRITTEN_BY_COMMANDS
SKIP_AUDIT = NOT_WRITTEN_BY_COMMANDS | {"audit"}


def refusals_of(db_path: Path, user: int) -> int:
    """A stranger's attempts the audit counts (one entry an hour, with a count)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(attempts), 0) FROM audit WHERE action = 'refused' AND user_id = ?",
            (user,),
        ).fetchone()
    conn.close()
    return int(row[0])


def refusal_for(needed: Role, role: Role) -> str:
    return f"This needs the {needed.key} role; you are {role.key}."


def is_refusal(reply: Reply) -> bool:
    return any(
        text.startswith("This needs the ") or "only for members of the team" in text
        for text in reply.texts
    )


class Matrix:
    """Sends one update per cell, judges it, and collects every wrong cell."""

    def __init__(self, bot: InProcessBot) -> None:
        self.bot = bot
        self.wrong: list[str] = []
        self.cells = 0

    async def check(self, what: str, update: JSONDict, needed: Role, user: int,
                    chat: str = "private") -> None:  # fmt: skip
        bot = self.bot
        self.cells += 1
        rows, rows_but_audit = (
            fingerprint(bot.db_path, skip=SKIP),
            fingerprint(bot.db_path, skip=SKIP_AUDIT),
        )
        refusals_before = refusals_of(bot.db_path, user)
        errors_before = len(bot.errors)
        reply = await bot.send(update)
        texts = reply.texts
        label = f"{what} by {user} ({chat})"
        if len(bot.errors) != errors_before:
            self.wrong.append(f"{label}: reached the error handler {bot.errors[errors_before:]}")
        if chat == "other group":
            if reply.outputs:
                self.wrong.append(f"{label}: answered {texts} in a chat it must ignore")
            if fingerprint(bot.db_path, skip=SKIP) != rows:
                self.wrong.append(f"{label}: wrote rows in a chat it must ignore")
            return
        role = MEMBERS.get(user)
        if role is None:
            ok = (
                len(reply.outputs) == 1
                and "only for members of the team" in texts[0]
                and f"Your Telegram user id is {user}" in texts[0]
            )
            if not ok:
                self.wrong.append(f"{label}: stranger got {texts}")
            if fingerprint(bot.db_path, skip=SKIP_AUDIT) != rows_but_audit:
                self.wrong.append(f"{label}: a stranger's attempt wrote rows")
            audited = refusals_of(bot.db_path, user) == refusals_before + 1
            if not audited:
                self.wrong.append(f"{label}: a stranger's attempt was not audited")
            return
        if role >= needed:
            if not reply.outputs or is_refusal(reply):
                self.wrong.append(f"{label}: {role.key} must be served, got {texts}")
            elif any("Unknown command" in t for t in texts) and what[1:] in COMMANDS:
                self.wrong.append(f"{label}: no handler: {texts}")
        else:
            if texts != [refusal_for(needed, role)]:
                self.wrong.append(f"{label}: {role.key} must be refused, got {texts}")
            if fingerprint(bot.db_path, skip=SKIP) != rows:
                self.wrong.append(f"{label}: a refused {role.key} wrote rows")


def command_update(bot: InProcessBot, name: str, user: int, chat_id: int | None = None,
                   chat_type: str = "private") -> JSONDict:  # fmt: skip
    args = ARGUMENTS.get(name, lambda: "")()
    text = f"/{name} {args}".rstrip()
    if name == "import":
        return bot.message(user, text, chat_id=chat_id, chat_type=chat_type,
                           document=(IMPORT_CSV, "access.csv"))  # fmt: skip
    return bot.message(user, text, chat_id=chat_id, chat_type=chat_type)


async def seed(bot: InProcessBot) -> None:
    for user, role in MEMBERS.items():
        if user != ADMIN:
            await bot.ask(ADMIN, f"/grant {user} {role.key}")
    for n in range(6):
        await bot.ask(REPORTER, f"/flag x.com/seed_access_{n} TTP")


CALLERS = [VIEWER, REPORTER, REVIEWER, GRANTED_ADMIN, ADMIN, STRANGER]


async def test_every_command_by_every_role_in_every_chat(tmp_path: Path):
    async with InProcessBot(tmp_path / "t.db") as bot:
        await seed(bot)
        matrix = Matrix(bot)
        for name, spec in COMMANDS.items():
            for user in CALLERS:
                await matrix.check(f"/{name}", command_update(bot, name, user), spec.role, user)
            for user in (VIEWER, ADMIN, STRANGER):  # an allowed group: as in private
                update = command_update(bot, name, user, ALLOWED_GROUP, "supergroup")
                await matrix.check(f"/{name}", update, spec.role, user, "allowed group")
            for user in (ADMIN, VIEWER, STRANGER):  # any other group: silence
                update = command_update(bot, name, user, OTHER_GROUP, "supergroup")
                await matrix.check(f"/{name}", update, spec.role, user, "other group")
        # what is not a command: a member hears "Unknown command"/"Commands start with /"
        lowest = min(spec.role for spec in COMMANDS.values())
        for user in CALLERS:
            for text in ("/nosuchcommand", "hello"):
                await matrix.check(text, bot.message(user, text), lowest, user)
            await matrix.check(
                "/nosuchcommand",
                bot.message(user, "/nosuchcommand", chat_id=OTHER_GROUP, chat_type="group"),
                lowest,
                user,
                "other group",
            )
        assert matrix.wrong == [], "\n".join(matrix.wrong)
        assert matrix.cells == len(COMMANDS) * 12 + len(CALLERS) * 3
        assert bot.errors == [] and bot.api.refused == []


async def test_buttons_by_every_role(tmp_path: Path):
    """The outcome buttons under a /request reply, the packet's "Mark these as requested",
    and a stale button: reviewer+ (the role of /outcome and /packet) or refused."""
    async with InProcessBot(tmp_path / "t.db") as bot:
        await seed(bot)
        matrix = Matrix(bot)
        buttons = [
            ("outcome button", COMMANDS["outcome"].role),
            ("packet button", COMMANDS["packet"].role),
            ("stale button", min(spec.role for spec in COMMANDS.values())),
        ]
        case = 0
        for what, needed in buttons:
            for user, chat, chat_id in [
                *((u, "private", None) for u in CALLERS),
                (VIEWER, "allowed group", ALLOWED_GROUP),
                (REVIEWER, "allowed group", ALLOWED_GROUP),
                (ADMIN, "other group", OTHER_GROUP),
                (STRANGER, "other group", OTHER_GROUP),
            ]:
                # a fresh message with the button for every press, so "served" means served
                case += 1
                if what == "outcome button":
                    flagged = await bot.ask(REPORTER, f"/flag t.me/button_case_{case} BLF")
                    case_id = int(flagged.plain.split("#")[1].split()[0])
                    [message] = (await bot.ask(ADMIN, f"/request #{case_id}")).outputs
                    data = f"o:{case_id}:1:removed"
                elif what == "packet button":
                    await bot.ask(REPORTER, f"/flag tiktok.com/@button_case_{case} BLF")
                    sent = (await bot.ask(ADMIN, "/packet tiktok")).outputs
                    message = next(o for o in sent if o.reply_markup)
                    data = message.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
                else:
                    [message] = (await bot.ask(ADMIN, "/request #1")).outputs[:1]
                    data = "zz:stale"
                chat_type = "private" if chat == "private" else "supergroup"
                update = bot.press(user, message, data, chat_type=chat_type, chat_id=chat_id)
                await matrix.check(what, update, needed, user, chat)
        assert matrix.wrong == [], "\n".join(matrix.wrong)
        assert matrix.cells == 3 * 10
        assert bot.errors == [] and bot.api.refused == []
