"""Issue 17: evidence that outlives the account. Content links given to /flag are kept in full,
a forwarded channel post keeps its t.me link, the replied-to message's file is downloaded
through getFile into EVIDENCE_DIR under its SHA-256 (size, type, capture time, member,
source message), a file over 20 MB or a failed download is recorded as such, a full
EVIDENCE_DIR gets one line and the flag stands, and /evidence lists it all and sends the
files again (audited). Through the real Application and the fake Bot API."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, START, running_bot, stored, tmpfs

REPORTER, VIEWER = 2001, 4001
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


async def members(api: FakeBotApi) -> None:
    for user_id, role in ((REPORTER, "reporter"), (VIEWER, "viewer")):
        [answer] = await api.ask(ADMIN, f"/grant {user_id} {role}")
        assert "is now" in answer.plain


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    return stored(db, sql)


async def test_content_links_are_kept_in_full_and_listed_by_evidence(fake_api, tmp_path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db, evidence_dir=tmp_path / "ev"):
        await members(fake_api)
        [first] = await fake_api.ask(
            REPORTER, "/flag https://x.com/Umar_Media/status/1789?s=20 TTP propaganda"
        )
        assert "New case #1" in first.plain
        assert "Content link kept: https://x.com/Umar_Media/status/1789" in first.plain
        await fake_api.ask(REPORTER, "/flag tiktok.com/@umar.media/video/7311 TTP")
        await fake_api.ask(REPORTER, "/flag instagram.com/umar_media/reel/C1aBcDeFgH/ TTP")
        await fake_api.ask(REPORTER, "/flag t.me/umar_channel/555 TTP")
        [plain] = await fake_api.ask(REPORTER, "/flag x.com/other_acct TTP")
        assert "Content link" not in plain.plain
        [listed] = await fake_api.ask(VIEWER, "/evidence #1")
    assert "Evidence of #1" in listed.plain
    assert "https://x.com/Umar_Media/status/1789" in listed.plain
    assert rows(db, "SELECT case_id, url, source FROM content_links ORDER BY id") == [
        (1, "https://x.com/Umar_Media/status/1789", "flag"),
        (2, "https://www.tiktok.com/@umar.media/video/7311", "flag"),
        (3, "https://www.instagram.com/umar_media/reel/C1aBcDeFgH", "flag"),
        (4, "https://t.me/umar_channel/555", "flag"),
    ]
    [audited] = rows(db, "SELECT user_id, case_id, detail FROM audit WHERE action = 'evidence'")
    assert audited == (VIEWER, 1, "looked: 1 links, 0 kept messages, 0 files kept")


async def test_a_replied_photo_is_downloaded_hashed_and_sent_again(fake_api, tmp_path):
    db, folder = tmp_path / "t.db", tmp_path / "ev"
    sha = hashlib.sha256(PHOTO).hexdigest()
    async with running_bot(fake_api, db, evidence_dir=folder):
        await members(fake_api)
        forward = {
            "forward_origin": {
                "type": "channel",
                "date": 1_700_000_000,
                "chat": {"id": -1001, "type": "channel", "title": "Bad", "username": "badch"},
                "message_id": 77,
            }
        }
        post = fake_api.media_message(
            REPORTER, "photo", PHOTO, caption="Join us", sender_id=REPORTER, extra=forward
        )
        [answer] = await fake_api.ask(REPORTER, "/flag t.me/badch TTP", reply_to_message=post)
        assert f"with its photo (10 KB, SHA-256 {sha})" in answer.plain
        assert "post https://t.me/badch/77" in answer.plain
        [listed, again] = await fake_api.ask(VIEWER, "/evidence 1", expect=2)
    assert (folder / f"{sha}.jpg").read_bytes() == PHOTO
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / f"{sha}.jpg").stat().st_mode & 0o777) == "0o600"
    assert "https://t.me/badch/77 (forwarded post)" in listed.plain
    assert sha in listed.plain and str(REPORTER) not in listed.plain  # a viewer: who not shown
    assert again.document == PHOTO and again.filename == f"{sha}.jpg"
    assert sha in again.plain
    [item] = rows(
        db,
        "SELECT case_id, added_by, added_at, chat_id, message_id, file_kind, file_status,"
        " sha256, file_size, mime_type, stored_name, post_link FROM evidence",
    )
    assert item == (1, REPORTER, int(START.timestamp()), REPORTER, post["message_id"], "photo",
                    "kept", sha, len(PHOTO), "image/jpeg", f"{sha}.jpg",
                    "https://t.me/badch/77")  # fmt: skip
    assert rows(db, "SELECT url, source FROM content_links") == [
        ("https://t.me/badch/77", "forward")
    ]


async def test_a_file_over_20_mb_and_a_failed_download_are_recorded_and_the_flag_stands(
    fake_api, tmp_path
):
    db, folder = tmp_path / "t.db", tmp_path / "ev"
    big = b"\0" * (20 * 1024 * 1024 + 1)
    async with running_bot(fake_api, db, evidence_dir=folder):
        video = fake_api.media_message(ADMIN, "video", big, filename="clip.mp4")
        [too_big] = await fake_api.ask(ADMIN, "/flag x.com/big_clip TTP", reply_to_message=video)
        gone = dict(fake_api.media_message(ADMIN, "document", b"abc", filename="a.pdf"))
        gone["document"] = dict(gone["document"], file_id="NO-SUCH-FILE")
        [failed] = await fake_api.ask(ADMIN, "/flag x.com/gone_file TTP", reply_to_message=gone)
    assert "New case #1" in too_big.plain
    assert "its video is over the 20 MB Telegram hands to bots: recorded, not saved" in (
        too_big.plain
    )
    assert "New case #2" in failed.plain and "its document was not saved" in failed.plain
    assert rows(db, "SELECT case_id, file_status, file_size, sha256 FROM evidence") == [
        (1, "too_big", len(big), None),
        (2, "failed", 3, None),
    ]
    assert not folder.exists() or not any(folder.iterdir())


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    def refused(why: str) -> NoReturn:
        pytest.fail(f"cannot mount a tmpfs ({why}): this test needs root")

    with tmpfs(tmp_path / "evdisk", "64k", refused=refused) as disk:
        yield disk


async def test_a_full_evidence_disk_gets_one_line_and_the_flag_stands(
    fake_api, tmp_path, tiny_disk
):
    db = tmp_path / "t.db"  # the database has room; EVIDENCE_DIR has 64 KB
    data = bytes(range(256)) * 1024  # 256 KB
    async with running_bot(fake_api, db, evidence_dir=tiny_disk / "evidence"):
        post = fake_api.media_message(ADMIN, "document", data, filename="leaflet.pdf")
        [answer] = await fake_api.ask(ADMIN, "/flag x.com/full_disk TTP", reply_to_message=post)
        [card] = await fake_api.ask(ADMIN, "/status #1")
    assert answer.plain.splitlines()[-1] == (
        "The flag stands and the message is kept, but its document was not saved: the evidence "
        "disk (EVIDENCE_DIR) is full. Tell an admin to free space there."
    )
    assert "New case #1" in answer.plain and "Case #1" in card.plain
    assert rows(db, "SELECT file_status, sha256 FROM evidence") == [
        ("disk_full", hashlib.sha256(data).hexdigest())
    ]
    assert [p.name for p in (tiny_disk / "evidence").iterdir()] == []  # no partial file left


async def test_several_accounts_before_the_group_are_flagged_each_and_a_note_account_warned(
    fake_api, tmp_path
):
    """Issue 16 item 9: `/flag a TTP b` no longer turns the second URL silently into the
    note; accounts before the group get a report each; followers= is then ambiguous."""
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db, evidence_dir=tmp_path / "ev"):
        [both] = await fake_api.ask(ADMIN, "/flag x.com/first_one/status/11 t.me/second_chan TTP")
        [warned] = await fake_api.ask(ADMIN, "/flag x.com/third_one TTP also x.com/fourth_one")
        [ambiguous] = await fake_api.ask(ADMIN, "/flag x.com/a_one x.com/b_two TTP followers=5k")
    assert "New case #1" in both.plain and "New case #2" in both.plain
    assert "Content link kept: https://x.com/first_one/status/11" in both.plain
    assert "New case #3" in warned.plain and "#4" not in warned.plain
    assert warned.plain.endswith(
        "'x.com/fourth_one' in the note looks like an account (x:@fourth_one); it is kept as "
        "note text. To flag it too, put it before the group."
    )
    assert ambiguous.plain.startswith("followers= is the count of one account")
    assert "Usage: /flag <account>... <group>" in ambiguous.plain
    assert rows(db, "SELECT id, platform, handle FROM cases ORDER BY id") == [
        (1, "x", "first_one"), (2, "telegram", "second_chan"), (3, "x", "third_one"),
    ]  # fmt: skip
    assert rows(db, "SELECT note FROM reports WHERE case_id = 3") == [("also x.com/fourth_one",)]
