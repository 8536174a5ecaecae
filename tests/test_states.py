"""The case state machine (bot/domain/states.py) against PRODUCT.md "States of a case".

Every cell of the table (CaseState x Event) is pinned by one of the tests below: a new event
or state fails `test_every_event_is_pinned_here` until its rules are written down here too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import CaseState, Outcome
from bot.domain.states import (
    ACTIONED_OUTCOMES,
    CORRECTABLE,
    NEW_CASE_STATE,
    OPEN_STATES,
    PACKET_STATES,
    PLATFORM_ANSWERS,
    REOPENABLE,
    TRANSITIONS,
    WITHDRAWN_BY,
    Event,
    after,
    after_outcome,
    after_report,
    after_request,
    is_actioned,
    is_platform_answer,
    outcome_event,
    request_refusal,
)

FLAGGED, REQUESTED, ACTIONED, REFUSED, DISMISSED = (
    CaseState.FLAGGED,
    CaseState.REQUESTED,
    CaseState.ACTIONED,
    CaseState.REFUSED,
    CaseState.DISMISSED,
)


def test_every_event_is_pinned_here() -> None:
    assert set(Event) == {
        Event.REQUEST,
        Event.ACTION,
        Event.NO_ACTION,
        Event.RESTORED,
        Event.DISMISS,
        Event.REOPEN,
        Event.CORRECT,
        Event.REPORT,
    }
    assert set(TRANSITIONS) == set(CaseState)


def test_a_case_starts_flagged_and_open_means_neither_actioned_nor_dismissed() -> None:
    assert NEW_CASE_STATE is FLAGGED
    assert {FLAGGED, REQUESTED, REFUSED} == OPEN_STATES


def test_removed_and_restricted_are_the_outcomes_that_action_an_account() -> None:
    assert {Outcome.REMOVED, Outcome.RESTRICTED} == ACTIONED_OUTCOMES
    assert [o for o in Outcome if is_actioned(o)] == [Outcome.REMOVED, Outcome.RESTRICTED]
    assert {outcome_event(o) for o in ACTIONED_OUTCOMES} == {Event.ACTION}
    assert {outcome_event(o) for o in set(Outcome) - ACTIONED_OUTCOMES} == {Event.NO_ACTION}


def test_withdrawn_is_no_platform_answer_but_what_a_dismissal_closes_a_round_with() -> None:
    assert set(Outcome) - {Outcome.WITHDRAWN} == PLATFORM_ANSWERS
    assert [o for o in Outcome if not is_platform_answer(o)] == [Outcome.WITHDRAWN]
    assert WITHDRAWN_BY is Event.DISMISS


@pytest.mark.parametrize(("state", "outcome"), list(itertools.product(CaseState, Outcome)))
def test_an_outcome_actions_or_refuses_the_case_and_a_dismissed_case_stays_dismissed(
    state: CaseState, outcome: Outcome
) -> None:
    if state is DISMISSED:
        expected = DISMISSED  # its round is closed, the case stays dismissed
    elif outcome in (Outcome.REMOVED, Outcome.RESTRICTED):
        expected = ACTIONED
    else:  # rejected, no_response
        expected = REFUSED
    assert after_outcome(state, outcome) is expected
    assert after(state, outcome_event(outcome)) is expected


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("open_round", [None, 3])
def test_a_new_round_is_refused_while_one_is_open_and_for_actioned_or_dismissed_cases(
    state: CaseState, open_round: int | None
) -> None:
    refusal = request_refusal(state, open_round)
    if open_round is not None:
        assert refusal == "round 3 is still open: record its outcome"
    elif state is DISMISSED:
        assert refusal == "dismissed"
    elif state is ACTIONED:
        assert refusal == "already actioned"
    else:  # flagged: round 1; refused: escalation, round n + 1
        assert refusal is None
        assert after_request(state) is REQUESTED
    assert (after(state, Event.REQUEST) is None) == (state in (ACTIONED, DISMISSED))


@pytest.mark.parametrize("state", list(CaseState))
def test_restored_reopens_an_actioned_case_only(state: CaseState) -> None:
    assert after(state, Event.RESTORED) is (FLAGGED if state is ACTIONED else None)


@pytest.mark.parametrize("state", list(CaseState))
def test_any_open_state_may_be_dismissed_and_no_closed_one(state: CaseState) -> None:
    assert after(state, Event.DISMISS) is (DISMISSED if state in OPEN_STATES else None)


@pytest.mark.parametrize("state", list(CaseState))
def test_reopen_takes_a_dismissed_case_back_to_flagged_only(state: CaseState) -> None:
    assert after(state, Event.REOPEN) is (FLAGGED if state is DISMISSED else None)
    assert (state in REOPENABLE) == (state is DISMISSED)


@pytest.mark.parametrize("state", list(CaseState))
def test_only_an_actioned_or_refused_case_has_an_outcome_to_correct(state: CaseState) -> None:
    # the corrected outcome's event then moves it (tests/test_case_rules.py)
    correctable = state in (ACTIONED, REFUSED)
    assert after(state, Event.CORRECT) is (state if correctable else None)
    assert (state in CORRECTABLE) == correctable


@pytest.mark.parametrize("state", list(CaseState))
def test_a_report_on_a_known_case_moves_no_case_a_dismissed_one_stays_dismissed(
    state: CaseState,
) -> None:
    # PRODUCT.md: only /reopen reopens (before issue 13 a /flag or /import reopened it)
    assert after_report(state) is state


def test_a_packet_lists_cases_due_a_first_or_an_escalation_request() -> None:
    assert {FLAGGED, REFUSED} == PACKET_STATES
    assert all(request_refusal(state, None) is None for state in PACKET_STATES)


# ---------------------------------------------------------------- histories


@dataclass
class Case:
    """A case as storage keeps it: its state, and its open round if any."""

    state: CaseState = NEW_CASE_STATE
    open_round: int | None = None
    rounds: int = 0


def apply(case: Case, event: Event) -> None:
    """`event` as storage applies it, when allowed: a round opened or closed with the move."""
    if event is Event.REQUEST:
        if request_refusal(case.state, case.open_round) is None:
            case.rounds += 1
            case.open_round = case.rounds
            case.state = after_request(case.state)
    elif event in (Event.ACTION, Event.NO_ACTION):
        if case.open_round is not None:  # an outcome closes the open round
            case.open_round = None
            case.state = TRANSITIONS[case.state][event]
    else:
        moved = after(case.state, event)
        if moved is not None:
            case.state = moved
            if event is WITHDRAWN_BY:  # a dismissal withdraws the open round
                case.open_round = None


@given(st.lists(st.sampled_from(list(Event)), max_size=40))
def test_any_history_keeps_the_rounds_and_the_state_consistent(events: list[Event]) -> None:
    case = Case()
    for event in events:
        before = case.state
        apply(case, event)
        # requested means a round is open; an actioned case has none
        assert case.state is not REQUESTED or case.open_round is not None
        assert case.state not in (ACTIONED, DISMISSED) or case.open_round is None
        # only an actioned outcome actions a case; only restored or reopen make a closed
        # case open again
        if case.state is ACTIONED and before is not ACTIONED:
            assert event is Event.ACTION
        if before in (ACTIONED, DISMISSED) and case.state in OPEN_STATES:
            assert event in (Event.RESTORED, Event.REOPEN)
