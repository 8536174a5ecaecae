"""The records the layers pass around: what storage returns and the views show.

Pure: imports neither telegram nor aiosqlite nor storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from bot.domain import CaseState, Category, Outcome, Platform, Role
from bot.domain.accounts import AccountRef
from bot.domain.comebacks import Comeback
from bot.domain.compliance import Figures, OverdueRound, Rate, Table, Window
from bot.domain.evidence import CapturedFile, FileStatus, LinkSource
from bot.domain.packets import HeldCase, PacketRow
from bot.domain.people import Name, People
from bot.domain.periods import Period


@dataclass(frozen=True)
class Evidence:
    """The message a /flag replied to, as kept with the report."""

    chat_id: int | None
    message_id: int | None
    text: str  # the text or caption
    forward_origin: str  # "channel @name", "user Ali (42)", ... or ""
    file_id: str | None
    file_kind: str | None  # photo, document, video, ...
    post_link: str = ""  # t.me/<channel>/<post> of a forwarded public channel post
    file_size: int | None = None  # as the message declares it
    mime_type: str = ""
    captured: CapturedFile | None = None  # what the download made of the file


@dataclass(frozen=True)
class FlagCommand:
    account: AccountRef
    source: str  # the account as the user typed it
    group: str  # the configured spelling
    category: Category
    followers: int | None
    note: str
    category_given: bool = True
    links: tuple[str, ...] = ()  # content links of the account given (bot.domain.evidence)


@dataclass(frozen=True)
class FlagRequest:
    """One /flag: a report per account given before the group, and warnings for the reply."""

    commands: tuple[FlagCommand, ...]
    warnings: tuple[str, ...] = ()


class FlagRow(NamedTuple):
    """One validated /import row. A plain tuple, compact: a file holds up to 100,000 of them."""

    platform: str  # a Platform value
    handle: str
    source: str  # the account as the file has it
    group: str  # the configured spelling
    category: str  # a Category value
    followers: int | None
    note: str

    @property
    def account(self) -> AccountRef:
        return AccountRef(Platform(self.platform), self.handle)

    @classmethod
    def of(cls, cmd: FlagCommand) -> FlagRow:
        ref = cmd.account
        return cls(
            ref.platform.value,
            ref.handle,
            cmd.source,
            cmd.group,
            cmd.category.value,
            cmd.followers,
            cmd.note,
        )


@dataclass(frozen=True)
class Dismissal:
    """Who dismissed a case, when and why: what a /flag of a dismissed case is told."""

    by: int | None  # None: dismissed before the audit kept who (by hand, an old version)
    at: dt.datetime | None
    reason: str
    people: People = field(default_factory=dict)  # the name of `by`, if seen


@dataclass(frozen=True)
class ReportResult:
    case_id: int
    account: AccountRef
    new_case: bool
    counted: bool  # False: this member had already reported the case
    report_count: int
    state: CaseState  # after the report (a dismissed case stays dismissed)
    dismissal: Dismissal | None  # the case is dismissed and stays so
    case_group: str
    case_category: str
    # The case's best comeback links (found by this report or before) and how many it has.
    comebacks: ComebackList


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    new_cases: int
    new_reports: int
    duplicates: int  # rows that added no report: repeated in the file or reported before
    on_known: int  # rows about accounts that had a case: its state, group, ... unchanged
    on_dismissed: int  # rows about dismissed cases, which stay dismissed
    on_actioned: int  # rows about accounts the platform has already actioned


@dataclass(frozen=True)
class ReportLine:
    reporter_id: int
    reported_at: dt.datetime
    source: str
    category: str
    followers: int | None
    note: str


@dataclass(frozen=True)
class EvidenceLine:
    added_by: int
    added_at: dt.datetime
    kind: str  # photo, document, ... or "text"
    text: str
    forward_origin: str


@dataclass(frozen=True)
class ContentLink:
    url: str
    source: LinkSource
    added_at: dt.datetime
    added_by: int


@dataclass(frozen=True)
class KeptItem:
    """One kept message with its file, as /evidence shows it."""

    id: int
    added_by: int
    added_at: dt.datetime  # the capture time
    chat_id: int | None
    message_id: int | None
    text: str
    forward_origin: str
    post_link: str
    file_kind: str | None
    file_status: FileStatus | None  # None: the message had no file
    sha256: str | None
    file_size: int | None
    mime_type: str
    stored_name: str  # in EVIDENCE_DIR
    file_error: str


@dataclass(frozen=True)
class EvidenceList:
    """/evidence #id: everything kept of a case (the look is audited)."""

    case_id: int
    account: AccountRef
    links: list[ContentLink]
    items: list[KeptItem]


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    user_id: int
    action: str  # dismiss, reopen, correct, edit
    detail: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class NoteLine:
    noted_at: dt.datetime
    noted_by: int
    note: str


@dataclass(frozen=True)
class FieldChange:
    name: str  # state, group, category, followers, note
    before: str
    after: str


@dataclass(frozen=True)
class CaseChanged:
    """What /note, /reopen or /edit changed on a case (each change audited)."""

    case_id: int
    account: AccountRef
    changes: list[FieldChange]


@dataclass(frozen=True)
class CaseCard:
    id: int
    account: AccountRef
    group: str
    category: str
    followers: int | None
    state: CaseState
    created_at: dt.datetime
    created_by: int
    dismissed_reason: str | None
    report_count: int
    first_report_at: dt.datetime | None
    last_report_at: dt.datetime | None
    reporters: list[int]  # first CARD_REPORTERS, in order of reporting
    reports: list[ReportLine]  # the latest CARD_REPORTS, newest first
    evidence_count: int
    evidence: list[EvidenceLine]  # the latest CARD_EVIDENCE, newest first
    rounds: list[RoundInfo]  # oldest first
    history: list[HistoryLine]  # dismissals, reopenings, corrections and edits, oldest first
    notes: list[NoteLine] = field(default_factory=list)  # the latest CARD_NOTES, oldest first
    comebacks: list[Comeback] = field(default_factory=list)  # links both ways, oldest first
    people: People = field(default_factory=dict)  # the names of everyone the card names


@dataclass(frozen=True)
class CaseSummary:
    id: int
    account: AccountRef
    group: str
    state: CaseState
    report_count: int
    created_at: dt.datetime


@dataclass(frozen=True)
class FindResult:
    cases: list[CaseSummary]  # newest first, at most the limit
    total: int
    offset: int = 0  # how many newer matches come before the first of `cases`


@dataclass(frozen=True)
class DismissResult:
    case_id: int
    account: AccountRef | None  # None: no such case
    before: CaseState | None
    dismissed: bool
    withdrawn_round: int | None = None  # the open round the dismissal withdrew


class ExportScope(StrEnum):
    """Which cases /export writes: all, those with an open round (or one platform instead)."""

    ALL = "all"
    PENDING = "pending"


@dataclass(frozen=True)
class RoundInfo:
    """One request round of one case, with the case's platform, handle and state."""

    case_id: int
    platform: Platform
    handle: str
    case_state: CaseState
    round_no: int
    sent_at: dt.datetime
    sent_by: int
    ref: str
    outcome: Outcome | None
    outcome_at: dt.datetime | None
    outcome_by: int | None
    outcome_note: str
    restored_at: dt.datetime | None
    outcome_by_name: Name | None = None  # the name of outcome_by, if seen

    @property
    def account(self) -> AccountRef:
        return AccountRef(self.platform, self.handle)

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def time_to_outcome(self) -> dt.timedelta | None:
        return None if self.outcome_at is None else self.outcome_at - self.sent_at


@dataclass(frozen=True)
class Refusal:
    case_id: int
    reason: str


@dataclass(frozen=True)
class RequestBatch:
    """What /request did: the rounds opened (in the order asked) and the cases refused."""

    opened: list[RoundInfo]
    refused: list[Refusal]


@dataclass(frozen=True)
class OutcomeRecorded:
    round: RoundInfo  # after the change
    before: CaseState
    after: CaseState


@dataclass(frozen=True)
class Restored:
    round: RoundInfo  # the actioned round that is now marked restored
    before: CaseState
    after: CaseState


@dataclass(frozen=True)
class AlreadyRecorded:
    """A button for a round that is no longer open: nothing written."""

    case_id: int
    round_no: int
    round: RoundInfo | None  # None if the round does not exist at all


@dataclass(frozen=True)
class Corrected:
    """A /correct: the latest round's outcome before, the round after; the case's state."""

    round: RoundInfo
    outcome_before: Outcome
    before: CaseState
    after: CaseState


OutcomeResult = OutcomeRecorded | Restored | Refusal | AlreadyRecorded


@dataclass(frozen=True)
class PendingRound:
    round: RoundInfo
    age: dt.timedelta
    overdue: bool


@dataclass(frozen=True)
class PendingList:
    rounds: list[PendingRound]  # oldest first, at most `limit`
    total: int  # open rounds matching the filter
    overdue_total: int  # of which overdue
    offset: int = 0  # how many older open rounds come before the first of `rounds`


@dataclass(frozen=True)
class ExportRow:
    """One case with its latest round, for CSV export."""

    case_id: int
    platform: Platform
    handle: str
    group: str
    category: str
    followers: int | None
    state: CaseState
    reports: int
    first_reported: dt.datetime | None
    note: str
    round_no: int | None
    sent_at: dt.datetime | None
    outcome: Outcome | None
    outcome_at: dt.datetime | None
    ref: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    user_id: int
    action: str
    case_id: int | None
    before: str | None
    after: str | None
    detail: str
    attempts: int = 1  # refusals: how many this entry counts (one entry an hour a stranger)


@dataclass(frozen=True)
class AuditFilter:
    """Which entries /audit lists: those of one case, by one member, of one action (None:
    any)."""

    case_id: int | None = None
    user_id: int | None = None
    action: str | None = None


@dataclass(frozen=True)
class AuditPage:
    """One page of /audit, newest first, of `total` entries matching its filter."""

    entries: list[AuditEntry]
    total: int
    offset: int
    people: People = field(default_factory=dict)
    no_such_case: bool = False  # the filter's case number is no case


@dataclass(frozen=True)
class Member:
    user_id: int
    role: Role
    name: Name | None  # None: no update of theirs seen yet
    granted_by: int | None  # None (and granted_at): an admin through ADMIN_IDS
    granted_at: dt.datetime | None


@dataclass(frozen=True)
class PacketResult:
    packet_id: int | None  # None: nothing eligible, nothing written
    ref: str
    rows: list[PacketRow]
    skipped: list[Refusal]  # asked-for cases left out, with why
    more: int  # eligible pending cases beyond this page (the next /packet gives them)
    held: list[HeldCase] = field(default_factory=list)  # in an unmarked packet of 7 days


@dataclass(frozen=True)
class MarkResult:
    ref: str
    batch: RequestBatch | None  # None: the packet was already marked
    marked_at: dt.datetime | None = None


@dataclass(frozen=True)
class ComebackList:
    comebacks: list[Comeback]  # the first few, in the order the list is asked for
    total: int  # how many there are in all


@dataclass(frozen=True)
class DigestTables:
    platforms: Table
    groups: Table
    previous: dict[str, Rate]  # compliance per platform in the window before


@dataclass(frozen=True)
class DigestDelivery:
    """One chat's digest for one day: begun, how many of its messages are out, when done."""

    chat_id: int
    day: dt.date
    as_of: dt.datetime
    late: bool
    parts_sent: int
    sent_at: dt.datetime | None  # None: not every message delivered yet

    @property
    def done(self) -> bool:
        return self.sent_at is not None


@dataclass(frozen=True)
class DatabaseHealth:
    """What /health tells of the database (storage/store.py Store.health)."""

    backend: str
    path: str
    file_bytes: int  # the database file and its WAL
    wal_bytes: int
    schema_version: int
    digests: list[DigestDelivery]  # each chat's last digest delivered
    updates_handled: int  # update ids remembered (the last 2 days), see storage/updates.py


@dataclass(frozen=True)
class BackupFile:
    """The newest file in BACKUP_DIR, as /health shows it."""

    name: str
    at: dt.datetime  # its modification time
    size: int


@dataclass(frozen=True)
class ReportTables:
    """The report's compliance tables (storage/stats.py Stats.report_tables). The months and
    the period before carry no median: the report shows none for them."""

    platforms: Table
    groups: Table
    categories: Table
    since: Figures  # the history's total, to the end of the period (no median either)
    months: dict[int, dict[Platform, Figures]]  # month index -> platforms with requests
    previous_platforms: Table
    previous_groups: Table


@dataclass(frozen=True)
class Headline:
    """What a unit says first about a span of time (PRODUCT.md "Periodic report")."""

    cases: dict[str, int]  # accounts identified (cases created), by group
    reports: int
    comebacks: int  # comebacks found
    figures: Figures  # the requests sent: actioned, compliance, reach removed

    @property
    def identified(self) -> int:
        return sum(self.cases.values())


@dataclass(frozen=True)
class MonthFigures:
    month: Period
    platforms: dict[Platform, Figures]  # platforms with requests sent in the month


@dataclass(frozen=True)
class HalfYearRow:
    """One platform's half year in the units of the platforms' transparency reports."""

    half: Period
    platform: Platform
    requests: int  # requests: one per reference (ref=), or per round sent without one
    figures: Figures  # summed months: accounts specified = sent; no median


@dataclass(frozen=True)
class ReportFigures:
    """Everything /report shows of one period, as of one time (storage/reports.py)."""

    period: Period
    as_of: dt.datetime
    window: Window  # the rounds sent in the period, up to as_of
    previous_window: Window
    headline: Headline
    since_first: Headline  # from the first case to the end of the period
    first_case_at: dt.datetime | None  # None: no case at all by then
    platforms: Table
    groups: Table
    categories: Table
    previous_platforms: Table
    previous_groups: Table
    months: list[MonthFigures]  # the 12 months ending with the period's last, oldest first
    # (no median: see ReportTables)
    halves: list[HalfYearRow]  # from the first case's half to the period's, per platform
    overdue: list[OverdueRound]  # the oldest requests overdue at as_of
