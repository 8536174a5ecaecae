"""Request packets: the CSV and the letter (pure), and which cases a packet takes (storage)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from bot.domain import CaseState, Outcome, Platform
from bot.domain.accounts import AccountRef
from bot.domain.packets import EarlierRequest, Letterhead, PacketRow, Recreates, round_ref
from bot.grammar.flag import parse_flag
from bot.grammar.packet import button_data, parse_button_data
from bot.views.packet import (
    CSV_HEADER,
    packet_csv,
    packet_letter,
)
from storage.store import Store

TZ = ZoneInfo("Asia/Karachi")
T0 = dt.datetime(2026, 11, 2, 20, 30, tzinfo=dt.UTC)  # 01:30 on 3 Nov in Karachi
REVIEWER = 8
GROUPS = ["TTP", "BLA", "BLF"]

HEAD = Letterhead("Counter-Extremism Cell, Lahore", "Section 11W, Anti-Terrorism Act 1997",
                  "cell@example.gov.pk, +92 42 1234567")  # fmt: skip

ROWS = [
    PacketRow(
        case_id=12,
        account=AccountRef(Platform.X, "ttp_media"),
        group="TTP",
        category="propaganda",
        followers=12500,
        first_seen=dt.datetime(2026, 10, 1, 20, 0, tzinfo=dt.UTC),
        report_count=3,
        links=("https://x.com/ttp_media/status/1789",),
        earlier=(
            EarlierRequest(1, dt.datetime(2026, 10, 2, 8, 0, tzinfo=dt.UTC), "X-55", "rejected"),
        ),
        recreates=(
            Recreates(
                AccountRef(Platform.X, "ttp_media_old"),
                "removed",
                dt.datetime(2026, 9, 20, 8, 0, tzinfo=dt.UTC),
                "TD-x-20260915-1",
            ),
        ),
    ),
    PacketRow(
        case_id=15,
        account=AccountRef(Platform.X, "bla_news"),
        group="BLA",
        category="other",
        followers=None,
        first_seen=dt.datetime(2026, 10, 5, 4, 0, tzinfo=dt.UTC),
        report_count=1,
    ),
]


def test_round_reference_and_button_data():
    assert round_ref(Platform.FACEBOOK, dt.date(2026, 11, 3), 2) == "TD-facebook-20261103-2"
    data = button_data(123456789)
    assert len(data.encode()) <= 64
    assert parse_button_data(data) == 123456789
    assert parse_button_data("o:1:1:removed") is None
    assert parse_button_data(None) is None


def test_csv_has_a_header_one_numbered_row_per_account_and_no_formulas():
    data = packet_csv(ROWS, "TD-x-20261103-1", TZ)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1] == [
        "1",
        "TD-x-20261103-1",
        "#12",
        "X",
        "https://x.com/ttp_media",
        "TTP",
        "propaganda",
        "12500",
        "2026-10-02",  # first seen in local time
        "https://x.com/ttp_media/status/1789",
        "request 1 sent 2026-10-02, reference X-55: rejected",
        "https://x.com/ttp_media_old (X), removed on 2026-09-20 under reference TD-x-20260915-1",
        "0",
    ]
    assert rows[2][0] == "2" and rows[2][7] == ""
    formula = PacketRow(**{**ROWS[1].__dict__, "group": "=cmd()"})
    defused = list(csv.reader(io.StringIO(packet_csv([formula], "r", TZ).decode())))
    assert defused[1][5] == "'=cmd()"


def test_letter_is_headed_and_signed_and_lists_full_urls_links_and_history():
    letter = packet_letter(ROWS, "TD-x-20261103-1", Platform.X, T0, TZ, HEAD)
    assert letter.startswith(
        "Counter-Extremism Cell, Lahore\nContact: cell@example.gov.pk, +92 42 1234567\n\n"
        "To: X Trust & Safety\nReference: TD-x-20261103-1\nDate: 2026-11-03"
    )
    assert "Legal basis: Section 11W, Anti-Terrorism Act 1997" in letter
    assert "Subject: Removal request for 2 accounts" in letter
    assert "1. https://x.com/ttp_media\n   Organisation: TTP; content: propaganda; " in letter
    assert "     https://x.com/ttp_media/status/1789" in letter
    assert (
        "   Re-creates the account https://x.com/ttp_media_old (X), removed on 2026-09-20 "
        "under reference TD-x-20260915-1"
    ) in letter
    assert "   Earlier: request 1 sent 2026-10-02, reference X-55: rejected" in letter
    assert "2. https://x.com/bla_news" in letter and "followers: unknown" in letter
    assert "x:@" not in letter  # full URLs, not the short form
    assert "   First seen: 2026-10-05 (our case #15)" in letter
    assert "Please quote the reference TD-x-20261103-1" in letter
    assert letter.endswith(
        "Regards,\n\nCounter-Extremism Cell, Lahore\ncell@example.gov.pk, +92 42 1234567\n"
    )


def test_letter_without_legal_basis_or_contact_has_no_empty_lines_for_them():
    letter = packet_letter(ROWS[1:], "r", Platform.X, T0, TZ, Letterhead("Desk", "", ""))
    assert letter.startswith("Desk\n\nTo: X Trust & Safety")
    assert "Legal basis" not in letter and "Contact" not in letter


# ---------------------------------------------------------------- storage


async def flag(store: Store, text: str, at: dt.datetime = T0) -> int:
    return (await store.cases.report(parse_flag(text, GROUPS), 7, at)).case_id


async def test_pending_packet_takes_flagged_and_refused_cases_of_the_platform(store: Store):
    first = await flag(store, "x.com/alpha TTP followers=2k note one", T0 - dt.timedelta(days=2))
    refused = await flag(store, "x.com/bravo BLA", T0 - dt.timedelta(days=1))
    await store.requests.open_rounds([refused], by=REVIEWER, at=T0)
    await store.requests.record_outcome(refused, Outcome.REJECTED, by=REVIEWER, at=T0)
    requested = await flag(store, "x.com/charlie TTP")
    await store.requests.open_rounds([requested], by=REVIEWER, at=T0)
    await flag(store, "t.me/delta TTP")

    packet = await store.packets.create(Platform.X, None, by=REVIEWER, at=T0, tz=TZ)

    assert packet.ref == "TD-x-20261103-1"
    assert [row.case_id for row in packet.rows] == [first, refused]
    assert packet.rows[0].followers == 2000
    again = await store.packets.create(Platform.X, [first], by=REVIEWER, at=T0, tz=TZ)
    assert again.ref == "TD-x-20261103-2"
    assert [(held.case_id, held.ref) for held in again.held] == [(first, "TD-x-20261103-1")]
    other = await store.packets.create(Platform.TELEGRAM, None, by=REVIEWER, at=T0, tz=TZ)
    assert other.ref == "TD-telegram-20261103-1"


async def test_packet_of_ids_skips_the_ineligible_with_reasons(store: Store):
    ok = await flag(store, "x.com/alpha TTP")
    on_telegram = await flag(store, "t.me/bravo TTP")
    requested = await flag(store, "x.com/charlie TTP")
    await store.requests.open_rounds([requested], by=REVIEWER, at=T0)

    packet = await store.packets.create(
        Platform.X, [ok, on_telegram, requested, 999, ok], by=REVIEWER, at=T0, tz=TZ
    )
    assert [row.case_id for row in packet.rows] == [ok]
    assert [(r.case_id, r.reason) for r in packet.skipped] == [
        (on_telegram, "is on Telegram, not X"),
        (requested, "a request is already open"),
        (999, "no such case"),
    ]


async def test_nothing_eligible_writes_no_packet(store: Store):
    packet = await store.packets.create(Platform.X, None, by=REVIEWER, at=T0, tz=TZ)
    assert packet.packet_id is None and packet.rows == []
    assert await store.db.fetchall("SELECT * FROM packets") == []


async def test_marking_opens_rounds_with_the_reference_once(store: Store):
    a = await flag(store, "x.com/alpha TTP")
    b = await flag(store, "x.com/bravo TTP")
    packet = await store.packets.create(Platform.X, None, by=REVIEWER, at=T0, tz=TZ)
    assert packet.packet_id is not None
    await store.cases.dismiss(b, "duplicate", REVIEWER, T0)  # no longer eligible

    marked = await store.packets.mark_requested(packet.packet_id, by=REVIEWER, at=T0)

    assert marked is not None and marked.batch is not None
    assert [(r.case_id, r.ref, r.round_no) for r in marked.batch.opened] == [
        (a, "TD-x-20261103-1", 1)
    ]
    assert [(r.case_id, r.reason) for r in marked.batch.refused] == [(b, "dismissed")]
    card = await store.cases.card(a)
    assert card is not None and card.state is CaseState.REQUESTED

    again = await store.packets.mark_requested(packet.packet_id, by=REVIEWER, at=T0)
    assert again is not None and again.batch is None and again.marked_at == T0
    rounds = await store.db.fetchall("SELECT * FROM request_rounds")
    assert len(rounds) == 1
    assert await store.packets.mark_requested(999, by=REVIEWER, at=T0) is None
