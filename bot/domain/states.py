"""The case state machine of PRODUCT.md "States of a case", written once.

    flagged -> requested -> actioned (removed, restricted) | refused (rejected, no_response)
    refused -> requested (escalation: round n + 1)      actioned -> flagged (restored)
    any open state -> dismissed (its open round withdrawn)    dismissed -> flagged (reopen)
    actioned <-> refused (a correction of the latest round's outcome)

A report (/flag, /import) never moves a case: a dismissed case stays dismissed until /reopen.

`TRANSITIONS` is the whole machine: what each event does to a case in each state; an event
missing from a state's row is not allowed there. Storage asks these functions and builds its
SQL from these sets (storage/sql.py), so a new event or state is added here, in one place.
Pure: the domain only.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from bot.domain import CaseState, Outcome


class Event(StrEnum):
    """What happens to a case."""

    REQUEST = "request"  # a removal request is sent: a new round
    ACTION = "action"  # an outcome that actioned the account: removed, restricted
    NO_ACTION = "no_action"  # an outcome that did not: rejected, no_response
    RESTORED = "restored"  # an actioned account came back
    DISMISS = "dismiss"  # not actionable (a false positive); withdraws the open round
    REOPEN = "reopen"  # a reviewer opens a dismissed case again (/reopen)
    CORRECT = "correct"  # a reviewer corrects the outcome of the latest round (/correct)
    REPORT = "report"  # one more report on a known case (/flag, /import)


# A case starts flagged.
NEW_CASE_STATE: Final = CaseState.FLAGGED
# Closed: nothing more is asked of the platform. Every other state is open.
CLOSED_STATES: Final = frozenset({CaseState.ACTIONED, CaseState.DISMISSED})
OPEN_STATES: Final = frozenset(CaseState) - CLOSED_STATES
ACTIONED_OUTCOMES: Final = frozenset({Outcome.REMOVED, Outcome.RESTRICTED})
# What a reviewer may record for a round (/outcome, the buttons, /correct). `withdrawn` is
# not a platform's answer: a dismissal (Event.DISMISS) closes the open round with it.
PLATFORM_ANSWERS: Final = frozenset(Outcome) - {Outcome.WITHDRAWN}
WITHDRAWN_BY: Final = Event.DISMISS

# An outcome closes the case's open round whatever state the case is in by then (a round
# written before the dismissal withdrew rounds may still be open), so every state has both
# outcome events: a dismissed case's round is closed and the case stays dismissed. An actioned
# case never has a round open (no request from there), yet an outcome on it moves it like
# on any other, as it always did. While a round is open no other round may be opened
# (`request_refusal`); a `requested` case without an open round (written behind the bot's
# back) may get one. A correction re-decides the latest round, so the corrected outcome's
# event then moves the case (`after_correction`).
TRANSITIONS: Final[Mapping[CaseState, Mapping[Event, CaseState]]] = {
    CaseState.FLAGGED: {
        Event.REQUEST: CaseState.REQUESTED,
        Event.ACTION: CaseState.ACTIONED,
        Event.NO_ACTION: CaseState.REFUSED,
        Event.DISMISS: CaseState.DISMISSED,
        Event.REPORT: CaseState.FLAGGED,
    },
    CaseState.REQUESTED: {
        Event.REQUEST: CaseState.REQUESTED,
        Event.ACTION: CaseState.ACTIONED,
        Event.NO_ACTION: CaseState.REFUSED,
        Event.DISMISS: CaseState.DISMISSED,
        Event.REPORT: CaseState.REQUESTED,
    },
    CaseState.REFUSED: {
        Event.REQUEST: CaseState.REQUESTED,  # escalation: round n + 1
        Event.ACTION: CaseState.ACTIONED,
        Event.NO_ACTION: CaseState.REFUSED,
        Event.DISMISS: CaseState.DISMISSED,
        Event.CORRECT: CaseState.REFUSED,
        Event.REPORT: CaseState.REFUSED,
    },
    CaseState.ACTIONED: {
        Event.ACTION: CaseState.ACTIONED,
        Event.NO_ACTION: CaseState.REFUSED,
        Event.RESTORED: CaseState.FLAGGED,
        Event.CORRECT: CaseState.ACTIONED,
        Event.REPORT: CaseState.ACTIONED,
    },
    CaseState.DISMISSED: {
        Event.ACTION: CaseState.DISMISSED,
        Event.NO_ACTION: CaseState.DISMISSED,
        Event.REOPEN: CaseState.FLAGGED,
        # Only /reopen reopens it: a report is kept and the case stays dismissed (PRODUCT.md).
        Event.REPORT: CaseState.DISMISSED,
    },
}

# Why a state takes no new round (the states without Event.REQUEST), as /request says it.
_REQUEST_REFUSALS: Final[Mapping[CaseState, str]] = {
    CaseState.DISMISSED: "dismissed",
    CaseState.ACTIONED: "already actioned",
}


def after(state: CaseState, event: Event) -> CaseState | None:
    """The state `event` moves a case in `state` to; None: not allowed in that state."""
    return TRANSITIONS[state].get(event)


def _states_with(event: Event) -> frozenset[CaseState]:
    return frozenset(state for state in CaseState if event in TRANSITIONS[state])


# A packet lists the cases a first or an escalation request is due for: those that may get a
# round, less `requested` (its round is open).
PACKET_STATES: Final = _states_with(Event.REQUEST) - {CaseState.REQUESTED}
# Only a dismissed case is reopened, and only by /reopen (never by /flag or /import).
REOPENABLE: Final = _states_with(Event.REOPEN)
# A correction changes the outcome that put the case where it is; a case that moved on since
# (restored, requested again, dismissed) has a newer fact to correct first.
CORRECTABLE: Final = _states_with(Event.CORRECT)


def is_actioned(outcome: Outcome) -> bool:
    return outcome in ACTIONED_OUTCOMES


def is_platform_answer(outcome: Outcome) -> bool:
    return outcome in PLATFORM_ANSWERS


def outcome_event(outcome: Outcome) -> Event:
    return Event.ACTION if is_actioned(outcome) else Event.NO_ACTION


def after_outcome(state: CaseState, outcome: Outcome) -> CaseState:
    """The case's state once `outcome` closes its open round (every state has one)."""
    return TRANSITIONS[state][outcome_event(outcome)]


def after_request(state: CaseState) -> CaseState:
    """The case's state once a new round is opened on it (`request_refusal` said it may)."""
    return TRANSITIONS[state][Event.REQUEST]


def after_report(state: CaseState) -> CaseState:
    """The case's state once one more report is recorded on it (every state has one)."""
    return TRANSITIONS[state][Event.REPORT]


def request_refusal(state: CaseState, open_round: int | None) -> str | None:
    """Why a case in `state` (with round `open_round` still open, if any) may not get a new
    request round; None: it may."""
    if open_round is not None:
        return f"round {open_round} is still open: record its outcome"
    if after(state, Event.REQUEST) is None:
        return _REQUEST_REFUSALS[state]
    return None


def reopen_refusal(case_id: int, state: CaseState) -> str | None:
    """Why /reopen cannot reopen the case, or None when it can."""
    if after(state, Event.REOPEN) is not None:
        return None
    return f"#{case_id} is {state}, not dismissed: only a dismissed case is reopened."


def after_reopen(state: CaseState) -> CaseState:
    """The case's state once /reopen reopens it (`reopen_refusal` said it may)."""
    return TRANSITIONS[state][Event.REOPEN]


def correction_refusal(
    case_id: int,
    state: CaseState,
    latest: Outcome | None,
    restored: bool,
    wanted: Outcome,
) -> str | None:
    """Why /correct cannot change the outcome of the case's latest round (`latest`: its
    outcome, None when open or when the case has no round), or None when it can."""
    if latest is None:
        return f"#{case_id} has no decided round to correct (state: {state})."
    if latest is Outcome.WITHDRAWN or after(state, Event.CORRECT) is None or restored:
        return (
            f"#{case_id} is {state}: only the outcome that made a case actioned or refused "
            "can be corrected."
        )
    if not is_platform_answer(wanted):
        return f"{wanted} is not an outcome a platform gives."
    if wanted is latest:
        return f"The latest round of #{case_id} is already {latest}."
    return None


def after_correction(state: CaseState, outcome: Outcome) -> CaseState:
    """The case's state once its latest round's outcome is corrected to `outcome`
    (`correction_refusal` said it may): as if the round had been decided so."""
    assert after(state, Event.CORRECT) is not None
    return after_outcome(CaseState.REQUESTED, outcome)
