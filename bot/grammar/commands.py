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
    """`details`: what the command does to the records (the formula, the flow, the columns);
    `examples`: two commands as a member would send them (one for a command without words;
    for /import, two rows of a file)."""

    name: str
    role: Role
    args: str
    summary: str
    details: str
    examples: tuple[str, ...]

    @property
    def usage(self) -> str:
        return f"/{self.name} {self.args}".rstrip()

    def error(self, reason: str) -> UsageError:
        return UsageError(reason, self.usage)


_OUTCOMES = "removed|restricted|rejected|no_response"
_SPECS = (
    CommandSpec(
        "start",
        Role.VIEWER,
        "",
        "what this bot does and your role",
        "Shows your role and the commands it lets you use. Writes nothing.",
        ("/start",),
    ),
    CommandSpec(
        "help",
        Role.VIEWER,
        "[command]",
        "commands you may use, or one in detail",
        "Without a command: the commands your role may use. With one: its grammar, two "
        "examples and what it does to the records. Writes nothing.",
        ("/help", "/help stats"),
    ),
    CommandSpec(
        "flag",
        Role.REPORTER,
        "<account>... <group> [category] [followers=N] [note...]",
        "report an account",
        "account: a URL (x.com/name, t.me/name, wa.me/92300...), platform:@name or a phone "
        "number; several accounts before the group get one report each (followers= then is "
        "refused as ambiguous). category: glorification, incitement, recruitment, hate, "
        "propaganda, fundraising, other (default other). followers= takes 12500, 12.5k or 2m. "
        "A new account opens a new case (state flagged); a known one gets one more report on "
        "its case (yours once: a second /flag keeps your note, evidence and followers). A "
        "post, video, reel or message URL (x.com/name/status/123, t.me/chan/555) is kept as a "
        "content link of the case. Sent as a reply to a message, that message is kept as "
        "evidence: its text, its forward origin and its photo, video or document, saved under "
        "its SHA-256 (see /evidence). A dismissed case stays dismissed. Audited.",
        (
            "/flag x.com/khorasan_media TTP propaganda followers=12.5k posts daily",
            "/flag +92 300 1234567 BLA recruitment",
        ),
    ),
    CommandSpec(
        "note",
        Role.REPORTER,
        "<#id> <text>",
        "add a dated note to a case",
        "Adds a dated note to the case, shown on its card with its time; the case's state "
        "and figures do not change. Audited.",
        ("/note #17 the channel moved to t.me/new_name", "/note 17 admin posts at night"),
    ),
    CommandSpec(
        "status",
        Role.VIEWER,
        "<#id or account>",
        "the case card of one account",
        "The case card: platform, handle, link, group, category, followers, reports, "
        "state, every request round with its outcome and time to outcome, evidence, notes; "
        "who reported only for reviewers and admins in a private chat. Writes nothing.",
        ("/status #17", "/status x.com/khorasan_media"),
    ),
    CommandSpec(
        "find",
        Role.VIEWER,
        "<text> [page=N]",
        "cases whose handle or note contains text",
        "Cases whose handle or a report's note contains the text (any case), newest first, "
        "20 a page, with how many match. Writes nothing.",
        ("/find khorasan", "/find recruit page=2"),
    ),
    CommandSpec(
        "evidence",
        Role.VIEWER,
        "<#id>",
        "a case's content links and kept messages; the files sent again",
        "Lists the content links and kept messages with the SHA-256 of each file, when it "
        "was captured (and by whom, for reviewers and admins in a private chat), and sends "
        "the kept files again from EVIDENCE_DIR, each checked against its hash. Every look "
        "is audited.",
        ("/evidence #17", "/evidence 21"),
    ),
    CommandSpec(
        "request",
        Role.REVIEWER,
        "<#id>... [ref=WORD]",
        "record removal requests sent",
        "Records that a removal request was sent to the platform: one new request round per "
        "case (flagged -> requested; a refused case opens round n+1, an escalation), sent "
        "now, with the platform's reference (the one word after ref=, e.g. ref=FB-12345). "
        "The reply has a button per outcome. Audited.",
        ("/request #17 ref=FB-12345", "/request 17 18 21"),
    ),
    CommandSpec(
        "outcome",
        Role.REVIEWER,
        "<#id> <removed|restricted|rejected|no_response|restored> [note]",
        "record what the platform did",
        "Records what the platform did with the case's open round: removed or restricted -> "
        "actioned (with the followers it had, for reach removed), rejected or no_response -> "
        "refused. restored: a removed account came back; the case is flagged again and its "
        "reach no longer counts. Audited.",
        ("/outcome #17 removed", "/outcome 18 rejected says it is news reporting"),
    ),
    CommandSpec(
        "correct",
        Role.REVIEWER,
        f"<#id> <{_OUTCOMES}> <reason>",
        "correct the outcome of the case's latest round",
        "For a mis-tapped button: the earlier outcome is kept with its time, the reason and "
        "the before/after are audited, and every figure from now on follows the correction "
        "(figures as of an earlier time keep the outcome recorded by then).",
        (
            "/correct #17 removed tapped rejected by mistake",
            "/correct 18 no_response platform never answered",
        ),
    ),
    CommandSpec(
        "dismiss",
        Role.REVIEWER,
        "<#id> <reason>",
        "close a case as not actionable",
        "Closes the case as not actionable (state dismissed; kept, never deleted). An open "
        "request round of the case is withdrawn: counted as sent, no longer pending nor in "
        "the compliance percentage. Audited with the reason.",
        ("/dismiss #17 parody account", "/dismiss 18 journalist covering TTP, not TTP"),
    ),
    CommandSpec(
        "reopen",
        Role.REVIEWER,
        "<#id> <reason>",
        "reopen a dismissed case",
        "Only a dismissed case is reopened (dismissed -> flagged); /flag and /import never "
        "do. Audited with the reason.",
        ("/reopen #17 the parody started recruiting", "/reopen 18 new posts since"),
    ),
    CommandSpec(
        "edit",
        Role.REVIEWER,
        "<#id> [group=G] [category=C] [followers=N]",
        "correct a case's group, category or followers",
        "The before/after is audited. followers= is kept as a new count seen now; the "
        "followers of accounts already actioned stay as they were when actioned.",
        ("/edit #17 group=BLA", "/edit 18 category=recruitment followers=40k"),
    ),
    CommandSpec(
        "pending",
        Role.VIEWER,
        "[platform] [overdue] [page=N]",
        "open requests, oldest first",
        "Open request rounds (no outcome yet) of cases not dismissed, oldest first, 30 a "
        "page, each with its age; OVERDUE once older than SLA_HOURS. Writes nothing.",
        ("/pending", "/pending x overdue"),
    ),
    CommandSpec(
        "stats",
        Role.VIEWER,
        "[7d|30d|90d|all] [platform|by group] [asof=YYYY-MM-DD[THH:MM]]",
        "compliance per platform or per group",
        "Over the request rounds sent in the window (default 30d): sent, actioned (removed + "
        "restricted), rejected, expired (no outcome after SLA_HOURS, or no_response), "
        "pending, withdrawn. Compliance = actioned / (actioned + rejected + expired), shown "
        "with its denominator (92% of 48); pending and withdrawn rounds are not counted. "
        "Median hours to action; reach removed = followers of the accounts actioned and not "
        "restored. asof= (local time, TIMEZONE): the figures as they stood then, from the "
        "facts recorded by then; run again, the same figures whatever was recorded after. "
        "Writes nothing.",
        ("/stats 30d", "/stats 90d by group asof=2026-11-01"),
    ),
    CommandSpec(
        "digest",
        Role.VIEWER,
        "",
        "the daily digest, now",
        "The daily digest (sent at DIGEST_TIME to DIGEST_CHAT_IDS), here and now: the last "
        "24 h, compliance for the rolling 30 days per platform and per group with the change "
        "against the 30 days before, reach removed, the oldest overdue requests, a chart. "
        "Writes nothing.",
        ("/digest",),
    ),
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
        "the figures as they stood then, the same document whenever it is run. Writes nothing.",
        ("/report", "/report 2026-10 asof=2026-11-01T09:00"),
    ),
    CommandSpec(
        "comebacks",
        Role.VIEWER,
        "[platform]",
        "open cases that look like removed accounts",
        "Open cases whose handle is close to that of an account the platform removed "
        "(khorasan_media2 after khorasan_media): likely re-creations, to request with the "
        "earlier removal's reference. Writes nothing.",
        ("/comebacks", "/comebacks telegram"),
    ),
    CommandSpec(
        "packet",
        Role.REVIEWER,
        "<platform> [pending|#id...]",
        "request packet (CSV + letter) for one platform",
        "Flow: /packet writes a CSV and a letter headed and signed with UNIT_NAME, "
        "LEGAL_BASIS and CONTACT (full profile URLs, content links, earlier requests with their "
        "references, the removed account a comeback re-creates) and, where the cases have "
        "evidence files, a zip of them with a manifest of SHA-256 hashes. No member's note, "
        "name or id goes in. pending (the default) lists 50 cases, oldest first; a case in a "
        "packet of the last 7 days not marked as requested is named and not listed again, so "
        "/packet <platform> again gives the next 50. Submit it, then press 'Mark these as "
        "requested' under the letter: one request round per case, with the packet's "
        "reference.",
        ("/packet x pending", "/packet telegram #17 #21"),
    ),
    CommandSpec(
        "export",
        Role.REVIEWER,
        "[all|pending|platform]",
        "CSV of cases",
        "A CSV file (UTF-8 with a byte order mark, for Excel) with one row per case: the "
        "/import columns first (account, group, category, followers, note), then case_id, "
        "platform, handle, state, reports, first_reported and the latest round. Writes "
        "nothing.",
        ("/export", "/export pending"),
    ),
    CommandSpec(
        "import",
        Role.REVIEWER,
        "(as the caption of a CSV document)",
        "bulk flag from CSV: account,group,category,followers,note",
        "Columns (a header row, any order): account, group (required), category, followers, "
        "note; /export's further columns are ignored, so an export imports again. Each row "
        "is a /flag by you; the whole file in one go, nothing written if any row is bad "
        "(every bad row listed). A known case gets your report if it has none and keeps its "
        "state, group, category and followers. Excel's files import as they are: with or "
        "without a byte order mark, ; separators, trailing empty columns.",
        (
            "x.com/khorasan_media,TTP,propaganda,12.5k,posts daily",
            "+923001234567,BLA,recruitment,,shared in a WhatsApp group",
        ),
    ),
    CommandSpec(
        "grant",
        Role.ADMIN,
        "<user_id> <viewer|reporter|reviewer|admin>",
        "add a member",
        "Gives the user the role (a new member, or a new role for one): their command menu "
        "becomes their role's. The user id is what the bot told them when they sent /start. "
        "Audited.",
        ("/grant 2001 reporter", "/grant 2002 reviewer"),
    ),
    CommandSpec(
        "revoke",
        Role.ADMIN,
        "<user_id>",
        "remove a member",
        "Removes the member: the bot refuses them from now on; what they recorded stays, "
        "with their name. Audited.",
        ("/revoke 2001", "/revoke 2002"),
    ),
    CommandSpec(
        "members",
        Role.ADMIN,
        "",
        "members with their role and name",
        "Every member with their role, their Telegram name as last seen and since when; the "
        "ADMIN_IDS admins first. In a private chat only. Writes nothing.",
        ("/members",),
    ),
    CommandSpec(
        "audit",
        Role.ADMIN,
        "[#id] [user=ID] [action=WORD] [page=N]",
        "recent audit entries",
        "Who did what and when, newest first, 30 a page, with how many there are: the "
        "filters narrow the entries to one case, one member's doings or one action (flag, "
        "grant, dismiss, refused ...). In a private chat only. Writes nothing.",
        ("/audit #17", "/audit user=2001 action=flag page=2"),
    ),
    CommandSpec(
        "health",
        Role.ADMIN,
        "",
        "how the bot runs: uptime, database, backups, digests",
        "Version and uptime, the database (backend, file, size), the newest file in "
        "BACKUP_DIR, the last digest delivered to each DIGEST_CHAT_IDS chat, and the updates "
        "handled. Writes nothing.",
        ("/health",),
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


MAX_PAGE = 100_000


def take_page(words: list[str], usage: str) -> tuple[list[str], int]:
    """The words without the `page=N` among them, and N (1 without one): long lists (/find,
    /audit, /pending) are shown a page at a time."""
    pages = [word for word in words if word.lower().startswith("page=")]
    if not pages:
        return words, 1
    if len(pages) > 1:
        raise UsageError("Give page= only once.", usage)
    value = pages[0].partition("=")[2]
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise UsageError(f"'{pages[0][:40]}' is not a page number like page=2.", usage)
    return [word for word in words if word is not pages[0]], int(value)


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
