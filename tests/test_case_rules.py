"""The issue 13 rules of the state machine (bot/domain/states.py: reopen, correct, an outcome on
a dismissed case) and the grammar of /correct, /edit, /note and /reopen: pure, no database."""

from __future__ import annotations

import pytest

from bot.domain import CaseState, Category, Outcome
from bot.domain.errors import UsageError
from bot.domain.states import (
    after_correction,
    after_outcome,
    after_reopen,
    correction_refusal,
    reopen_refusal,
)
from bot.grammar.correct import CorrectCommand
from bot.grammar.edit import EditCommand
from bot.grammar.note import parse_note
from bot.grammar.reopen import parse_reopen

GROUPS = ["TTP", "BLA", "BLF"]


def test_only_a_dismissed_case_is_reopened() -> None:
    assert reopen_refusal(4, CaseState.DISMISSED) is None
    assert after_reopen(CaseState.DISMISSED) is CaseState.FLAGGED
    for state in set(CaseState) - {CaseState.DISMISSED}:
        assert (
            reopen_refusal(4, state)
            == f"#4 is {state}, not dismissed: only a dismissed case is reopened."
        )


def test_an_outcome_moves_the_case_and_a_dismissed_case_stays_dismissed() -> None:
    assert after_outcome(CaseState.REQUESTED, Outcome.RESTRICTED) is CaseState.ACTIONED
    assert after_outcome(CaseState.ACTIONED, Outcome.REJECTED) is CaseState.REFUSED
    assert after_outcome(CaseState.REFUSED, Outcome.REMOVED) is CaseState.ACTIONED
    assert after_outcome(CaseState.DISMISSED, Outcome.REMOVED) is CaseState.DISMISSED


def test_a_correction_moves_the_case_as_the_corrected_outcome_would() -> None:
    assert after_correction(CaseState.ACTIONED, Outcome.REJECTED) is CaseState.REFUSED
    assert after_correction(CaseState.ACTIONED, Outcome.RESTRICTED) is CaseState.ACTIONED
    assert after_correction(CaseState.REFUSED, Outcome.REMOVED) is CaseState.ACTIONED
    assert after_correction(CaseState.REFUSED, Outcome.NO_RESPONSE) is CaseState.REFUSED


@pytest.mark.parametrize(
    ("state", "latest", "restored", "wanted", "reason"),
    [
        (CaseState.FLAGGED, None, False, Outcome.REMOVED, "no decided round"),
        (CaseState.REQUESTED, None, False, Outcome.REMOVED, "no decided round"),
        (CaseState.DISMISSED, Outcome.WITHDRAWN, False, Outcome.REMOVED, "only the outcome"),
        (CaseState.FLAGGED, Outcome.REMOVED, True, Outcome.REJECTED, "only the outcome"),
        (CaseState.REFUSED, Outcome.REJECTED, False, Outcome.REJECTED, "already rejected"),
        (CaseState.REFUSED, Outcome.REJECTED, False, Outcome.WITHDRAWN, "not an outcome"),
    ],
)
def test_what_a_correction_may_not_change(
    state: CaseState, latest: Outcome | None, restored: bool, wanted: Outcome, reason: str
) -> None:
    refusal = correction_refusal(9, state, latest, restored, wanted)
    assert refusal is not None and reason in refusal


def test_a_mis_tapped_outcome_may_be_corrected() -> None:
    assert (
        correction_refusal(9, CaseState.REFUSED, Outcome.REJECTED, False, Outcome.REMOVED) is None
    )
    assert (
        correction_refusal(9, CaseState.ACTIONED, Outcome.REMOVED, False, Outcome.NO_RESPONSE)
        is None
    )


def test_correct_edit_note_and_reopen_grammar() -> None:
    assert CorrectCommand.parse("#5 No-Response  they never answered") == CorrectCommand(
        5, Outcome.NO_RESPONSE, "they never answered"
    )
    assert EditCommand.parse(["5", "GROUP=bla", "category=Hate", "followers=12.5k"], GROUPS) == (
        EditCommand(5, "BLA", Category.HATE, 12_500)
    )
    assert parse_note("#7 first line\nsecond") == (7, "first line\nsecond")
    assert parse_reopen("7 new posts") == (7, "new posts")


@pytest.mark.parametrize(
    ("parse", "reason"),
    [
        (lambda: CorrectCommand.parse(""), "Give the case number"),
        (lambda: CorrectCommand.parse("#5 deleted oops"), "Unknown outcome 'deleted'"),
        (lambda: CorrectCommand.parse("#5 withdrawn oops"), "Unknown outcome 'withdrawn'"),
        (lambda: EditCommand.parse(["5"], GROUPS), "at least one of"),
        (lambda: EditCommand.parse(["5", "followers=1", "followers=2"], GROUPS), "only once"),
        (lambda: EditCommand.parse(["5", "followers="], GROUPS), "needs a value"),
        (lambda: EditCommand.parse(["5", "followers=lots"], GROUPS), "not a number"),
        (lambda: EditCommand.parse(["5", "category=spam"], GROUPS), "Unknown category"),
        (lambda: EditCommand.parse(["x", "category=hate"], GROUPS), "not a case number"),
        (lambda: parse_note("#7 " + "x" * 1001), "at most 1,000"),
        (lambda: parse_reopen("#0 why"), "not a case number"),
    ],
)
def test_bad_input_is_a_reason_and_the_usage(parse, reason) -> None:
    with pytest.raises(UsageError) as caught:
        parse()
    assert reason in caught.value.reason and caught.value.usage
