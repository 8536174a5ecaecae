"""Issue 20, "Protecting the analysts": one access test per item, beside the access matrix,
through the real Application (InProcessBot: every update through `process_update`, answered
by a Bot API that refuses what Telegram refuses).

PRODUCT.md "Who may use it": who reported or acted on a case only to reviewers and admins in
a private chat; shared pseudo-users (sender_chat, bots) refused without the /grant hint and
never granted; edits never run a command; free text stored clean and shown on one line; one
stranger audited at most once an hour; at most 30 commands a minute; no command holds the
others up for more than a second; files 0600 and folders 0700.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

from bot.domain.flood import FloodLimit
from tests.robustness.driver import (
    ADMIN,
    ALLOWED_GROUP,
    OTHER_GROUP,
    START,
    InProcessBot,
    JSONDict,
    Reply,
)

VIEWER, REPORTER, REVIEWER = 7_401_001, 7_201_001, 7_301_001
AUTHOR = 7_777_001  # the author of a forwarded message kept as evidence
STRANGER = 7_555_001
CHANNEL_BOT, ANONYMOUS_ADMIN_BOT = 136817688, 1087968824
SENT_ANEW = "send the command anew"


async def members(bot: InProcessBot) -> None:
    for user, role in ((VIEWER, "viewer"), (REPORTER, "reporter"), (REVIEWER, "reviewer")):
        await bot.ask(ADMIN, f"/grant {user} {role}")


def in_group(update: JSONDict, chat_id: int = ALLOWED_GROUP) -> JSONDict:
    update["message"]["chat"] = {"id": chat_id, "type": "supergroup", "title": "Desk"}
    return update


def edited(update: JSONDict, bot: InProcessBot) -> JSONDict:
    """The same message, edited (Telegram sends it as `edited_message` with an edit_date)."""
    message = dict(update["message"])
    message["edit_date"] = int(bot.clock.now().timestamp()) + 30
    return {"update_id": bot.next_update_id(), "edited_message": message}


def shows_identity(reply: Reply, *ids: int) -> list[str]:
    found = []
    for user in ids:
        for word in (str(user), f"User{user}"):
            if word in reply.plain:
                found.append(word)
    if "author_handle" in reply.plain or "Author Name" in reply.plain:
        found.append("forwarded author")
    return found


# ---------------------------------------------------------------- 1 shared pseudo-users


def on_behalf_of_chat(bot: InProcessBot, sender: int, text: str, sender_chat: JSONDict) -> JSONDict:
    update = in_group(bot.message(sender, text))
    update["message"]["from"] = {"id": sender, "is_bot": True, "first_name": "Group",
                                 "username": "GroupAnonymousBot"}  # fmt: skip
    update["message"]["sender_chat"] = sender_chat
    return update


async def test_messages_sent_on_behalf_of_a_chat_are_refused_without_the_grant_hint(
    tmp_path: Path,
) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await bot.ask(ADMIN, "/flag x.com/shared_user_case TTP")
        group_chat = {"id": ALLOWED_GROUP, "type": "supergroup", "title": "Desk"}
        channel = {"id": -100123, "type": "channel", "title": "Some channel"}
        for sender, sender_chat in ((ANONYMOUS_ADMIN_BOT, group_chat), (CHANNEL_BOT, channel)):
            reply = await bot.send(on_behalf_of_chat(bot, sender, "/status #1", sender_chat))
            assert len(reply.outputs) == 1, reply.texts
            assert "/grant" not in reply.plain and str(sender) not in reply.plain
            assert "Case #1" not in reply.plain
        # a bot's message (from.is_bot, no sender_chat) is refused the same way
        update = in_group(bot.message(4242, "/status #1"))
        update["message"]["from"] = {"id": 4242, "is_bot": True, "first_name": "Other bot"}
        reply = await bot.send(update)
        assert len(reply.outputs) <= 1 and "/grant" not in reply.plain
        assert "Case #1" not in reply.plain
        assert bot.errors == [] and bot.api.refused == []


async def test_shared_ids_cannot_be_granted_and_a_channel_never_reads_cards(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await bot.ask(ADMIN, "/flag x.com/shared_user_grant TTP")
        for shared in (CHANNEL_BOT, ANONYMOUS_ADMIN_BOT):
            reply = await bot.ask(ADMIN, f"/grant {shared} viewer")
            assert "is now" not in reply.plain, reply.plain
            assert str(shared) in reply.plain  # the reply says which id cannot be granted
            assert await bot.store.members.role_of(shared) is None
        channel = {"id": -100123, "type": "channel", "title": "Some channel"}
        reply = await bot.send(on_behalf_of_chat(bot, CHANNEL_BOT, "/status #1", channel))
        assert "Case #1" not in reply.plain


# ---------------------------------------------------------------- 2 identities on cards


async def case_with_people(bot: InProcessBot) -> None:
    """Case #1: reported by REPORTER with a forwarded message as evidence, requested and
    decided by REVIEWER."""
    await members(bot)
    forwarded = bot.message(AUTHOR, "a post by the forwarded author")
    forwarded["message"]["forward_origin"] = {
        "type": "user",
        "date": int(START.timestamp()),
        "sender_user": {
            "id": AUTHOR,
            "is_bot": False,
            "first_name": "Author Name",
            "username": "author_handle",
        },  # fmt: skip
    }
    update = bot.message(REPORTER, "/flag x.com/people_case TTP propaganda seen twice")
    update["message"]["reply_to_message"] = forwarded["message"]
    flagged = await bot.send(update)
    assert "#1" in flagged.plain, flagged.plain
    await bot.ask(REVIEWER, "/request #1 ref=R1")
    await bot.ask(REVIEWER, "/outcome #1 rejected not enough")


async def test_who_reported_and_acted_is_shown_to_reviewers_and_admins_in_private_only(
    tmp_path: Path,
) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await case_with_people(bot)
        people = (REPORTER, REVIEWER, AUTHOR)
        for user in (REVIEWER, ADMIN):
            card = await bot.ask(user, "/status #1")
            assert str(REPORTER) in card.plain, card.plain
            assert "author_handle" in card.plain, card.plain
        for user, chat in ((VIEWER, None), (REVIEWER, ALLOWED_GROUP), (ADMIN, ALLOWED_GROUP),
                           (VIEWER, ALLOWED_GROUP)):  # fmt: skip
            kwargs: dict[str, Any] = {}
            if chat is not None:
                kwargs = {"chat_id": chat, "chat_type": "supergroup"}
            card = await bot.ask(user, "/status #1", **kwargs)
            assert "Case #1" in card.plain, card.plain
            assert "1 report" in card.plain.lower() or "reports: 1" in card.plain.lower()
            assert shows_identity(card, *people) == [], (user, chat, card.plain)
        assert bot.errors == [] and bot.api.refused == []


async def test_outcome_recorded_in_a_group_does_not_name_the_reviewer(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await members(bot)
        await bot.ask(REPORTER, "/flag x.com/group_outcome TTP")
        group = {"chat_id": ALLOWED_GROUP, "chat_type": "supergroup"}
        [message] = (await bot.ask(REVIEWER, "/request #1", **group)).outputs
        pressed = await bot.send(
            bot.press(
                REVIEWER, message, "o:1:1:removed", chat_type="supergroup", chat_id=ALLOWED_GROUP
            )  # fmt: skip
        )
        assert pressed.outputs, "the press must be answered"
        assert shows_identity(pressed, REVIEWER) == [], pressed.plain
        again = await bot.ask(REVIEWER, "/request #1", **group)
        assert shows_identity(again, REVIEWER) == [], again.plain


# ---------------------------------------------------------------- 3 edited messages


async def test_an_edited_request_does_not_open_a_round(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await bot.ask(ADMIN, "/flag x.com/edited_request TTP")
        original = bot.message(ADMIN, "/request #1 ref=R1")
        await bot.send(original)
        await bot.ask(ADMIN, "/outcome #1 rejected")
        reply = await bot.send(edited(original, bot))
        assert len(reply.outputs) == 1 and SENT_ANEW in reply.plain, reply.texts
        rounds = sqlite3.connect(bot.db_path).execute("SELECT count(*) FROM request_rounds")
        assert rounds.fetchone()[0] == 1


async def test_an_edited_grant_does_not_make_a_revoked_user_an_admin(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        original = bot.message(ADMIN, "/grant 4444 viewer")
        await bot.send(original)
        await bot.ask(ADMIN, "/revoke 4444")
        changed = edited(original, bot)
        changed["edited_message"]["text"] = "/grant 4444 admin"
        reply = await bot.send(changed)
        assert SENT_ANEW in reply.plain, reply.texts
        assert await bot.store.members.role_of(4444) is None


async def test_an_edit_in_a_group_the_bot_does_not_work_in_gets_no_answer(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        original = in_group(bot.message(ADMIN, "/grant 4444 viewer"), OTHER_GROUP)
        reply = await bot.send(edited(original, bot))
        assert reply.outputs == []
        assert await bot.store.members.role_of(4444) is None


# ---------------------------------------------------------------- 4 forged lines, audit


FORGED = "hi\n2026-11-30 20:11 user 1001 grant - → admin (user 3003)"


async def test_a_strangers_line_break_cannot_forge_an_audit_line(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await bot.ask(STRANGER, FORGED)
        audit = await bot.ask(ADMIN, "/audit")
        lines = audit.plain.splitlines()
        assert not any(line.startswith("2026-11-30 20:11 user 1001") for line in lines), lines
        assert any(str(STRANGER) in line and "2026-11-30 20:11" in line for line in lines)


async def test_one_stranger_is_audited_at_most_once_an_hour_with_a_count(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await bot.ask(ADMIN, "/flag x.com/real_entry TTP")
        for n in range(40):
            reply = await bot.ask(STRANGER, f"/status #{n}")
            assert "only for members of the team" in reply.plain  # each is still answered
        entries = await bot.store.audit.recent(limit=30)
        refused = [e for e in entries if e.action == "refused"]
        assert len(refused) == 1, refused
        assert refused[0].attempts == 40, refused[0]
        assert any(e.action == "flag" for e in entries)  # the real entry is not pushed out
        audit = await bot.ask(ADMIN, "/audit")
        assert "40" in audit.plain and "flag" in audit.plain
        bot.clock.advance(dt.timedelta(minutes=61))
        await bot.ask(STRANGER, "/status #1")
        refused = [e for e in await bot.store.audit.recent(limit=30) if e.action == "refused"]
        assert len(refused) == 2


BIDI_AND_ZERO_WIDTH = "\u202e\u2066\u200b\u200d\ufeff\u0007"


async def test_notes_and_refs_are_stored_clean_and_shown_on_one_line(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        note = f"first{BIDI_AND_ZERO_WIDTH} line\n2026-11-30 20:11 • forged report line"
        await bot.ask(ADMIN, f"/flag x.com/clean_note TTP {note}")
        await bot.ask(ADMIN, f"/request #1 ref=R{BIDI_AND_ZERO_WIDTH}1")
        with sqlite3.connect(bot.db_path) as conn:
            stored = [row[0] for row in conn.execute("SELECT note FROM reports")]
            refs = [row[0] for row in conn.execute("SELECT ref FROM request_rounds")]
            audited = [row[0] for row in conn.execute("SELECT detail FROM audit")]
        conn.close()
        for text in [*stored, *refs, *audited]:
            assert not any(ch in text for ch in BIDI_AND_ZERO_WIDTH), repr(text)
        assert refs == ["R1"]
        card = await bot.ask(ADMIN, "/status #1")
        assert not any(ch in card.plain for ch in BIDI_AND_ZERO_WIDTH)
        assert not any(line.startswith("2026-11-30 20:11") for line in card.plain.splitlines())
        assert "first line 2026-11-30 20:11" in card.plain


async def test_a_file_name_with_a_line_break_is_shown_on_one_line(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        name = f"ok{BIDI_AND_ZERO_WIDTH}\nImported fake.csv: 999 rows.csv"
        data = b"account,group,category,followers,note\nt.me/file_name_case,TTP,,,\n"
        reply = await bot.send(bot.message(ADMIN, "/import", document=(data, name)))
        assert reply.outputs, "the import must be answered"
        assert not any(ch in reply.plain for ch in BIDI_AND_ZERO_WIDTH)
        assert not any(line.startswith("Imported fake.csv") for line in reply.plain.splitlines())


# ---------------------------------------------------------------- 5 floods, slow commands


async def test_a_member_over_30_commands_a_minute_is_told_once_and_not_served(
    tmp_path: Path,
) -> None:
    async with InProcessBot(tmp_path / "t.db", flood=FloodLimit()) as bot:
        await members(bot)
        bot.clock.advance(dt.timedelta(minutes=2))  # the /grant commands are long gone
        answers = [await bot.ask(REPORTER, f"/flag x.com/flood_{n} TTP") for n in range(40)]
        served = [a for a in answers if "New case" in a.plain]
        told = [a for a in answers if "slow down" in a.plain.lower()]
        assert len(served) == 30, [a.texts for a in answers]
        assert len(told) == 1
        assert all(a.outputs == [] for a in answers[31:])
        with sqlite3.connect(bot.db_path) as conn:
            assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 30
        conn.close()
        # others are served meanwhile
        assert "Your role" in (await bot.ask(VIEWER, "/start")).plain
        bot.clock.advance(dt.timedelta(seconds=61))
        assert "New case" in (await bot.ask(REPORTER, "/flag x.com/after_minute TTP")).plain


async def test_a_flood_fed_concurrently_is_limited_too(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db", flood=FloodLimit()) as bot:
        await members(bot)
        bot.clock.advance(dt.timedelta(minutes=2))
        updates = [bot.message(REPORTER, f"/flag x.com/burst_{n} TTP") for n in range(300)]
        await bot.feed(updates, replies=31)
        with sqlite3.connect(bot.db_path) as conn:
            assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 30
        conn.close()
        assert sum("slow down" in t.lower() for t in bot.texts_to(REPORTER)) == 1


def _fill_adversarial_notes(db_path: Path, count: int = 5218, size: int = 4000) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        ts = int(START.timestamp())
        for n in range(count):
            cursor = conn.execute(
                "INSERT INTO cases (platform, handle, grp, category, state, created_at,"
                " created_by, updated_at) VALUES ('x', ?, 'TTP', 'other', 'flagged', ?, ?, ?)",
                (f"slow_{n}", ts, ADMIN, ts),
            )
            conn.execute(
                "INSERT INTO reports (case_id, reporter_id, reported_at, source, category, note)"
                " VALUES (?, ?, ?, ?, 'other', ?)",
                (cursor.lastrowid, ADMIN, ts, f"x.com/slow_{n}", "a" * size),
            )
    conn.close()


async def test_find_on_adversarial_text_holds_nobody_up(tmp_path: Path) -> None:
    db_path = tmp_path / "t.db"
    async with InProcessBot(db_path):
        pass  # the schema
    _fill_adversarial_notes(db_path)
    async with InProcessBot(db_path) as bot:
        needle = "a" * 199 + "b"

        async def timed(text: str) -> float:
            started = time.perf_counter()
            await bot.ask(ADMIN, text)
            return time.perf_counter() - started

        find = asyncio.create_task(timed(f"/find {needle}"))
        await asyncio.sleep(0.05)
        status_took = await timed("/status #1")
        find_took = await find
        assert status_took < 1.0, f"/status waited {status_took:.2f} s behind /find"
        assert find_took < 2.0, f"/find took {find_took:.2f} s"
        assert "no cases match" in bot.outputs[-1].text.lower() or any(
            "No cases match" in o.text for o in bot.outputs
        )
        assert bot.errors == []


# ---------------------------------------------------------------- 6 file modes


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_and_its_folder_are_readable_by_the_bot_user_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "new" / "data"
        db_path = folder / "takedown.db"
        async with InProcessBot(db_path) as bot:
            await bot.ask(ADMIN, "/flag x.com/file_modes TTP")
            assert mode(folder) == 0o700
            assert mode(tmp_path / "new") == 0o700
            for suffix in ("", "-wal", "-shm"):
                path = Path(f"{db_path}{suffix}")
                assert mode(path) == 0o600, (path, oct(mode(path)))
    finally:
        os.umask(old)


async def test_an_existing_database_gets_private_modes_on_start(tmp_path: Path) -> None:
    db_path = tmp_path / "takedown.db"
    sqlite3.connect(db_path).close()
    db_path.chmod(0o644)
    async with InProcessBot(db_path) as bot:
        await bot.ask(ADMIN, "/start")
        assert mode(db_path) == 0o600


# ---------------------------------------------------------------- 7 small items


async def test_unknown_command_is_echoed_escaped(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        reply = await bot.ask(ADMIN, "/x<b>")
        assert bot.api.refused == [], bot.api.refused
        assert "Unknown command /x<b>" in reply.plain


async def test_a_forged_button_in_a_group_the_bot_does_not_work_in_is_ignored(
    tmp_path: Path,
) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await bot.ask(ADMIN, "/flag x.com/forged_button TTP")
        [message] = (await bot.ask(ADMIN, "/request #1")).outputs
        for data in ("o:1:1:bogus", "o:1:1:removed", "zz:forged", "p:1"):
            update = bot.press(STRANGER, message, data, chat_type="supergroup",
                               chat_id=OTHER_GROUP)  # fmt: skip
            reply = await bot.send(update)
            assert reply.outputs == [], (data, reply.texts)


async def test_import_and_commands_addressed_to_another_bot_are_ignored(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        data = b"account,group,category,followers,note\nt.me/other_bots_import,TTP,,,\n"
        group: dict[str, Any] = {"chat_id": ALLOWED_GROUP, "chat_type": "supergroup"}
        reply = await bot.send(
            bot.message(ADMIN, "/import@some_other_bot", document=(data, "a.csv"), **group)
        )
        assert reply.outputs == [], reply.texts
        reply = await bot.ask(ADMIN, "/status@some_other_bot #1", **group)
        assert reply.outputs == [], reply.texts
        reply = await bot.ask(ADMIN, "/nosuchcommand@some_other_bot", **group)
        assert reply.outputs == [], reply.texts
        with sqlite3.connect(bot.db_path) as conn:
            assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
        conn.close()


async def test_a_long_line_of_quotes_is_never_split_inside_an_entity(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        quotes = '"' * 1000
        reply = await bot.ask(ADMIN, f"/flag x.com/quotes TTP {quotes}")
        assert bot.api.refused == [], bot.api.refused
        assert reply.outputs
        # and a usage error that repeats user text, long enough to be split
        reply = await bot.ask(ADMIN, f"/help {quotes}")
        assert bot.api.refused == [], bot.api.refused


def test_splitting_never_cuts_an_html_entity() -> None:
    from bot.views.common import esc, split_message  # noqa: PLC0415

    text = esc('"' * 1000)
    parts = split_message(text, limit=100)
    assert "".join(parts) == text
    for part in parts:
        assert part.count("&") == part.count(";"), part


async def test_a_search_past_its_deadline_is_stopped_and_the_bot_goes_on(tmp_path: Path) -> None:
    from bot.domain.errors import SearchTooSlow  # noqa: PLC0415

    async with InProcessBot(tmp_path / "t.db") as bot:
        endless = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        )
        started = time.perf_counter()
        try:
            await bot.store.db.search(endless, seconds=0.2)
        except SearchTooSlow:
            pass
        else:
            raise AssertionError("an endless search must be stopped")
        assert time.perf_counter() - started < 2.0
        assert "Your role" in (await bot.ask(ADMIN, "/start")).plain


async def test_audit_in_a_group_names_nobody(tmp_path: Path) -> None:
    async with InProcessBot(tmp_path / "t.db") as bot:
        await members(bot)
        reply = await bot.ask(ADMIN, "/audit", chat_id=ALLOWED_GROUP, chat_type="supergroup")
        assert "private chat" in reply.plain and str(VIEWER) not in reply.plain
        assert str(VIEWER) in (await bot.ask(ADMIN, "/audit")).plain
