"""Time the /stats and digest queries on 1M cases / 1.2M request rounds.

    .venv/bin/python -m bench.stats_bench [path]   (default: a temporary file)

Rounds are sent evenly over two years; prints the milliseconds of each query.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from bot.domain import Outcome, Platform, compliance
from storage.store import Store
from tests.factories import connect

CASES = 1_000_000
ROUNDS = 1_200_000
NOW = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
SPAN = 730 * 24 * 3600
SLA = dt.timedelta(hours=72)


def fill(path: Path) -> None:
    rng = random.Random(5)
    now = int(NOW.timestamp())
    platforms = [p.value for p in Platform]
    conn = connect(path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO cases (id, platform, handle, grp, category, followers, state, created_at,"
        " created_by, updated_at) VALUES (?, ?, ?, ?, 'other', ?, 'requested', ?, 1, ?)",
        (
            (
                i,
                platforms[i % 7],
                f"h{i}",
                ("TTP", "BLA", "BLF")[i % 3],
                rng.randrange(0, 100_000),
                now - SPAN - 86400,
                now - SPAN,
            )
            for i in range(1, CASES + 1)
        ),
    )
    outcomes = [o.value for o in Outcome]

    def rounds() -> Iterator[tuple[int, int, int, str | None, int | None]]:
        for i in range(ROUNDS):
            case_id = i + 1 if i < CASES else rng.randrange(1, CASES + 1)
            sent = now - rng.randrange(0, SPAN)
            outcome = rng.choice(outcomes) if sent < now - 3600 * 100 else None
            outcome = outcome or (None if i < CASES else "rejected")  # one open round per case
            yield (
                case_id,
                1 if i < CASES else i,
                sent,
                outcome,
                None if outcome is None else sent + rng.randrange(60, 14 * 86400),
            )

    conn.executemany(
        "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, outcome, outcome_at)"
        " VALUES (?, ?, ?, 1, ?, ?)",
        rounds(),
    )
    conn.execute("COMMIT")
    conn.close()


async def timed(label: str, work: Callable[[], Awaitable[object]]) -> None:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<34} {best * 1000:7.1f} ms (best of 3)")


async def main(path: Path) -> None:
    store = await Store.open(path)
    try:
        row = await store.db.fetchone("SELECT COUNT(*) FROM request_rounds")
        if row is None or row[0] == 0:
            await store.close()
            started = time.perf_counter()
            fill(path)
            print(
                f"filled {CASES:,} cases, {ROUNDS:,} rounds"
                f" in {time.perf_counter() - started:.0f} s"
            )
            store = await Store.open(path)
        stats = store.stats
        for key in ("7d", "30d", "90d", "all"):
            each = compliance.window(key, NOW)
            await timed(f"/stats {key}", functools.partial(stats.table, "platform", each, NOW, SLA))
        win = compliance.window("30d", NOW)
        await timed(
            "/stats 30d by group",
            lambda: stats.table("group", win, NOW, SLA, groups=["TTP", "BLA", "BLF"]),
        )
        await timed(
            "/stats 30d x", lambda: stats.table("platform", win, NOW, SLA, platform=Platform.X)
        )
        await timed(
            "digest: last 24 h activity", lambda: stats.activity(NOW - dt.timedelta(1), NOW)
        )
        await timed("digest: 5 oldest overdue", lambda: stats.oldest_overdue(NOW, SLA))
    finally:
        await store.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "bench.db"
    asyncio.run(main(target))
