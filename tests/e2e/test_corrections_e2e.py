"""Issue 13 end to end: /correct, /note, /edit, /reopen, and /dismiss withdrawing an open round,
with the figures that follow them and the figures as of before them."""

from __future__ import annotations

import datetime as dt

from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, START, flag, running_bot

REVIEWER = 201
REPORTER = 203
VIEWER = 202
H = dt.timedelta(hours=1)


async def members(api: FakeBotApi) -> None:
    await api.ask(ADMIN, f"/grant {REVIEWER} reviewer")
    await api.ask(ADMIN, f"/grant {REPORTER} reporter")
    await api.ask(ADMIN, f"/grant {VIEWER} viewer")


def x_row(stats: str) -> list[str]:
    [row] = [line for line in stats.split("\n") if line.startswith("X ")]
    return row.split()


async def test_correct_changes_the_latest_outcome_and_figures_follow_but_not_the_past(
    fake_api, tmp_path
):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        await members(fake_api)
        a = await flag(fake_api, "x.com/aaa_bbb TTP followers=100")
        [sent] = await fake_api.ask(REVIEWER, f"/request #{a} ref=X-1")
        clock.advance(2 * H)
        await fake_api.press(REVIEWER, sent, sent.button("Rejected"))  # a mis-tap
        clock.advance(H)
        [stats] = await fake_api.ask(VIEWER, "/stats")
        assert x_row(stats.plain)[1:4] == ["1", "0", "1"]  # sent, actioned, rejected

        clock.advance(H)
        [viewer] = await fake_api.ask(VIEWER, f"/correct #{a} removed mis-tapped")
        assert "needs the reviewer role" in viewer.plain
        [same] = await fake_api.ask(REVIEWER, f"/correct #{a} rejected again")
        assert same.plain == f"The latest round of #{a} is already rejected."
        [bad] = await fake_api.ask(REVIEWER, f"/correct #{a} restored mis-tapped")
        assert "Unknown outcome 'restored'" in bad.plain and "Usage: /correct" in bad.plain
        [why] = await fake_api.ask(REVIEWER, f"/correct #{a} removed")
        assert "Give the reason" in why.plain
        [done] = await fake_api.ask(REVIEWER, f"/correct #{a} removed mis-tapped the button")
        assert done.plain.startswith(
            f"#{a} round 1 x:@aaa_bbb: corrected from rejected to removed (refused → actioned)"
        )

        [stats] = await fake_api.ask(VIEWER, "/stats")
        assert x_row(stats.plain)[1:4] == ["1", "1", "0"]
        assert "100% of 1" in stats.plain and "2.0 h" in stats.plain  # decided 2 h after
        assert "Reach removed: 100 followers" in stats.plain
        # as of before the correction: the outcome recorded by then
        [before] = await fake_api.ask(VIEWER, "/stats asof=2026-11-02T14:00")
        assert x_row(before.plain)[1:4] == ["1", "0", "1"]
        assert "Figures as of 2026-11-02 14:00" in before.plain

        [card] = await fake_api.ask(VIEWER, f"/status #{a}")
        assert "State: actioned" in card.plain
        assert "correct rejected → removed: round 1: mis-tapped the button" in card.plain
        [private] = await fake_api.ask(REVIEWER, f"/status #{a}")  # who, for a reviewer
        assert "correct by User (201) rejected → removed: round 1: mis-tapped" in private.plain
        [audit] = await fake_api.ask(ADMIN, f"/audit #{a}")
        assert "correct" in audit.plain and "rejected → removed" in audit.plain

        # /edit: before/after audited; the followers at action stay as they were
        [edited] = await fake_api.ask(REVIEWER, f"/edit #{a} followers=250 group=bla category=hate")
        assert edited.plain.split("\n") == [
            f"Case #{a} x:@aaa_bbb edited:",
            "group: TTP → BLA",
            "category: other → hate",
            "followers: 100 → 250",
            "Rounds already actioned keep the followers the account had then.",
        ]
        [stats] = await fake_api.ask(VIEWER, "/stats by group")
        assert "Reach removed: 100 followers" in stats.plain and "\nBLA " in stats.plain
        [card] = await fake_api.ask(VIEWER, f"/status #{a}")
        assert "Group: BLA · Category: hate" in card.plain
        assert "Followers (last known): 250" in card.plain
        assert "edit 100 → 250: followers" in card.plain
        [nothing] = await fake_api.ask(REVIEWER, f"/edit #{a} followers=250")
        assert "nothing to change" in nothing.plain
        [unknown] = await fake_api.ask(REVIEWER, f"/edit #{a} colour=red")
        assert "is not group=, category= or followers=" in unknown.plain
        [group] = await fake_api.ask(REVIEWER, f"/edit #{a} group=ISIS")
        assert "Unknown group 'ISIS'" in group.plain and "Usage: /edit" in group.plain
        [missing] = await fake_api.ask(REVIEWER, "/edit #99 followers=1")
        assert missing.plain == "There is no case #99."

        # a restored account's outcome is no longer correctable
        await fake_api.ask(REVIEWER, f"/outcome #{a} restored")
        [late] = await fake_api.ask(REVIEWER, f"/correct #{a} rejected oops")
        assert "only the outcome that made a case actioned or refused" in late.plain


async def test_note_is_dated_on_the_card_and_audited(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await members(fake_api)
        a = await flag(fake_api, "t.me/some_channel TTP")
        [added] = await fake_api.ask(REPORTER, f"/note #{a} posts  recruiting\nvideos daily")
        assert (
            added.plain
            == f"Note added to case #{a} telegram:@some_channel: posts recruiting videos daily"
        )
        [viewer] = await fake_api.ask(VIEWER, f"/note #{a} hello")
        assert "needs the reporter role" in viewer.plain
        [empty] = await fake_api.ask(REPORTER, f"/note #{a}")
        assert "Give the note after the case number." in empty.plain
        assert "Usage: /note <#id> <text>" in empty.plain
        [missing] = await fake_api.ask(REPORTER, "/note #77 hi")
        assert missing.plain == "There is no case #77."
        [card] = await fake_api.ask(VIEWER, f"/status #{a}")
        assert "Notes\n• 2026-11-02 11:00: posts recruiting videos daily" in card.plain
        [private] = await fake_api.ask(ADMIN, f"/status #{a}")
        assert (
            "Notes\n• 2026-11-02 11:00 by User (203): posts recruiting videos daily"
            in private.plain
        )
        [audit] = await fake_api.ask(ADMIN, f"/audit #{a}")
        assert "User (203) note" in audit.plain


async def test_dismiss_withdraws_the_open_round_and_only_reopen_reopens(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock, sla_hours=72):
        await members(fake_api)
        b = await flag(fake_api, "x.com/fake_news_pk BLA looks like a news site")
        c = await flag(fake_api, "x.com/ccc_ddd TTP")
        await fake_api.ask(REVIEWER, f"/request #{b} #{c}")
        clock.advance(H)
        [dismissed] = await fake_api.ask(REVIEWER, f"/dismiss #{b} legitimate outlet")
        assert "Request round 1 is withdrawn" in dismissed.plain
        clock.advance(80 * H)  # past the SLA: c is overdue, b's round is not chased
        [pending] = await fake_api.ask(VIEWER, "/pending")
        assert f"#{c}" in pending.plain and f"#{b}" not in pending.plain
        assert pending.plain.startswith("Open requests: 1, 1 overdue")
        [stats] = await fake_api.ask(VIEWER, "/stats")
        # sent 2, actioned 0, rejected 0, expired 1, pending 0, withdrawn 1; 0% of 1
        assert x_row(stats.plain)[1:7] == ["2", "0", "0", "1", "0", "1"]
        assert "0% of 1" in stats.plain

        [not_dismissed] = await fake_api.ask(REVIEWER, f"/reopen #{c} why")
        assert (
            not_dismissed.plain
            == f"#{c} is requested, not dismissed: only a dismissed case is reopened."
        )
        [no_reason] = await fake_api.ask(REVIEWER, f"/reopen #{b}")
        assert "Give the reason" in no_reason.plain and "Usage: /reopen" in no_reason.plain
        [reporter] = await fake_api.ask(REPORTER, f"/reopen #{b} new posts")
        assert "needs the reviewer role" in reporter.plain
        [again] = await fake_api.ask(REVIEWER, f"/reopen #{b} new posts since Monday")
        assert again.plain == (
            f"Case #{b} x:@fake_news_pk reopened (dismissed → flagged): new posts since Monday"
        )
        [card] = await fake_api.ask(VIEWER, f"/status #{b}")
        assert "State: flagged" in card.plain and "withdrawn" in card.plain
        assert "reopen: new posts since Monday" in card.plain
        [round_two] = await fake_api.ask(REVIEWER, f"/request #{b}")
        assert f"#{b} round 2" in round_two.plain
        [help_text] = await fake_api.ask(VIEWER, "/help reopen")
        assert "/reopen" in help_text.plain
