"""Parsing of /request, /outcome, /pending, /export and the outcome buttons' data; CSV cells."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import CaseState, Outcome, Platform
from bot.domain.errors import UsageError
from bot.domain.records import ExportRow, PendingList, PendingRound, RoundInfo
from bot.domain.states import is_platform_answer
from bot.grammar.export import ExportCommand
from bot.grammar.import_ import neutralise
from bot.grammar.outcome import OutcomeCommand
from bot.grammar.pending import PendingCommand
from bot.grammar.request import MAX_CASES_PER_REQUEST, RequestCommand
from bot.views import request as views
from bot.views.export import HEADER, ExportTooLarge, cells, write_csv
from bot.views.pending import pending_text

KARACHI = ZoneInfo("Asia/Karachi")
T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


def test_request_takes_ids_with_or_without_hash_before_and_after_a_one_word_ref():
    cmd = RequestCommand.parse(["#17", "18,#19", "17", "ref=FB-1", "99"])
    assert cmd.case_ids == (17, 18, 19, 99)
    assert cmd.ref == "FB-1"
    assert RequestCommand.parse(["20", "ref=ABC-1", "31"]) == RequestCommand((20, 31), "ABC-1")
    assert RequestCommand.parse(["ref=XYZ", "35"]) == RequestCommand((35,), "XYZ")
    assert RequestCommand.parse(["3"]).ref == ""


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ([], "at least one case"),
        (["ref=X"], "at least one case"),
        (["#1", "ref="], "ref= needs a value"),
        (["#1", "ref=A", "ref=B"], "only once"),
        (["#1", "ref=FB", "ticket"], "not a case number"),
        (["#x"], "not a case number"),
        (["#1", "#0"], "not a case number"),
        (["#1", "ref=" + "x" * 201], "too long"),
        ([str(i) for i in range(1, MAX_CASES_PER_REQUEST + 2)], "At most"),
    ],
)
def test_bad_request_args_give_a_reason_and_the_usage(args, reason):
    with pytest.raises(UsageError) as err:
        RequestCommand.parse(args)
    assert reason in err.value.reason
    assert err.value.usage == "/request <#id>... [ref=WORD]"


def test_outcome_reads_case_outcome_and_note_with_its_spacing():
    cmd = OutcomeCommand.parse("#17 Removed  account gone,\nchecked twice")
    assert (cmd.case_id, cmd.outcome) == (17, Outcome.REMOVED)
    assert cmd.note == "account gone,\nchecked twice"
    assert OutcomeCommand.parse("17 no-response").outcome is Outcome.NO_RESPONSE
    restored = OutcomeCommand.parse("17 restored back with new name")
    assert restored.restored and restored.outcome is None
    assert restored.note == "back with new name"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "case number and an outcome"),
        ("#17", "case number and an outcome"),
        ("#17 deleted", "Unknown outcome 'deleted'"),
        ("seventeen removed", "not a case number"),
        ("#17 removed " + "n" * 1001, "note is too long"),
    ],
)
def test_bad_outcome_args_give_a_reason_and_the_usage(text, reason):
    with pytest.raises(UsageError) as err:
        OutcomeCommand.parse(text)
    assert reason in err.value.reason
    assert err.value.usage is not None and err.value.usage.startswith("/outcome <#id>")


def test_pending_takes_platform_and_overdue_in_any_order():
    assert PendingCommand.parse([]) == PendingCommand(None, False)
    assert PendingCommand.parse(["overdue", "Twitter"]) == PendingCommand(Platform.X, True)
    assert PendingCommand.parse(["facebook"]) == PendingCommand(Platform.FACEBOOK, False)
    for bad in (["myspace"], ["x", "x"], ["overdue", "overdue"]):
        with pytest.raises(UsageError):
            PendingCommand.parse(bad)


def test_export_scope():
    assert ExportCommand.parse([]).scope == "all"
    assert ExportCommand.parse(["PENDING"]).scope == "pending"
    assert ExportCommand.parse(["tg"]).scope is Platform.TELEGRAM
    with pytest.raises(UsageError, match="Unknown export"):
        ExportCommand.parse(["everything"])
    with pytest.raises(UsageError, match="at most one"):
        ExportCommand.parse(["all", "x"])


@given(
    case_id=st.integers(1, 10**12 - 1),
    round_no=st.integers(1, 10**6),
    outcome=st.sampled_from([o for o in Outcome if is_platform_answer(o)]),
)
def test_button_data_fits_64_bytes_and_round_trips(case_id, round_no, outcome):
    data = views.button_data(case_id, round_no, outcome)
    assert len(data.encode()) <= 64
    assert views.parse_button_data(data) == views.OutcomeButton(case_id, round_no, outcome)
    # `withdrawn` is what a dismissal does, never a button
    assert views.parse_button_data(f"o:{case_id}:{round_no}:withdrawn") is None


@pytest.mark.parametrize(
    "data",
    [None, "", "o:1:1", "o:1:1:deleted", "x:1:1:removed", "o:a:1:removed", "o:1:1:removed:x"],
)
def test_foreign_or_malformed_button_data_is_not_ours(data):
    assert views.parse_button_data(data) is None


def _round(case_id: int, round_no: int, outcome: Outcome | None = None, ref: str = "") -> RoundInfo:
    return RoundInfo(
        case_id=case_id,
        platform=Platform.X,
        handle=f"acct{case_id}",
        case_state=CaseState.REQUESTED,
        round_no=round_no,
        sent_at=T0,
        sent_by=300,
        ref=ref,
        outcome=outcome,
        outcome_at=None if outcome is None else T0 + dt.timedelta(hours=3),
        outcome_by=None if outcome is None else 301,
        outcome_note="",
        restored_at=None,
    )


def test_request_message_has_a_button_row_per_open_round_and_reads_back_its_rounds():
    rounds = [_round(17, 1, ref="FB-1 <b>"), _round(18, 2, Outcome.REJECTED, ref="FB-1 <b>")]
    text, keyboard = views.request_message(rounds, KARACHI, show_people=True)
    assert "(ref FB-1 &lt;b&gt;)" in text
    assert "#17 round 1 · x:@acct17 · sent 2026-11-02 11:00" in text
    assert "#18 round 2 · x:@acct18 · sent 2026-11-02 11:00 → <b>rejected</b> after 3.0 h" in text
    assert [[data for _, data in row] for row in keyboard] == [
        ["o:17:1:removed", "o:17:1:restricted", "o:17:1:rejected", "o:17:1:no_response"]
    ]
    plain = text.replace("<b>", "").replace("</b>", "")
    assert views.round_keys(plain) == [(17, 1), (18, 2)]


def test_pending_text_marks_overdue_and_counts_the_rest():
    listing = PendingList(
        rounds=[
            PendingRound(_round(5, 1), dt.timedelta(hours=80), True),
            PendingRound(_round(6, 1, ref="T-9"), dt.timedelta(hours=2), False),
        ],
        total=40,
        overdue_total=12,
    )
    text = pending_text(listing, PendingCommand(Platform.X, False), sla=dt.timedelta(hours=72))
    lines = text.split("\n")
    assert lines[0] == "<b>Open requests (X)</b>: 40, 12 overdue (SLA 72 h)"
    assert lines[1] == "#5 x:@acct5 · round 1 · 80 h · <b>OVERDUE</b>"
    assert lines[2] == "#6 x:@acct6 · round 1 · 2.0 h · ref T-9"
    assert lines[-1] == "Shown: 1-2 of 40. Next page: <code>/pending x page=2</code>"
    empty = PendingList(rounds=[], total=0, overdue_total=0)
    assert pending_text(empty, PendingCommand(None, True), sla=dt.timedelta(1)) == (
        "No open requests (overdue only)."
    )


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+92300", "'+92300"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain = text", "plain = text"),
        ("", ""),
    ],
)
def test_cells_that_look_like_formulas_are_neutralised(cell, safe):
    assert neutralise(cell) == safe


def test_export_cells_start_with_the_import_columns():
    assert HEADER[:5] == ("account", "group", "category", "followers", "note")
    row = ExportRow(
        case_id=7,
        platform=Platform.WHATSAPP,
        handle="+923001234567",
        group="TTP",
        category="propaganda",
        followers=None,
        state=CaseState.REQUESTED,
        reports=2,
        first_reported=T0,
        note="=cmd|' /C calc'!A0",
        round_no=1,
        sent_at=T0,
        outcome=None,
        outcome_at=None,
        ref="",
    )
    values = cells(row, KARACHI)
    assert len(values) == len(HEADER)
    assert values[0] == "https://wa.me/923001234567"
    assert values[3] == "" and values[4] == "'=cmd|' /C calc'!A0"
    assert values[7] == "whatsapp:+923001234567"  # no apostrophe for Excel to show
    assert values[10] == "2026-11-02T11:00+05:00"


def _export_row(case_id: int) -> ExportRow:
    return ExportRow(
        case_id=case_id,
        platform=Platform.X,
        handle=f"acct{case_id}",
        group="TTP",
        category="other",
        followers=10,
        state=CaseState.FLAGGED,
        reports=1,
        first_reported=T0,
        note="n",
        round_no=None,
        sent_at=None,
        outcome=None,
        outcome_at=None,
        ref="",
    )


async def _rows(count: int) -> AsyncIterator[ExportRow]:
    for case_id in range(1, count + 1):
        yield _export_row(case_id)


async def test_write_csv_writes_header_and_rows_as_utf8():
    out = io.BytesIO()
    assert await write_csv(_rows(3), out, KARACHI) == 3
    assert out.getvalue().startswith("\ufeff".encode())  # Excel reads Urdu as UTF-8
    lines = out.getvalue().decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(HEADER)
    assert lines[1].startswith("https://x.com/acct1,TTP,other,10,n,1,x,acct1,flagged,1,")
    assert len([line for line in lines if line]) == 4


async def test_write_csv_stops_once_past_the_size_limit():
    out = io.BytesIO()
    with pytest.raises(ExportTooLarge) as err:
        await write_csv(_rows(5000), out, KARACHI, max_bytes=50_000)
    assert err.value.rows == 1000 and err.value.size > 50_000
