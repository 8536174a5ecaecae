"""Crash: an /import of 20,000 rows in a subprocess killed with SIGKILL at random points.
Each time either none or all of its rows are in the database, `PRAGMA integrity_check` says
ok, and the bot starts again on the file and works (it imports and answers)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from storage.db import migrations
from tests.robustness.driver import ADMIN, InProcessBot

# The robustness tests are slow: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

ROWS = 8_000
RUNS = 8
REPO = Path(__file__).resolve().parents[2]
FORMS = (
    "https://twitter.com/r{run}_acct{n}?s=20",
    "t.me/r{run}_channel_{n}",
    "instagram.com/r{run}_user.{n}/",
    "tiktok.com/@r{run}_tt_{n}",
    "youtube.com/@r{run}_yt-{n}",
)


def csv_for(run: int) -> bytes:
    """20,000 accounts that no other run has (so each run's rows are countable)."""
    lines = ["account,group,category,followers,note"]
    for n in range(ROWS):
        account = FORMS[n % len(FORMS)].format(run=run, n=n)
        lines.append(f"{account},{('TTP', 'BLA', 'BLF')[n % 3]},propaganda,{n}k,row {n} یہ")
    return ("\n".join(lines) + "\n").encode()


async def run_child(
    db: Path, csv: Path, reporter: int, kill_after: float | None
) -> tuple[list[str], float]:
    """Run the import child; SIGKILL it `kill_after` seconds after it says "ready". Returns
    what it printed and the seconds from "ready" to its end."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.robustness.import_child",
        str(db),
        str(csv),
        str(reporter),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert child.stdout is not None
    lines: list[str] = []
    try:
        ready = await asyncio.wait_for(child.stdout.readline(), 60)
        assert ready.decode().strip() == "ready", (ready, await child.stderr.read())  # type: ignore[union-attr]
        lines.append("ready")
        ready_at = time.perf_counter()
        if kill_after is not None:
            await asyncio.sleep(kill_after)
            if child.returncode is None:
                child.send_signal(signal.SIGKILL)
        rest, err = await asyncio.wait_for(child.communicate(), 120)
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    ended = time.perf_counter() - ready_at
    lines += rest.decode().split()
    if kill_after is None:
        assert child.returncode == 0, err.decode()
    return lines, ended


def state(db: Path, reporter: int) -> tuple[str, int, int, int, int]:
    """integrity_check, and what one run wrote: its cases, reports, flag and import entries."""
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        cases = conn.execute(
            "SELECT count(*) FROM cases WHERE created_by = ?", (reporter,)
        ).fetchone()[0]
        reports = conn.execute(
            "SELECT count(*) FROM reports WHERE reporter_id = ?", (reporter,)
        ).fetchone()[0]
        flags = conn.execute(
            "SELECT count(*) FROM audit WHERE user_id = ? AND action = 'flag'", (reporter,)
        ).fetchone()[0]
        imports = conn.execute(
            "SELECT count(*) FROM audit WHERE user_id = ? AND action = 'import'", (reporter,)
        ).fetchone()[0]
    finally:
        conn.close()
    return check, cases, reports, flags, imports


async def test_import_killed_at_random_points_is_all_or_nothing(tmp_path: Path):
    db = tmp_path / "crash.db"
    rng = random.Random(20_000)
    # a first run, not killed: the file exists with data, and how long a write takes
    csv = tmp_path / "run0.csv"
    csv.write_bytes(csv_for(0))
    lines, write_time = await run_child(db, csv, 1000, kill_after=None)
    assert lines == ["ready", "done", str(ROWS)]
    assert state(db, 1000) == ("ok", ROWS, ROWS, ROWS, 1)

    outcomes = []
    for run in range(1, RUNS + 1):
        reporter = 1000 + run
        csv = tmp_path / f"run{run}.csv"
        csv.write_bytes(csv_for(run))
        # before, during (mostly) or after the transaction
        kill_after = rng.uniform(0, write_time * 1.2)
        lines, _ = await run_child(db, csv, reporter, kill_after)
        check, cases, reports, flags, imports = state(db, reporter)
        assert check == "ok", (run, check)
        written = (cases, reports, flags, imports)
        assert written in ((0, 0, 0, 0), (ROWS, ROWS, ROWS, 1)), (run, kill_after, written)
        if "done" in lines:  # it finished before the kill: everything must be there
            assert written == (ROWS, ROWS, ROWS, 1)
        outcomes.append("all" if reports else "none")
        # the earlier runs are untouched
        assert state(db, 1000) == ("ok", ROWS, ROWS, ROWS, 1)
    print(f"\nkilled {RUNS} imports of {ROWS:,} rows (a write {write_time:.2f} s): {outcomes}")
    assert "none" in outcomes  # at least one kill landed before the commit

    committed = 1 + outcomes.count("all")
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == committed * ROWS
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations())
    finally:
        conn.close()

    # restart: the bot opens the file and an /import through the handler works
    async with InProcessBot(db) as bot:
        csv_text = "account,group,category,followers,note\nx.com/after_crash,TTP,hate,5,back\n"
        reply = await bot.ask(ADMIN, "/import", document=(csv_text.encode(), "after.csv"))
        assert "New cases: 1" in reply.plain, reply.plain
        status = await bot.ask(ADMIN, "/status x:@after_crash")
        assert "Case #" in status.plain
        assert bot.errors == []
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
