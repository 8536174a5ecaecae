"""The command table: name, who may use it, grammar, one-line summary.

The one place that says which role a command needs; /help, the command menu and the
role check all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Platform, Role
from bot.domain.accounts import SUPPORTED_PLATFORMS, platform_of
from bot.domain.errors import UsageError


@dataclass(frozen=True)
class CommandSpec:
    name: str
    role: Role
    args: str
    summary: str
    details: str = ""

    @property
    def usage(self) -> str:
        return f"/{self.name} {self.args}".rstrip()

    def error(self, reason: str) -> UsageError:
        return UsageError(reason, self.usage)


_SPECS = (
    CommandSpec("start", Role.VIEWER, "", "what this bot does and your role"),
    CommandSpec("help", Role.VIEWER, "[command]", "commands you may use, or one in detail"),
    CommandSpec(
        "flag",
        Role.REPORTER,
        "<account> <group> [category] [followers=N] [note...]",
        "report an account",
        "account: a URL (x.com/name, t.me/name, wa.me/92300...) or platform:@name. "
        "category: glorification, incitement, recruitment, hate, propaganda, fundraising, "
        "other. followers= takes 12500, 12.5k or 2m. Send as a reply to a message to keep "
        "it as evidence.",
    ),
    CommandSpec(
        "note",
        Role.REPORTER,
        "<#id> <text>",
        "add a dated note to a case",
        "The note is shown on the case card with its time, and audited.",
    ),
    CommandSpec("status", Role.VIEWER, "<#id or account>", "the case card of one account"),
    CommandSpec("find", Role.VIEWER, "<text>", "cases whose handle or note contains text"),
    CommandSpec(
        "request",
        Role.REVIEWER,
        "<#id>... [ref=WORD]",
        "record removal requests sent",
        "Case numbers may stand before or after ref=; the reference is the one word after "
        "ref= (e.g. ref=FB-12345).",
    ),
    CommandSpec(
        "outcome",
        Role.REVIEWER,
        "<#id> <removed|restricted|rejected|no_response|restored> [note]",
        "record what the platform did",
        "restored: a removed account came back; the case is reopened.",
    ),
    CommandSpec(
        "correct",
        Role.REVIEWER,
        "<#id> <removed|restricted|rejected|no_response> <reason>",
        "correct the outcome of the case's latest round",
        "For a mis-tapped button: the earlier outcome is kept with its time, the reason and "
        "the before/after are audited, and every figure from now on follows the correction "
        "(figures as of an earlier time keep the outcome recorded by then).",
    ),
    CommandSpec(
        "dismiss",
        Role.REVIEWER,
        "<#id> <reason>",
        "close a case as not actionable",
        "An open request round of the case is withdrawn: counted as sent, no longer pending "
        "nor in the compliance percentage.",
    ),
    CommandSpec(
        "reopen",
        Role.REVIEWER,
        "<#id> <reason>",
        "reopen a dismissed case",
        "Only a dismissed case is reopened (state flagged); /flag and /import never do.",
    ),
    CommandSpec(
        "edit",
        Role.REVIEWER,
        "<#id> [group=G] [category=C] [followers=N]",
        "correct a case's group, category or followers",
        "The before/after is audited. followers= is kept as a new count seen now; the "
        "followers of accounts already actioned stay as they were when actioned.",
    ),
    CommandSpec("pending", Role.VIEWER, "[platform] [overdue]", "open requests, oldest first"),
    CommandSpec(
        "stats",
        Role.VIEWER,
        "[7d|30d|90d|all] [platform|by group] [asof=YYYY-MM-DD[THH:MM]]",
        "compliance per platform or per group",
        "asof= (local time, TIMEZONE): the figures as they stood then, from the facts recorded "
        "by then; run again, the same figures whatever was recorded after.",
    ),
    CommandSpec("digest", Role.VIEWER, "", "the daily digest, now"),
    CommandSpec(
        "report",
        Role.VIEWER,
        "[month|quarter|half|year|YYYY-MM|YYYY-Qn|YYYY-H1|YYYY-H2|YYYY] [asof=YYYY-MM-DD[THH:MM]]",
        "the periodic report (PDF and CSV) for a calendar period",
        "month, quarter, half and year are the last full one; no period: the last full month. "
        "Calendar periods in TIMEZONE; halves are January-June and July-December. The PDF has "
        "the headline for the period and since the first case, compliance per platform, group "
        "and category with the change against the period before, a chart month by month and "
        "the oldest overdue requests; the CSV the half years in the platforms' units. asof=: "
        "the figures as they stood then, the same document whenever it is run.",
    ),
    CommandSpec(
        "comebacks", Role.VIEWER, "[platform]", "open cases that look like removed accounts"
    ),
    CommandSpec(
        "packet",
        Role.REVIEWER,
        "<platform> [pending|#id...]",
        "request packet (CSV + letter) for one platform",
    ),
    CommandSpec("export", Role.REVIEWER, "[all|pending|platform]", "CSV of cases"),
    CommandSpec(
        "import",
        Role.REVIEWER,
        "(as the caption of a CSV document)",
        "bulk flag from CSV: account,group,category,followers,note",
    ),
    CommandSpec("grant", Role.ADMIN, "<user_id> <viewer|reporter|reviewer|admin>", "add a member"),
    CommandSpec("revoke", Role.ADMIN, "<user_id>", "remove a member"),
    CommandSpec("audit", Role.ADMIN, "[#id]", "recent audit entries"),
    CommandSpec(
        "health",
        Role.ADMIN,
        "",
        "how the bot runs: uptime, database, backups, digests",
        "Version and uptime, the database (backend, file, size), the newest file in "
        "BACKUP_DIR, the last digest delivered to each DIGEST_CHAT_IDS chat, and the updates "
        "handled.",
    ),
)

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in _SPECS}

# The role that may use some command: who gets an answer to an unknown command or a stray text.
LOWEST_ROLE: Role = min(spec.role for spec in _SPECS)


def spec(name: str) -> CommandSpec:
    return COMMANDS[name]


def parse_case_id(text: str, usage: str | None = None) -> int:
    """`17` or `#17` -> 17."""
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12 or int(digits) == 0:
        raise UsageError(f"'{text[:40]}' is not a case number like #17", usage)
    return int(digits)


MAX_TEXT = 1000  # a reason or a note


def case_and_text(text: str, command: CommandSpec, what: str) -> tuple[int, str]:
    """`<#id> <text...>`: the case number and the rest (its spacing and line breaks kept)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        raise command.error(f"Give the case number and {what}.")
    case_id = parse_case_id(parts[0], command.usage)
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not rest:
        raise command.error(f"Give {what} after the case number.")
    if len(rest) > MAX_TEXT:
        raise command.error(f"The text is {len(rest):,} characters; at most {MAX_TEXT:,}.")
    return case_id, rest


def parse_platform(word: str, usage: str | None = None) -> Platform:
    """`x`, `twitter`, `Facebook` ... -> Platform."""
    platform = platform_of(word)
    if platform is None:
        raise UsageError(f"Unknown platform '{word[:40]}'; one of: {SUPPORTED_PLATFORMS}.", usage)
    return platform


def parse_user_id(text: str, usage: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        raise UsageError(f"'{text[:40]}' is not a Telegram user id (digits only)", usage)
    return int(text)
