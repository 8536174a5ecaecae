"""Issue 7 end to end: a flag that looks like a removed account, /status links, /comebacks."""

from __future__ import annotations

import datetime as dt

from tests.clock import ManualClock
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, START, flag_reply, running_bot

VIEWER = 202


async def remove(api: FakeBotApi, case_id: int) -> None:
    await api.ask(ADMIN, f"/request #{case_id}")
    [done] = await api.ask(ADMIN, f"/outcome #{case_id} removed")
    assert "removed" in done.plain, done.plain


async def test_flag_of_a_recreated_account_says_comeback_and_status_links_both(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        original, _ = await flag_reply(fake_api, "instagram.com/ttp_media TTP propaganda")
        await remove(fake_api, original)
        clock.advance(dt.timedelta(days=3))

        comeback, reply = await flag_reply(fake_api, "instagram.com/ttp.media.official TTP")
        assert f"looks like a comeback of #{original} (removed 2026-11-02)" in reply

        near, near_reply = await flag_reply(fake_api, "instagram.com/tlp_media TTP")
        assert "comeback" not in near_reply

        [card] = await fake_api.ask(ADMIN, f"/status #{comeback}")
        assert f"Comeback: looks like a comeback of #{original} (removed 2026-11-02)" in card.plain
        [card] = await fake_api.ask(ADMIN, f"/status #{original}")
        assert f"Comeback: #{comeback} ttp.media.official looks like this account" in card.plain

        # flagging the same account again does not link it twice
        _, again = await flag_reply(fake_api, "instagram.com/ttp.media.official TTP")
        assert again.count("looks like a comeback") == 1


async def test_comebacks_lists_open_cases_flagged_before_the_removal(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await fake_api.ask(ADMIN, f"/grant {VIEWER} viewer")
        early, reply = await flag_reply(fake_api, "t.me/sangar_tv BLF")  # nothing removed yet
        assert "comeback" not in reply
        original, _ = await flag_reply(fake_api, "t.me/sangar_news BLF")
        other, _ = await flag_reply(fake_api, "x.com/hakkal_tv BLA")
        x_original, _ = await flag_reply(fake_api, "x.com/hakkal BLA")
        await remove(fake_api, original)
        await remove(fake_api, x_original)

        [listed] = await fake_api.ask(VIEWER, "/comebacks")
        assert listed.plain.startswith("Comebacks: 2")
        assert f"#{early} Telegram sangar_tv ← #{original} sangar_news (removed" in listed.plain
        assert f"#{other} X hakkal_tv ← #{x_original} hakkal (removed" in listed.plain

        [only_tg] = await fake_api.ask(VIEWER, "/comebacks tg")
        assert only_tg.plain.startswith("Comebacks on Telegram: 1")
        assert "hakkal" not in only_tg.plain

        [none] = await fake_api.ask(VIEWER, "/comebacks tiktok")
        assert none.plain == "No open case on TikTok looks like an actioned account."

        [bad] = await fake_api.ask(VIEWER, "/comebacks myspace")
        assert bad.plain.startswith("Unknown platform 'myspace'")
        assert "Usage: /comebacks [platform]" in bad.plain


async def test_digest_lists_the_comebacks_of_the_last_24_hours(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        original, _ = await flag_reply(fake_api, "x.com/ttp_media TTP")
        await remove(fake_api, original)
        old, _ = await flag_reply(fake_api, "x.com/ttp_media2 TTP")
        clock.advance(dt.timedelta(days=2))
        new, _ = await flag_reply(fake_api, "x.com/ttp_media_tv TTP")
        clock.advance(dt.timedelta(hours=1))

        sent = await fake_api.ask(ADMIN, "/digest", expect=2)
        [digest] = [message for message in sent if message.method == "sendMessage"]
        assert "Comebacks (last 24 h): 1" in digest.plain
        assert f"#{new} X ttp_media_tv ← #{original} ttp_media (removed 2026-11-02)" in (
            digest.plain
        )
        assert f"#{old} " not in digest.plain.split("Comebacks (last 24 h)")[1]


async def test_the_same_handle_on_another_platform_is_a_comeback_named_as_such(fake_api, tmp_path):
    """Issue 17: tiktok:@umar_media_ttp after x:@umar_media_ttp was removed; the packet to
    TikTok names the removed X account and the reference it was removed under."""
    async with running_bot(fake_api, tmp_path / "t.db", evidence_dir=tmp_path / "ev"):
        original, _ = await flag_reply(fake_api, "x.com/umar_media_ttp TTP propaganda")
        await fake_api.ask(ADMIN, f"/request #{original} ref=X-777")
        await fake_api.ask(ADMIN, f"/outcome #{original} removed")
        comeback, reply = await flag_reply(fake_api, "tiktok.com/@umar_media_ttp TTP")
        other, other_reply = await flag_reply(fake_api, "tiktok.com/@umar_media_tp TTP")
        [listed] = await fake_api.ask(ADMIN, "/comebacks tiktok")
        _, letter = await fake_api.ask(ADMIN, "/packet tiktok", expect=2)
    assert (
        f"#{comeback} looks like a comeback of #{original} x:@umar_media_ttp on X, another "
        "platform (removed 2026-11-02)"
    ) in reply
    assert "comeback" not in other_reply and other != comeback  # no typo match across
    assert f"← #{original} umar_media_ttp x:@umar_media_ttp on X, another platform" in listed.plain
    assert letter.document is not None
    assert (
        "   Re-creates the account https://x.com/umar_media_ttp (X), removed on 2026-11-02 "
        "under reference X-777"
    ) in letter.document.decode()
