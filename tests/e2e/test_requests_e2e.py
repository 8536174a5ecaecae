"""Issue 4 end to end: /request, the outcome buttons, /outcome, escalation, restored, /pending."""

from __future__ import annotations

import datetime as dt

from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, START, flag, running_bot

REVIEWER = 201
VIEWER = 202


async def members(api: FakeBotApi) -> None:
    await api.ask(ADMIN, f"/grant {REVIEWER} reviewer")
    await api.ask(ADMIN, f"/grant {VIEWER} viewer")


async def audit_count(api: FakeBotApi, case_id: int) -> int:
    [audit] = await api.ask(ADMIN, f"/audit #{case_id}")
    return len([line for line in audit.plain.split("\n")[1:] if line.strip()])


async def test_request_then_button_press_records_outcome_and_status_shows_it(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await members(fake_api)
        a = await flag(fake_api, "x.com/alpha_one TTP")
        b = await flag(fake_api, "t.me/bravo_chan TTP")
        [sent] = await fake_api.ask(REVIEWER, f"/request #{a} ref=FB-123 {b}")
        assert "Removal requests sent (ref FB-123)" in sent.plain
        assert f"#{a} round 1 · x:@alpha_one · sent 2026-11-02 11:00" in sent.plain
        assert f"#{b} round 1 · telegram:@bravo_chan" in sent.plain
        assert len(sent.buttons) == 2
        assert sent.callback_data[0] == f"o:{a}:1:removed"

        # a viewer's press is refused with an alert and writes nothing
        before = await audit_count(fake_api, a)
        refused = await fake_api.press(
            VIEWER, sent, sent.button(f"#{a} Removed"), expect_edit=False
        )
        assert refused.answer.get("show_alert") is True
        assert "needs the reviewer role" in refused.answer["text"]
        assert await audit_count(fake_api, a) == before

        pressed = await fake_api.press(REVIEWER, sent, sent.button(f"#{a} Removed"))
        assert pressed.answer["text"] == f"Recorded: #{a} round 1 removed."
        assert pressed.edit is not None
        assert f"#{a} round 1 · x:@alpha_one · sent 2026-11-02 11:00 → removed after 0.0 h" in (
            pressed.edit.plain
        )
        assert pressed.edit.callback_data == [
            f"o:{b}:1:{word}" for word in ("removed", "restricted", "rejected", "no_response")
        ]

        [card] = await fake_api.ask(VIEWER, f"/status #{a}")
        assert "State: actioned" in card.plain
        assert "Round 1: sent 2026-11-02 11:00 ref FB-123 · removed" in card.plain

        # /outcome for b, then a press of b's (now stale) button: already recorded, no write
        [done] = await fake_api.ask(REVIEWER, f"/outcome #{b} rejected they say no violation")
        assert f"#{b} round 1 telegram:@bravo_chan: rejected after 0.0 h (requested → refused)" in (
            done.plain
        )
        assert "Note: they say no violation" in done.plain
        assert f"/request #{b} again (round 2)" in done.plain
        before = await audit_count(fake_api, b)
        stale = await fake_api.press(REVIEWER, pressed.edit, f"o:{b}:1:removed")
        assert stale.answer["text"] == f"Already recorded: #{b} round 1 is rejected."
        assert await audit_count(fake_api, b) == before
        assert stale.edit is not None and stale.edit.buttons == []
        assert "All outcomes recorded." in stale.edit.plain
        [card] = await fake_api.ask(VIEWER, f"/status #{b}")
        assert "State: refused" in card.plain


async def test_two_presses_at_once_record_one_outcome(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await members(fake_api)
        a = await flag(fake_api, "x.com/alpha_one TTP")
        [sent] = await fake_api.ask(REVIEWER, f"/request #{a}")
        mark = len(fake_api.callback_answers)
        fake_api.push_callback(REVIEWER, sent, f"o:{a}:1:removed")
        fake_api.push_callback(ADMIN, sent, f"o:{a}:1:rejected")

        def two_answers() -> list[str] | None:
            answers = fake_api.callback_answers[mark:]
            return [str(x.get("text")) for x in answers] if len(answers) == 2 else None

        texts = await fake_api._wait_until(two_answers, 10, "two answers")
        assert sum(text.startswith("Recorded:") for text in texts) == 1
        assert sum(text.startswith("Already recorded:") for text in texts) == 1
        [audit] = await fake_api.ask(ADMIN, f"/audit #{a}")
        assert audit.plain.count(" outcome ") == 1


async def test_request_refuses_dismissed_actioned_open_and_unknown_cases_one_by_one(
    fake_api, tmp_path
):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await members(fake_api)
        ok = await flag(fake_api, "x.com/fine TTP")
        gone = await flag(fake_api, "x.com/mistake TTP")
        done = await flag(fake_api, "x.com/done TTP")
        await fake_api.ask(REVIEWER, f"/dismiss #{gone} parody account")
        await fake_api.ask(REVIEWER, f"/request #{done}")
        await fake_api.ask(REVIEWER, f"/outcome #{done} restricted")
        replies = await fake_api.ask(
            REVIEWER, f"/request #{ok} #{gone} #{done} #{ok} 999", expect=2
        )
        assert f"#{ok} round 1" in replies[0].plain and len(replies[0].buttons) == 1
        assert replies[1].plain.split("\n") == [
            "Not requested:",
            f"#{gone}: dismissed",
            f"#{done}: already actioned",
            "#999: no such case",
        ]
        [again] = await fake_api.ask(REVIEWER, f"/request #{ok}")
        assert again.plain.startswith("Nothing recorded:")
        assert f"#{ok}: round 1 is still open" in again.plain
        [viewer] = await fake_api.ask(VIEWER, f"/request #{ok}")
        assert "needs the reviewer role" in viewer.plain
        [usage] = await fake_api.ask(REVIEWER, "/request ref=X")
        assert "Give at least one case number." in usage.plain
        assert "Usage: /request <#id>... [ref=WORD]" in usage.plain


async def test_rejected_then_escalation_round_two_then_removed(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        await members(fake_api)
        a = await flag(fake_api, "instagram.com/recruiter_x TTP")
        [first] = await fake_api.ask(REVIEWER, f"/request #{a} ref=IG-1")
        clock.advance(dt.timedelta(hours=30))
        pressed = await fake_api.press(REVIEWER, first, first.button("Rejected"))
        assert pressed.answer["text"] == f"Recorded: #{a} round 1 rejected."
        clock.advance(dt.timedelta(hours=2))
        [second] = await fake_api.ask(REVIEWER, f"/request ref=IG-2-escalated #{a}")
        assert f"#{a} round 2 · instagram:@recruiter_x" in second.plain
        assert second.callback_data[0] == f"o:{a}:2:removed"
        clock.advance(dt.timedelta(hours=5))
        done = await fake_api.press(REVIEWER, second, second.button("Removed"))
        assert done.edit is not None and "→ removed after 5.0 h" in done.edit.plain
        [card] = await fake_api.ask(VIEWER, f"/status #{a}")
        text = card.plain
        assert "State: actioned" in text
        assert (
            "Round 1: sent 2026-11-02 11:00 ref IG-1 · rejected 2026-11-03 17:00 (after 30 h)"
            in text
        )
        assert "Round 2: sent 2026-11-03 19:00 ref IG-2-escalated · removed" in text
        assert "(after 5.0 h)" in text


async def test_restored_reopens_an_actioned_case(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        await members(fake_api)
        a = await flag(fake_api, "tiktok.com/@propaganda_tt TTP")
        [refused] = await fake_api.ask(REVIEWER, f"/outcome #{a} removed")
        assert refused.plain == (
            f"#{a} has no open request round (state: flagged); send /request #{a} first."
        )
        [not_actioned] = await fake_api.ask(REVIEWER, f"/outcome #{a} restored")
        assert "not actioned" in not_actioned.plain
        await fake_api.ask(REVIEWER, f"/request #{a}")
        await fake_api.ask(REVIEWER, f"/outcome #{a} removed")
        clock.advance(dt.timedelta(days=10))
        [back] = await fake_api.ask(REVIEWER, f"/outcome #{a} restored new videos since Monday")
        assert "restored: the account is back, the case is reopened (actioned → flagged)" in (
            back.plain
        )
        [card] = await fake_api.ask(VIEWER, f"/status #{a}")
        assert "State: flagged" in card.plain
        assert "restored 2026-11-12 11:00" in card.plain
        [audit] = await fake_api.ask(ADMIN, f"/audit #{a}")
        assert "restored" in audit.plain and "actioned → flagged" in audit.plain
        [again] = await fake_api.ask(REVIEWER, f"/request #{a}")
        assert f"#{a} round 2" in again.plain
        [usage] = await fake_api.ask(REVIEWER, f"/outcome #{a} deleted")
        assert "Unknown outcome 'deleted'" in usage.plain and "Usage: /outcome" in usage.plain


async def test_overdue_round_appears_in_pending_when_the_clock_moves(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock, sla_hours=72):
        await members(fake_api)
        [empty] = await fake_api.ask(VIEWER, "/pending")
        assert empty.plain == "No open requests."
        old = await flag(fake_api, "x.com/old_one TTP")
        fb = await flag(fake_api, "facebook.com/page.one TTP")
        await fake_api.ask(REVIEWER, f"/request #{old} ref=X-1")
        clock.advance(dt.timedelta(hours=10))
        await fake_api.ask(REVIEWER, f"/request #{fb}")
        [listing] = await fake_api.ask(VIEWER, "/pending")
        assert listing.plain.split("\n") == [
            "Open requests: 2, 0 overdue (SLA 72 h)",
            f"#{old} x:@old_one · round 1 · 10 h · ref X-1",
            f"#{fb} facebook:page.one · round 1 · 0.0 h",
        ]
        clock.advance(dt.timedelta(hours=63))
        [listing] = await fake_api.ask(VIEWER, "/pending")
        assert listing.plain.split("\n") == [
            "Open requests: 2, 1 overdue (SLA 72 h)",
            f"#{old} x:@old_one · round 1 · 73 h · OVERDUE · ref X-1",
            f"#{fb} facebook:page.one · round 1 · 63 h",
        ]
        [only] = await fake_api.ask(VIEWER, "/pending overdue")
        assert only.plain.split("\n")[1:] == [
            f"#{old} x:@old_one · round 1 · 73 h · OVERDUE · ref X-1"
        ]
        [fb_only] = await fake_api.ask(VIEWER, "/pending facebook")
        assert fb_only.plain.split("\n")[0] == "Open requests (Facebook): 1, 0 overdue (SLA 72 h)"
        [bad] = await fake_api.ask(VIEWER, "/pending soon")
        assert "Unexpected 'soon'" in bad.plain and "Usage: /pending" in bad.plain
        # reading never wrote a state: the overdue case is still "requested"
        [card] = await fake_api.ask(VIEWER, f"/status #{old}")
        assert "State: requested" in card.plain
