"""bot.domain.flood: 30 commands a minute, told once."""

import datetime as dt

from bot.domain.flood import FloodLimit, Verdict

T0 = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


def test_the_31st_command_of_a_minute_is_told_once_then_ignored_until_the_minute_passes():
    limit = FloodLimit()
    verdicts = [limit.check(1, T0 + dt.timedelta(milliseconds=5 * n)) for n in range(40)]
    assert verdicts[:30] == [Verdict.SERVE] * 30
    assert verdicts[30] is Verdict.TELL and set(verdicts[31:]) == {Verdict.IGNORE}
    assert limit.check(1, T0 + dt.timedelta(seconds=59)) is Verdict.IGNORE
    assert limit.check(1, T0 + dt.timedelta(seconds=60)) is Verdict.SERVE


def test_each_member_has_their_own_minute():
    limit = FloodLimit(per_minute=2)
    assert [limit.check(1, T0) for _ in range(3)][-1] is Verdict.TELL
    assert limit.check(2, T0) is Verdict.SERVE


def test_told_again_after_being_served_again():
    limit = FloodLimit(per_minute=1)
    assert limit.check(1, T0) is Verdict.SERVE
    assert limit.check(1, T0) is Verdict.TELL
    later = T0 + dt.timedelta(minutes=1)
    assert limit.check(1, later) is Verdict.SERVE
    assert limit.check(1, later) is Verdict.TELL


def test_idle_members_are_forgotten():
    limit = FloodLimit()
    for user in range(100):
        limit.check(user, T0)
    limit.forget_idle(T0 + dt.timedelta(minutes=2))
    assert limit._members == {}
