"""The compliance arithmetic of bot/domain/compliance.py, on hand-made rows."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from bot.domain import Outcome, Platform
from bot.domain.compliance import (
    EMPTY,
    Figures,
    OutcomeVersion,
    Rate,
    RoundHistory,
    RoundRow,
    Status,
    as_of,
    by_group,
    by_platform,
    classify,
    figures,
    percent,
    round_half_up,
    total,
    window,
)
from bot.views.figures import format_change, format_compliance, format_median, hours

NOW = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
SLA = dt.timedelta(hours=72)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def rnd(
    sent_ago: dt.timedelta,
    outcome: Outcome | None = None,
    after: dt.timedelta = H,
    *,
    case_id: int = 1,
    platform: Platform = Platform.X,
    group: str = "TTP",
    followers: int | None = None,
    restored_ago: dt.timedelta | None = None,
) -> RoundRow:
    sent = NOW - sent_ago
    return RoundRow(
        case_id=case_id,
        platform=platform,
        group=group,
        sent_at=sent,
        outcome=outcome,
        outcome_at=None if outcome is None else sent + after,
        followers_at_action=followers,
        restored_at=None if restored_ago is None else NOW - restored_ago,
    )


def test_each_outcome_is_classified_as_product_md_says() -> None:
    assert classify(rnd(D, Outcome.REMOVED), NOW, SLA) is Status.ACTIONED
    assert classify(rnd(D, Outcome.RESTRICTED), NOW, SLA) is Status.ACTIONED
    assert classify(rnd(D, Outcome.REJECTED), NOW, SLA) is Status.REJECTED
    assert classify(rnd(D, Outcome.NO_RESPONSE), NOW, SLA) is Status.EXPIRED
    assert classify(rnd(D), NOW, SLA) is Status.PENDING


def test_no_outcome_expires_at_exactly_the_sla() -> None:
    assert classify(rnd(SLA - dt.timedelta(seconds=1)), NOW, SLA) is Status.PENDING
    assert classify(rnd(SLA), NOW, SLA) is Status.EXPIRED


def test_empty_window_is_n_a() -> None:
    fig = figures([], NOW, SLA)
    assert fig == EMPTY
    assert fig.compliance is None
    assert format_compliance(fig) == "n/a"
    assert format_median(fig) == "-"


def test_all_pending_is_n_a_but_counted_as_sent() -> None:
    fig = figures([rnd(H), rnd(2 * H, case_id=2)], NOW, SLA)
    assert (fig.sent, fig.pending, fig.decided) == (2, 2, 0)
    assert format_compliance(fig) == "n/a"


def test_percentage_rests_on_actioned_rejected_and_expired_not_pending() -> None:
    rows = [rnd(D, Outcome.REMOVED, case_id=i) for i in range(1, 45)]  # 44 actioned
    rows += [rnd(D, Outcome.REJECTED, case_id=100), rnd(D, Outcome.REJECTED, case_id=101)]
    rows += [rnd(D, Outcome.NO_RESPONSE, case_id=102), rnd(5 * D, case_id=103)]  # 2 expired
    rows += [rnd(H, case_id=104)]  # pending
    fig = figures(rows, NOW, SLA)
    assert (fig.sent, fig.actioned, fig.rejected, fig.expired, fig.pending) == (49, 44, 2, 2, 1)
    assert fig.compliance == pytest.approx(44 / 48)
    assert format_compliance(fig) == "92% of 48"


def test_percent_rounds_half_up() -> None:
    half = Figures(
        sent=8,
        actioned=1,
        rejected=7,
        expired=0,
        pending=0,
        median_seconds_to_action=None,
        reach_removed=0,
    )
    assert half.percent == 13  # 12.5 -> 13
    two_thirds = Figures(3, 2, 1, 0, 0, None, 0)
    assert format_compliance(two_thirds) == "67% of 3"


def test_median_hours_of_actioned_rounds_only_even_count_averages() -> None:
    rows = [
        rnd(D, Outcome.REMOVED, 2 * H, case_id=1),
        rnd(D, Outcome.RESTRICTED, 4 * H, case_id=2),
        rnd(D, Outcome.REMOVED, 10 * H, case_id=3),
        rnd(D, Outcome.REMOVED, 30 * H, case_id=4),
        rnd(D, Outcome.REJECTED, 1000 * H, case_id=5),
    ]
    fig = figures(rows, NOW, SLA)
    assert fig.median_hours_to_action == 7.0
    assert format_median(fig) == "7.0 h"
    assert format_median(figures(rows[:3], NOW, SLA)) == "4.0 h"


def test_reach_sums_followers_at_action_of_unrestored_rounds_unknown_sizes_apart() -> None:
    rows = [
        rnd(5 * D, Outcome.REMOVED, case_id=1, followers=900, restored_ago=3 * D),
        rnd(D, Outcome.REMOVED, case_id=1, followers=1000),  # removed again after it came back
        rnd(D, Outcome.RESTRICTED, case_id=2, followers=None),
        rnd(D, Outcome.REMOVED, case_id=4, followers=None),
        rnd(D, Outcome.REJECTED, case_id=3, followers=50_000),
    ]
    fig = figures(rows, NOW, SLA)
    assert (fig.reach_removed, fig.reach_unknown, fig.actioned) == (1000, 2, 4)
    # as of before the restoration, round 1 was still in the reach
    assert figures(rows, NOW - 4 * D, SLA).reach_removed == 1900


def test_withdrawn_round_is_sent_but_neither_pending_nor_in_the_percentage() -> None:
    rows = [rnd(D, Outcome.WITHDRAWN, case_id=1), rnd(D, Outcome.REJECTED, case_id=2)]
    fig = figures(rows, NOW, SLA)
    assert (fig.sent, fig.withdrawn, fig.pending, fig.decided) == (2, 1, 0, 1)
    assert format_compliance(fig) == "0% of 1"


def test_as_of_takes_the_version_recorded_by_then_and_restorations_by_then() -> None:
    sent = NOW - 10 * D
    history = RoundHistory(
        case_id=1,
        platform=Platform.X,
        group="TTP",
        sent_at=sent,
        versions=[
            OutcomeVersion(Outcome.REJECTED, sent + H, sent + H, None),
            OutcomeVersion(Outcome.REMOVED, sent + H, sent + 2 * D, 700),  # a correction
        ],
        restored_at=sent + 5 * D,
    )
    assert history.as_of(sent - H) is None
    assert as_of([history], sent)[0].outcome is None
    assert as_of([history], sent + D)[0].outcome is Outcome.REJECTED
    corrected = as_of([history], sent + 3 * D)[0]
    assert (corrected.outcome, corrected.outcome_at, corrected.restored_at) == (
        Outcome.REMOVED,
        sent + H,
        None,
    )
    assert as_of([history], NOW)[0].restored_at == sent + 5 * D


def test_round_sent_before_the_window_is_not_counted() -> None:
    win = window("7d", NOW)
    inside = rnd(7 * D - dt.timedelta(seconds=1), Outcome.REMOVED, case_id=1)
    edge = rnd(7 * D, Outcome.REJECTED, case_id=2)  # exactly at the start: belongs before
    before = rnd(8 * D, Outcome.REJECTED, case_id=3)
    fig = total([inside, edge, before], win, NOW, SLA)
    assert (fig.sent, fig.actioned, fig.rejected) == (1, 1, 0)
    assert total([inside, edge, before], window("all", NOW), NOW, SLA).sent == 3


def test_previous_window_touches_but_does_not_overlap() -> None:
    win = window("30d", NOW)
    prev = win.previous()
    assert prev.end == win.start and prev.start == NOW - 60 * D
    at_boundary = rnd(30 * D).sent_at
    assert prev.contains(at_boundary) and not win.contains(at_boundary)
    with pytest.raises(ValueError):
        window("all", NOW).previous()


def test_restored_round_stays_actioned_in_its_window_but_leaves_the_reach() -> None:
    # A removed account that came back: the platform did act on that request.
    row = rnd(3 * D, Outcome.REMOVED, case_id=1, followers=10, restored_ago=D)
    fig = total([row], window("7d", NOW), NOW, SLA)
    assert (fig.actioned, fig.reach_removed, format_compliance(fig)) == (1, 0, "100% of 1")


def test_breakdowns_follow_platform_order_and_group_names() -> None:
    rows = [
        rnd(D, Outcome.REMOVED, case_id=1, platform=Platform.YOUTUBE, group="BLA"),
        rnd(D, Outcome.REJECTED, case_id=2, platform=Platform.X, group="TTP"),
        rnd(D, Outcome.REMOVED, case_id=3, platform=Platform.FACEBOOK, group="BLA"),
    ]
    win = window("30d", NOW)
    assert list(by_platform(rows, win, NOW, SLA)) == [
        Platform.X,
        Platform.FACEBOOK,
        Platform.YOUTUBE,
    ]
    groups = by_group(rows, win, NOW, SLA)
    assert list(groups) == ["BLA", "TTP"]
    assert format_compliance(groups["BLA"]) == "100% of 2"


def test_change_against_previous_window_in_points_with_both_denominators() -> None:
    now = Figures(100, 31, 69, 0, 0, None, 0)
    before = Figures(100, 35, 65, 0, 0, None, 0)
    assert format_change(now, before.rate) == "31% of 100, -4 points from 35% of 100"
    assert format_change(before, now.rate) == "35% of 100, +4 points from 31% of 100"
    assert format_change(now, EMPTY.rate) == "31% of 100 (new)"
    assert format_change(now, None) == "31% of 100 (new)"
    assert format_change(EMPTY, before.rate) == "n/a"
    # the case: a change that rests on a single request before says so
    assert format_change(Figures(9, 4, 5, 0, 0, None, 0), Rate(0, 1)) == (
        "44% of 9, +44 points from 0% of 1"
    )


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (18.5 * 3600, "19 h"),  # half to even would say 18
        (17.5 * 3600, "18 h"),
        (10 * 3600 - 1, "10.0 h"),
        (540, "0.2 h"),  # 0.15 h: exact, not the binary float 0.1499...
        (180, "0.1 h"),  # 0.05 h
        (0, "0.0 h"),
    ],
)
def test_hours_are_rounded_half_up(seconds: float, shown: str) -> None:
    assert hours(seconds) == shown
    fig = Figures(1, 1, 0, 0, 0, seconds, 0)
    assert format_median(fig) == shown


def test_hours_of_whole_seconds_round_as_the_exact_rule_does() -> None:
    """The integer shortcut for whole seconds says what the exact Fraction rule says."""

    def exact(seconds: int) -> str:
        total = Fraction(seconds, 3600)
        places = 0 if total >= 10 else 1
        return f"{round_half_up(total, places):.{places}f} h"

    for seconds in [*range(0, 40_000, 7), *range(35_000, 37_000), 10**7 + 1799, 10**7 + 1800]:
        assert hours(seconds) == exact(seconds), seconds
        assert hours(dt.timedelta(seconds=seconds)) == exact(seconds), seconds
    assert hours(1800.5) == "0.5 h"  # not whole: the exact rule itself


def test_percentages_are_rounded_half_up_by_the_one_helper() -> None:
    assert percent(43, 200) == 22  # 21.5
    assert percent(37, 200) == 19  # 18.5, half to even would say 18
    assert percent(1, 3) == 33 and percent(2, 3) == 67
    assert round_half_up(Fraction(37, 2)) == 19
    assert percent(0, 0) is None


def test_unknown_window_key_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        window("14d", NOW)
