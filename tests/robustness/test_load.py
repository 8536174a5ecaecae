"""Load: 1,000 /flag updates from 50 members over 200 accounts (each account written in
several URL forms) go through the real Application with concurrent_updates on, the way
polled updates do, while members read the cards. Exactly 200 cases, exactly one report per
(member, account), one reply per update, and no "database is locked" anywhere."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import pytest

from storage.inbox import inbox_path
from tests.e2e.fake_bot_api import html_to_plain
from tests.robustness.driver import ADMIN, InProcessBot

# The robustness tests are slow: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

MEMBERS = [1000 + n for n in range(50)]
ACCOUNTS = 200
FLAGS = 1_000
GROUPS = ("TTP", "BLA", "BLF")


def variants(n: int) -> list[str]:
    """Several ways of writing account n; all of them are the same (platform, handle)."""
    name = f"Acct_{n:03d}"
    lower = name.lower()
    match n % 5:
        case 0:
            return [f"x.com/{name}", f"https://twitter.com/{lower}?s=20",
                    f"mobile.twitter.com/{name.upper()}", f"x.com/{lower}/status/12{n}",
                    f"x:@{lower}"]  # fmt: skip
        case 1:
            return [f"t.me/{name}", f"https://telegram.me/{lower}", f"t.me/s/{lower}",
                    f"t.me/{lower}/45", f"telegram:@{lower}"]  # fmt: skip
        case 2:
            return [f"instagram.com/{lower}", f"https://www.instagram.com/{lower}/reel/Cx1/",
                    f"instagr.am/{lower}", f"instagram:@{lower}"]  # fmt: skip
        case 3:
            return [f"tiktok.com/@{name}", f"https://www.tiktok.com/@{lower}/video/77{n}",
                    f"tiktok:@{lower}"]  # fmt: skip
        case _:
            number = f"92300{n:07d}"
            return [f"wa.me/{number}", f"https://api.whatsapp.com/send?phone={number}",
                    f"whatsapp:+{number}", f"0300{n:07d}"]  # fmt: skip


async def test_1000_concurrent_flags_make_exactly_200_cases(tmp_path: Path):
    rng = random.Random(6)
    db = tmp_path / "load.db"
    async with InProcessBot(db) as bot:
        for member in MEMBERS:
            granted = (await bot.ask(ADMIN, f"/grant {member} reporter")).plain
            assert "is now reporter" in granted

        # every account at least once, then random (member, account, URL form) triples
        plan = [(MEMBERS[n % len(MEMBERS)], n) for n in range(ACCOUNTS)]
        plan += [(rng.choice(MEMBERS), rng.randrange(ACCOUNTS)) for _ in range(FLAGS - ACCOUNTS)]
        rng.shuffle(plan)
        updates = []
        for member, n in plan:
            url = rng.choice(variants(n))
            note = rng.choice(["", "recruits openly", "یہ اکاؤنٹ", "<b>not bold</b> & co"])
            text = f"/flag {url} {GROUPS[n % 3]} propaganda followers={n}k {note}".rstrip()
            updates.append(bot.message(member, text))
        readers = [bot.message(ADMIN, f"/status #{1 + n % ACCOUNTS}") for n in range(200)]
        mixed = updates + readers
        rng.shuffle(mixed)

        started = time.perf_counter()
        await bot.feed(mixed, replies=len(mixed))
        elapsed = time.perf_counter() - started
        assert bot.peak_concurrency > 50  # really concurrent, not one at a time

        flag_replies = [html_to_plain(o.text) for o in bot.outputs if o.chat_id in MEMBERS]
        assert len(bot.outputs) == len(MEMBERS) + len(mixed)  # one reply per update, no more
        assert len(flag_replies) == FLAGS
        assert sum("New case #" in text for text in flag_replies) == ACCOUNTS
        expected_reports = len(set(plan))
        repeats = sum("already reported" in text for text in flag_replies)
        assert repeats == FLAGS - expected_reports
        assert not [t for t in bot.texts_to(ADMIN) if "internal error" in t]
        assert bot.errors == []
        assert bot.api.refused == []
        log_text = bot.logs.text()
        assert "database is locked" not in log_text
        assert "locked" not in log_text.lower()
        assert bot.logs.errors() == []
    print(f"\n{len(mixed)} updates in {elapsed:.1f} s, up to {bot.peak_concurrency} concurrently")

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == ACCOUNTS
        assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == expected_reports
        per_case = dict(conn.execute("SELECT case_id, count(*) FROM reports GROUP BY case_id"))
        assert len(per_case) == ACCOUNTS
        pairs = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT case_id, reporter_id FROM reports)"
        ).fetchone()[0]
        assert pairs == expected_reports
        audit_flags = conn.execute("SELECT count(*) FROM audit WHERE action = 'flag'").fetchone()
        assert audit_flags[0] == ACCOUNTS
        handled = conn.execute("SELECT count(*) FROM processed_updates").fetchone()[0]
        assert handled == len(MEMBERS) + len(updates)  # the /status reads wrote nothing
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with sqlite3.connect(inbox_path(db)) as conn:  # every update fed was kept, and handled
        kept = conn.execute("SELECT count(*), count(handled_at) FROM inbox").fetchone()
        assert kept == (len(mixed), len(mixed))
    conn.close()
    # each account's reports, by the members that flagged it: exactly the plan
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT c.platform, c.handle, r.reporter_id FROM reports r JOIN cases c"
            " ON c.id = r.case_id"
        ).fetchall()
    conn.close()
    by_account: dict[tuple[str, str], set[int]] = {}
    for platform, handle, reporter in rows:
        by_account.setdefault((platform, handle), set()).add(reporter)
    planned: dict[int, set[int]] = {}
    for member, n in plan:
        planned.setdefault(n, set()).add(member)
    assert sorted(len(v) for v in by_account.values()) == sorted(len(v) for v in planned.values())


REVIEWERS = [3000 + n for n in range(5)]
CASES = 100


async def test_concurrent_requests_and_button_presses_record_each_round_once(tmp_path: Path):
    """Five reviewers send /request for the same 200 cases at once, then all press an outcome
    button of every round at once: one round per case, one outcome per round, one audit
    entry each; every other attempt is told it was already done."""
    rng = random.Random(7)
    db = tmp_path / "load.db"
    async with InProcessBot(db) as bot:
        for user, role in [(MEMBERS[0], "reporter"), *((r, "reviewer") for r in REVIEWERS)]:
            await bot.ask(ADMIN, f"/grant {user} {role}")
        flags = [bot.message(MEMBERS[0], f"/flag x.com/case_{n} TTP") for n in range(CASES)]
        await bot.feed(flags, replies=CASES)

        requests = [
            bot.message(r, f"/request #{n}") for n in range(1, CASES + 1) for r in REVIEWERS
        ]
        rng.shuffle(requests)
        mark = len(bot.outputs)
        await bot.feed(requests, replies=len(requests))
        answers = bot.outputs[mark:]
        opened = [o for o in answers if o.reply_markup]
        assert len(answers) == len(requests)  # one reply each
        assert len(opened) == CASES  # one round opened per case
        assert sum("round 1 is still open" in o.text for o in answers) == CASES * 4

        presses = []
        for message in opened:
            assert message.reply_markup is not None
            data = message.reply_markup["inline_keyboard"][0][0]["callback_data"]
            case_id = int(data.split(":")[1])
            for reviewer in REVIEWERS:
                outcome = rng.choice(["removed", "rejected", "restricted", "no_response"])
                presses.append(bot.press(reviewer, message, f"o:{case_id}:1:{outcome}"))
        rng.shuffle(presses)
        mark = len(bot.outputs)
        await bot.feed(presses, replies=len(presses), method="answerCallbackQuery")
        answered = [o.text for o in bot.outputs[mark:] if o.method == "answerCallbackQuery"]
        assert len(answered) == len(presses)
        assert sum(text.startswith("Recorded:") for text in answered) == CASES
        assert bot.errors == [] and bot.api.refused == [] and bot.logs.errors() == []
        assert "locked" not in bot.logs.text().lower()

    with sqlite3.connect(db) as conn:
        rounds = conn.execute(
            "SELECT count(*), count(outcome), count(DISTINCT case_id) FROM request_rounds"
        ).fetchone()
        assert rounds == (CASES, CASES, CASES)
        audit = dict(conn.execute("SELECT action, count(*) FROM audit GROUP BY action"))
        assert audit["request"] == CASES and audit["outcome"] == CASES
        states = dict(conn.execute("SELECT state, count(*) FROM cases GROUP BY state"))
        actioned = conn.execute(
            "SELECT count(*) FROM request_rounds WHERE outcome IN ('removed', 'restricted')"
        ).fetchone()[0]
        assert states.get("actioned", 0) == actioned
        assert states.get("refused", 0) == CASES - actioned
    conn.close()
