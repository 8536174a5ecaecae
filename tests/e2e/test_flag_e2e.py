"""Issue 3 end to end: /flag, /status, /find, /dismiss through the real Application and the
fake Bot API (which parses our HTML like Telegram does)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, running_bot, stored

ALI, SARA, REVIEWER, VIEWER = 201, 202, 301, 401


async def members(api: FakeBotApi) -> None:
    for user_id, role in ((ALI, "reporter"), (SARA, "reporter"), (REVIEWER, "reviewer"),
                          (VIEWER, "viewer")):  # fmt: skip
        [answer] = await api.ask(ADMIN, f"/grant {user_id} {role}")
        assert "is now" in answer.plain


def table_counts(db: Path) -> tuple[int, int, int]:
    [counts] = stored(
        db,
        "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM reports),"
        " (SELECT count(*) FROM evidence)",
    )
    return counts


async def test_two_members_flag_two_urls_of_one_account(fake_api: FakeBotApi, tmp_path: Path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await members(fake_api)
        [first] = await fake_api.ask(ALI, "/flag https://twitter.com/Foo?s=20 TTP followers=12.5k")
        assert "New case #1" in first.plain and "1 report" in first.plain
        [second] = await fake_api.ask(SARA, "/flag x.com/foo ttp hate recruits openly")
        assert "#1" in second.plain and "2 reports" in second.plain
        assert "category stays other" in second.plain
        [again] = await fake_api.ask(SARA, "/flag x.com/FOO TTP")
        assert "already reported" in again.plain and "2 reports" in again.plain
        [card] = await fake_api.ask(VIEWER, "/status x:@foo")
        text = card.plain
        assert "Case #1" in text and "X x:@foo" in text
        assert '<a href="https://x.com/foo">' in card.text  # type: ignore[operator]
        assert "Reports: 2" in text and str(ALI) not in text  # who: reviewers+ in private
        assert "Followers (last known): 12,500" in text
        assert "recruits openly" in text
        assert "State: flagged" in text and "Requests: none sent yet" in text
        [by_id] = await fake_api.ask(VIEWER, "/status #1")
        assert by_id.plain == text
        [for_reviewer] = await fake_api.ask(REVIEWER, "/status #1")
        assert f"by User ({ALI}), User ({SARA})" in for_reviewer.plain
        [unknown] = await fake_api.ask(VIEWER, "/status t.me/never_seen")
        assert "telegram:@never_seen is not flagged" in unknown.plain
        [missing] = await fake_api.ask(VIEWER, "/status 99")
        assert "no case #99" in missing.plain
    assert table_counts(db) == (1, 2, 0)


async def test_bad_input_gets_a_reason_and_writes_nothing(fake_api: FakeBotApi, tmp_path: Path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await members(fake_api)
        cases = [
            ("/flag https://example.org/foo TTP", "Unknown site"),
            ("/flag x.com/home TTP", "reserved"),
            ("/flag x.com/foo ISIS", "Unknown group 'ISIS'"),
            ("/flag x.com/foo TTP followers=lots", "followers=lots is not a number"),
            ("/flag x.com/foo", "Give the account and the group"),
            ("/flag x.com/foo TTP " + "n" * 4001, "4,001 characters"),
        ]
        for command, reason in cases:
            [answer] = await fake_api.ask(ALI, command)
            assert reason in answer.plain, answer.plain
            assert "Usage: /flag <account>... <group>" in answer.plain
        [viewer] = await fake_api.ask(VIEWER, "/flag x.com/foo TTP")
        assert "needs the reporter role" in viewer.plain
    assert table_counts(db) == (0, 0, 0)


async def test_reply_to_a_forwarded_post_keeps_it_as_evidence(fake_api: FakeBotApi, tmp_path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await members(fake_api)
        post = {  # a forwarded post the member received earlier (not sent to the bot)
            "message_id": 5000,
            "date": 1_700_000_100,
            "chat": {"id": ALI, "type": "private", "first_name": "Ali"},
            "from": {"id": ALI, "is_bot": False, "first_name": "Ali"},
            "caption": "Join us <b>now</b>",
            "forward_origin": {
                "type": "channel",
                "date": 1_700_000_000,
                "chat": {"id": -1001, "type": "channel", "title": "Bad", "username": "badch"},
                "message_id": 77,
            },
            "photo": [
                {"file_id": "small", "file_unique_id": "s", "width": 1, "height": 1},
                {"file_id": "large", "file_unique_id": "l", "width": 9, "height": 9},
            ],
        }
        [answer] = await fake_api.ask(ALI, "/flag t.me/badch TTP", reply_to_message=post)
        assert "kept as evidence" in answer.plain
        [card] = await fake_api.ask(ALI, "/status t.me/badch")
        assert "Evidence: 1" in card.plain
        assert "photo from channel @badch (-1001), post 77" in card.plain
        assert "Join us <b>now</b>" in card.plain  # shown literally
    [row] = stored(db, "SELECT file_id, file_kind, text FROM evidence")
    assert row == ("large", "photo", "Join us <b>now</b>")


async def test_hostile_and_non_latin_text_is_stored_and_shown_literally(
    fake_api: FakeBotApi, tmp_path: Path
):
    db = tmp_path / "t.db"
    note = "یہ اکاؤنٹ بھرتی کرتا ہے '; DROP TABLE cases; -- <i>x</i> **bold** & <script>"
    long_note = "ک" * 4000
    async with running_bot(fake_api, db):
        await members(fake_api)
        await fake_api.ask(ALI, f"/flag instagram.com/bad_guy BLA {note}")
        [card] = await fake_api.ask(ALI, "/status instagram:@bad_guy")
        assert note in card.plain
        [found] = await fake_api.ask(ALI, "/find DROP TABLE")
        assert "instagram:@bad_guy" in found.plain
        [answer] = await fake_api.ask(SARA, f"/flag instagram.com/bad_guy BLA {long_note}")
        assert "2 reports" in answer.plain
    notes = [row[0] for row in stored(db, "SELECT note FROM reports ORDER BY id")]
    assert notes == [note, long_note]


async def test_find_newest_first_and_capped_at_20(fake_api: FakeBotApi, tmp_path: Path):
    async with running_bot(fake_api, tmp_path / "t.db") as app:
        await members(fake_api)
        clock = app.bot_data["deps"].clock
        for n in range(22):
            clock.advance(dt.timedelta(minutes=1))
            await fake_api.ask(ALI, f"/flag x.com/spread{n:02d} TTP")
        [found] = await fake_api.ask(VIEWER, "/find spread")
        lines = found.plain.splitlines()
        assert "22 cases match" in lines[0] and "newest first" in lines[0]
        assert lines[1].startswith("#22 x:@spread21") and len(lines) == 22
        assert lines[-1] == "Shown: 1-20 of 22. Next page: /find spread page=2"
        [rest] = await fake_api.ask(VIEWER, "/find spread page=2")
        *cases, footer = rest.plain.splitlines()[1:]
        assert [line.split()[0] for line in cases] == ["#2", "#1"]
        assert footer == "Shown: 21-22 of 22."
        [none] = await fake_api.ask(VIEWER, "/find nothing_like_this")
        assert "No cases match" in none.plain
        [usage] = await fake_api.ask(VIEWER, "/find")
        assert "Usage: /find" in usage.plain


async def test_dismiss_then_flag_again_keeps_it_dismissed_until_reopen(
    fake_api: FakeBotApi, tmp_path
):
    # PRODUCT.md: a /flag does not reopen a dismissed case; the reply says who dismissed it,
    # when and why, and a reviewer /reopens it (before issue 12 the /flag reopened it).
    async with running_bot(fake_api, tmp_path / "t.db"):
        await members(fake_api)
        await fake_api.ask(ALI, "/flag tiktok.com/@funny_guy BLF")
        [refused] = await fake_api.ask(ALI, "/dismiss #1 parody")
        assert "needs the reviewer role" in refused.plain
        [no_reason] = await fake_api.ask(REVIEWER, "/dismiss #1")
        assert "Give the reason" in no_reason.plain and "Usage: /dismiss" in no_reason.plain
        [done] = await fake_api.ask(REVIEWER, "/dismiss #1 parody <account>")
        assert "dismissed (was flagged): parody <account>" in done.plain
        [twice] = await fake_api.ask(REVIEWER, "/dismiss 1 again")
        assert "already dismissed" in twice.plain
        [card] = await fake_api.ask(VIEWER, "/status 1")
        assert "State: dismissed" in card.plain and "Dismissed: parody <account>" in card.plain
        [again] = await fake_api.ask(SARA, "/flag tiktok.com/@Funny_Guy BLF")
        assert "2 reports" in again.plain
        # who dismissed it: reviewers and admins in a private chat only (PRODUCT.md)
        assert (
            "This case was dismissed on 2026-11-02 11:00: parody <account>. It stays dismissed "
            "and your report is kept; a reviewer can /reopen it."
        ) in again.plain and str(REVIEWER) not in again.plain
        [card] = await fake_api.ask(VIEWER, "/status 1")
        assert "State: dismissed" in card.plain and "Reports: 2" in card.plain
        assert "reopen" not in card.plain
        [reopened] = await fake_api.ask(REVIEWER, "/reopen 1 not a parody after all")
        assert "reopened (dismissed → flagged)" in reopened.plain
        [card] = await fake_api.ask(VIEWER, "/status 1")
        assert "State: flagged" in card.plain
        assert "dismiss: parody <account>" in card.plain  # who: reviewers+ in private
        assert "reopen: not a parody after all" in card.plain
        [card] = await fake_api.ask(REVIEWER, "/status 1")
        assert f"dismiss by User ({REVIEWER}): parody <account>" in card.plain
        assert f"reopen by User ({REVIEWER}): not a parody after all" in card.plain
        await fake_api.ask(REVIEWER, "/dismiss 1 parody again")
        [mine] = await fake_api.ask(REVIEWER, "/flag tiktok.com/@funny_guy BLF")
        assert (
            f"This case was dismissed by User ({REVIEWER}) on 2026-11-02 11:00: parody again."
            in (mine.plain)
        )
        [audit] = await fake_api.ask(ADMIN, "/audit #1")
        assert "flagged → dismissed" in audit.plain and "dismissed → dismissed" in audit.plain
        assert "dismissed → flagged" in audit.plain  # the /reopen, not a /flag
