"""The case state rules of issue 13 (PRODUCT.md "States of a case"), pure, in one place:
reopening, what an outcome or a correction does to a case, what a correction may change.

To be folded into bot/domain/states.py (issue 8) when that module lands.
"""

from __future__ import annotations

from bot.domain import CaseState, Outcome

# Only a dismissed case is reopened, and only by /reopen (never by /flag or /import).
REOPENABLE = frozenset({CaseState.DISMISSED})
# A correction changes the outcome that put the case where it is; a case that moved on since
# (restored, requested again, dismissed) has a newer fact to correct first.
CORRECTABLE = frozenset({CaseState.ACTIONED, CaseState.REFUSED})


def state_after_outcome(before: CaseState, outcome: Outcome) -> CaseState:
    """The state a recorded (or corrected) outcome leaves the case in; a dismissed case stays
    dismissed."""
    if before is CaseState.DISMISSED:
        return before
    return CaseState.ACTIONED if outcome.is_action else CaseState.REFUSED


def reopen_refusal(case_id: int, state: CaseState) -> str | None:
    """Why /reopen cannot reopen the case, or None when it can."""
    if state in REOPENABLE:
        return None
    return f"#{case_id} is {state}, not dismissed: only a dismissed case is reopened."


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
    if latest is Outcome.WITHDRAWN or state not in CORRECTABLE or restored:
        return (
            f"#{case_id} is {state}: only the outcome that made a case actioned or refused "
            "can be corrected."
        )
    if not wanted.is_platform_answer:
        return f"{wanted} is not an outcome a platform gives."
    if wanted is latest:
        return f"The latest round of #{case_id} is already {latest}."
    return None
