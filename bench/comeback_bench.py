"""Figures for comeback detection at 1M cases: the per-/flag probe and the key backfill.

.venv/bin/python -m bench.comeback_bench [cases]

Builds a file with N cases (30% actioned) written by plain sqlite3 *without* match keys (as
a bulk loader would), times the one-off keying of all of them (what migration 002's backfill
and `Comebacks.fill_missing_keys` do), then times, for 500 new handles (a third of them
re-creations of actioned ones):
- `store.comebacks.candidates_for(case_id)`: the two index probes + rapidfuzz check;
- the whole /flag path: `store.cases.report(...)` + `store.comebacks.link_new_case(...)`.
Target: p50 <= 5 ms per /flag. Last, one `/comebacks` scan over every open case.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.flag_command import FlagCommand
from storage.store import Store

CASES = 1_000_000
FLAGS = 500
AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
SYLLABLES = (
    "ba", "la", "ma", "ka", "ta", "ri", "su", "no", "de", "zar", "mo", "min", "hak", "kal",
    "san", "gar", "um", "ar", "kho", "ra", "jee", "yay", "lo", "ch", "tah", "re", "ek", "ghaz",
    "wa", "hin", "nur", "al", "mir", "sad", "paa", "ki", "sta", "qa", "id", "fa", "ja",
)  # fmt: skip
AFFIXES = ["", "", "_media", "_news", "_tv", "_official", ".official", "_2", "1", "_backup"]
PLATFORMS = ["x", "telegram", "instagram", "tiktok"]  # where `name_2` is a valid handle


def handle(rng: random.Random) -> str:
    base = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    return base + rng.choice(AFFIXES) + (str(rng.randint(0, 999)) if rng.random() < 0.5 else "")


def build(path: Path, cases: int, rng: random.Random) -> list[tuple[str, str]]:
    """Insert `cases` rows without match keys; returns some actioned (platform, handle)."""
    actioned: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[str, str, str]] = []
    while len(rows) < cases:
        key = (rng.choice(PLATFORMS), handle(rng).replace(".", "_")[:15])
        if key in seen:
            continue
        seen.add(key)
        state = "actioned" if rng.random() < 0.3 else "flagged"
        if state == "actioned" and len(actioned) < 10_000:
            actioned.append(key)
        rows.append((*key, state))
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO cases (platform, handle, grp, category, state, created_at, created_by,"
            " updated_at) VALUES (?, ?, 'TTP', 'other', ?, 0, 1, 0)",
            rows,
        )
    return actioned


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


async def main(cases: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        await (await Store.open(path)).close()  # create the schema
        start = time.perf_counter()
        actioned = build(path, cases, rng)
        print(f"{cases:,} cases inserted in {time.perf_counter() - start:.1f} s")
        store = await Store.open(path)
        try:
            start = time.perf_counter()
            keyed = await store.comebacks.fill_missing_keys()
            print(f"match keys for {keyed:,} cases: {time.perf_counter() - start:.1f} s (one-off)")
            probe_ms: list[float] = []
            flag_ms: list[float] = []
            link_ms: list[float] = []
            linked = 0
            for n in range(FLAGS):
                if n % 3 == 0:
                    platform, original = rng.choice(actioned)
                    name = (original + rng.choice(["_new", "2", "_tv", "_backup"]))[:15]
                else:
                    platform, name = rng.choice(PLATFORMS), handle(rng).replace(".", "_")[:15]
                cmd = FlagCommand.parse(f"{platform}:@{name} TTP", ["TTP"])
                t0 = time.perf_counter()
                result = await store.cases.report(cmd, 2, AT)
                t_report = time.perf_counter()
                links = await store.comebacks.link_new_case(result.case_id, AT)
                t1 = time.perf_counter()
                await store.comebacks.candidates_for(result.case_id)
                t2 = time.perf_counter()
                flag_ms.append((t1 - t0) * 1000)
                link_ms.append((t1 - t_report) * 1000)
                probe_ms.append((t2 - t1) * 1000)
                linked += bool(links)
            start = time.perf_counter()
            listed = await store.comebacks.scan(AT)
            scan_s = time.perf_counter() - start
        finally:
            await store.close()
    print(f"/comebacks over every open case: {scan_s:.1f} s, {listed.total:,} comebacks listed")
    print(f"{FLAGS} flags, {linked} linked to an actioned case")
    print(f"candidates_for: p50 {p(probe_ms, 50):.2f} ms, p95 {p(probe_ms, 95):.2f} ms")
    print(f"link_new_case:  p50 {p(link_ms, 50):.2f} ms, p95 {p(link_ms, 95):.2f} ms")
    print(
        f"/flag + link:   p50 {p(flag_ms, 50):.2f} ms, p95 {p(flag_ms, 95):.2f} ms"
        " (target p50 <= 5 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else CASES))
