"""`make bench`: the figures of issues 6, 15 and 18 (and the comeback probe of issue 7), on
SQLite and on PostgreSQL (issue 19), in one run.

    .venv/bin/python -m bench.run [--db PATH] [--cases N] [--samples N] [--import-rows N]
        [--backend sqlite|postgres] [--postgres-url URL] [--skip PHASE]

A child process builds the database (bench/dataset.py: 1M cases, 2M reports, 1.2M request
rounds over 365 days and 7 platforms) in a temporary folder, never in the repo; with --db
an existing file is reused (or built there and kept). For PostgreSQL the bench starts a
PostgreSQL 15 server of its own in a temporary folder (storage/pg_server.py: the server's
default settings, fsync and synchronous commits on) and copies the file into it with
`python -m bot migrate-to-postgres`, timed; --postgres-url names a database that already
holds a copy of the file instead. PostgreSQL is measured first, while the file is as it was
copied (the bench draws its samples from the file), then SQLite.

Each backend is measured in a child process of its own (so each has its own RSS), which
runs the real Application (bot.runtime.app.build_application + running) with the Bot API
answered in-process (bot.runtime.local_api.LocalBotApi) and feeds it Updates, timing each one
end to end:
- the floor (issue 15): a bare python-telegram-bot Application (the same builder, Defaults
  and in-process Bot API) whose one handler does one primary-key SELECT through the
  backend's driver (aiosqlite, or psycopg) and replies, measured interleaved with /flag and
  /status;
- /flag and /status, and the write transactions each commits; the comeback matching of a
  /flag (storage/comebacks.py) on its own;
- /stats 30d and the digest text, beside the same SQL run through the plain driver (the
  sqlite3 module, or psycopg);
- /report of a month and of a year (issue 18);
- /import of a 100,000-row CSV (validation + one transaction), with /status sent all the
  while it runs (reads never wait for the writer);
- the RSS of the bot's process at start and at its peak, apart from the generator's.
Prints one table, a column per backend, each figure beside its target; exits 1 if one is
missed. Writes nothing but temporary files (and --db).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from bench import dataset
from bot.domain import Platform
from bot.domain.compliance import window
from bot.domain.flood import FloodLimit
from bot.domain.periods import Period, PeriodKind
from bot.grammar import import_
from bot.runtime.app import OFFLINE_TOKEN, App, build_application, defaults, running
from bot.runtime.deps import Deps
from bot.runtime.jobs import gather
from bot.runtime.local_api import LocalBotApi, Output
from bot.runtime.settings import Settings
from bot.views import digest
from bot.views import report as report_view
from bot.views.common import pack
from bot.views.report import ReportContext
from storage import stats as stats_sql
from storage.store import Store

SAMPLES = 1000  # /flag and /status updates each
WARM_UP = 20
IMPORT_ROWS = 100_000
REPEATS = 15  # /stats and digest runs
PHASES = ("flag", "stats", "report", "import")
REPORT_REPEATS = 3
START = dataset.NOW + dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Where:
    """The database one run of the bench measures: the SQLite file, or (url set) the
    PostgreSQL database it was copied into. The bench draws its samples (accounts to /flag
    again, names for the /import) from the file in either case: on PostgreSQL it is the
    copy's source, left as it was copied."""

    path: Path
    url: str = ""

    @property
    def backend(self) -> str:
        return "PostgreSQL" if self.url else "SQLite"


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    target: str
    ok: bool | None  # None: no target, shown for information


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(values: list[float]) -> float:
    return statistics.median(values)


class BenchClock:
    """The bench's time: it starts at START and moves one second with each update sent."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def tick(self) -> None:
        self._now += dt.timedelta(seconds=1)


class Floor:
    """The floor of issue 15: what any update costs before Takedown Desk does anything. Its one
    SELECT goes through the driver of the backend measured (aiosqlite, or psycopg)."""

    def __init__(self, where: Where, settings: Settings) -> None:
        self.outputs: list[Output] = []
        api = LocalBotApi(self.outputs.append)
        self.app: Application[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(OFFLINE_TOKEN)
            .defaults(defaults(settings))
            .request(api)
            .get_updates_request(api)
            .concurrent_updates(True)
            .build()
        )
        self.app.add_handler(CommandHandler("ping", self._ping))
        self._where = where
        self._close: Callable[[], Awaitable[None]] | None = None
        self._select: Callable[[int], Awaitable[list[Any]]] | None = None

    async def __aenter__(self) -> Floor:
        sql = "SELECT handle FROM cases WHERE id = ?"
        if self._where.url:
            import psycopg  # here only: on SQLite the bot never loads it, nor does its floor

            from storage.postgres import translate

            pg = await psycopg.AsyncConnection.connect(self._where.url, autocommit=True)
            text = translate(sql).sql

            async def select(case_id: int) -> list[Any]:
                return await (await pg.execute(text, (case_id,))).fetchall()

            self._select, self._close = select, pg.close
        else:
            lite = await aiosqlite.connect(self._where.path)

            async def select(case_id: int) -> list[Any]:
                return list(await lite.execute_fetchall(sql, (case_id,)))

            self._select, self._close = select, lite.close
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()
        assert self._close is not None
        await self._close()

    async def _ping(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self._select is not None and update.effective_message is not None
        case_id = int(context.args[0]) if context.args else 1
        rows = await self._select(case_id)
        await update.effective_message.reply_text(f"#{case_id} {rows[0][0] if rows else '-'}")


class Bench:
    def __init__(self, app: App, api_outputs: list[Output], api: LocalBotApi, clock: BenchClock,
                 floor: Floor):  # fmt: skip
        self.app = app
        self.outputs = api_outputs
        self.api = api
        self.clock = clock
        self.floor = floor
        # Update ids must not repeat across runs on a kept database (redeliveries are skipped).
        self._update_id = time.time_ns() // 1000
        self.rng = random.Random(23)

    @property
    def store(self) -> Store:
        deps = self.app.bot_data["deps"]
        assert isinstance(deps, Deps) and deps.store is not None
        return deps.store

    def _message(self, user_id: int, text: str, app: Application[Any, Any, Any, Any, Any, Any]
                 | None = None, **extra: Any) -> Update:  # fmt: skip
        self._update_id += 1
        command = text.split()[0] if text.startswith("/") else ""
        entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message: dict[str, Any] = {
            "message_id": self._update_id,
            "date": int(self.clock.now().timestamp()),
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"Member {user_id}"},
        }
        if "document" in extra:
            message |= {"document": extra["document"], "caption": text}
            message["caption_entities"] = entities
        else:
            message |= {"text": text, "entities": entities}
        bot = (app or self.app).bot
        return Update.de_json({"update_id": self._update_id, "message": message}, bot)

    async def send(self, user_id: int, text: str, **extra: Any) -> tuple[float, list[Output]]:
        """Process one update end to end; the seconds it took and what the bot sent."""
        update = self._message(user_id, text, **extra)
        self.clock.tick()
        before = len(self.outputs)
        commits = self.store.db.commits
        started = time.perf_counter()
        await self.app.process_update(update)
        elapsed = time.perf_counter() - started
        self.last_commits = self.store.db.commits - commits
        # The inbox marks it handled after the reply (off the update's path): done here,
        # outside the timing, so that it does not run inside the floor's next measurement.
        inbox = self.app.bot_data["deps"].inbox
        if inbox is not None:
            await inbox.settle()
        # only this chat's: another command may be running beside this one
        sent = [o for o in self.outputs[before:] if o.chat_id == user_id]
        bad = [o.text for o in sent if "internal error" in o.text or "Usage" in o.text]
        if not sent or bad:
            raise RuntimeError(f"{text[:80]!r} was answered {bad or 'with nothing'}")
        return elapsed, sent

    async def ping(self, case_id: int) -> float:
        """One update through the floor application; the seconds it took."""
        update = self._message(dataset.ADMIN, f"/ping {case_id}", app=self.floor.app)
        started = time.perf_counter()
        await self.floor.app.process_update(update)
        elapsed = time.perf_counter() - started
        assert self.floor.outputs and self.floor.outputs[-1].text.startswith(f"#{case_id}")
        return elapsed


def sample_sources(path: Path, count: int, rng: random.Random) -> list[tuple[int, str]]:
    """(case id, the account as first reported) of random existing cases."""
    conn = sqlite3.connect(path)
    try:
        top = conn.execute("SELECT max(id) FROM cases").fetchone()[0]
        rows = []
        for case_id in rng.sample(range(1, top + 1), count):
            found = conn.execute(
                "SELECT source FROM reports WHERE case_id = ? ORDER BY id LIMIT 1", (case_id,)
            ).fetchone()
            if found:
                rows.append((case_id, str(found[0])))
        return rows
    finally:
        conn.close()


def comeback_sources(path: Path, count: int, rng: random.Random) -> list[str]:
    """New names made from actioned ones the way re-creations look (`name` -> `name_backup`)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT platform, handle FROM cases INDEXED BY cases_by_state"
            " WHERE state = 'actioned' AND platform IN ('x', 'telegram', 'instagram', 'tiktok')"
            " LIMIT 20000"
        ).fetchall()
    finally:
        conn.close()
    sources = []
    for platform, handle in rng.sample(rows, count):
        affix = rng.choice(["_new", "2", "_tv", "_bk", "_pk"])
        sources.append(f"{platform}:@{handle[: 15 - len(affix)]}{affix}")
    return sources


async def flags_and_status(bench: Bench, path: Path, samples: int) -> dict[str, list[float]]:
    rng = bench.rng
    groups = dataset.GROUPS
    known = sample_sources(path, 2 * samples, rng)
    comebacks = comeback_sources(path, samples // 5, rng)
    new_sources = [dataset._handle(rng, rng.choice(list(dataset.PLATFORM_SHARE)))[1]]
    while len(new_sources) < samples:
        new_sources.append(dataset._handle(rng, rng.choice(list(dataset.PLATFORM_SHARE)))[1])
    # /flag: 60% new accounts, 20% accounts already flagged (one more report), 20% names
    # that look like re-creations of actioned accounts.
    flag_sources = (
        new_sources[: samples * 3 // 5] + [s for _, s in known[: samples // 5]] + comebacks
    )
    rng.shuffle(flag_sources)
    top_before = await bench.store.db.fetchone("SELECT max(id) FROM cases")
    assert top_before is not None
    times: dict[str, list[float]] = {
        "flag": [], "status": [], "link": [], "probe": [], "floor": [], "flag_commits": [],
        "status_commits": [], "first_commits": [],
    }  # fmt: skip
    # Each member's first update also keeps their Telegram name (one write transaction of
    # its own, then never again while the name stays): counted apart, before the figures.
    for member in (*dataset.REPORTERS, *dataset.VIEWERS):
        await bench.send(member, f"/status #{known[0][0]}")
        times["first_commits"].append(bench.last_commits)
    warnings = 0
    for n, source in enumerate(flag_sources[:WARM_UP] + flag_sources[:samples]):
        text = f"/flag {source} {rng.choice(groups)} propaganda followers=12.5k seen in bench"
        floor = await bench.ping(known[n % len(known)][0])
        elapsed, sent = await bench.send(rng.choice(dataset.REPORTERS), text)
        warnings += "looks like a comeback" in sent[0].text
        if n >= WARM_UP:
            times["flag"].append(elapsed)
            times["floor"].append(floor)
            times["flag_commits"].append(bench.last_commits)
        if n % 250 == 0:
            print(f"  /flag {n}/{samples}", flush=True)
    print(f"  {samples} flags: {warnings} replies with a comeback warning", flush=True)
    for n, (case_id, source) in enumerate(known[samples // 5 :][: samples + WARM_UP]):
        text = f"/status #{case_id}" if n % 2 else f"/status {source}"
        floor = await bench.ping(case_id)
        elapsed, _sent = await bench.send(rng.choice(dataset.VIEWERS), text)
        if n >= WARM_UP:
            times["status"].append(elapsed)
            times["floor"].append(floor)
            times["status_commits"].append(bench.last_commits)
        if n % 250 == 0:
            print(f"  /status {n}/{samples}", flush=True)
    # The comeback matching of a /flag on its own (issue 7): the hook /flag calls, and the
    # bounded probes inside it, for each case the flags above created.
    new_ids = await bench.store.db.fetchall(
        "SELECT id FROM cases WHERE id > ? ORDER BY id", (top_before[0],)
    )
    at = bench.clock.now()
    for row in new_ids:
        started = time.perf_counter()
        await bench.store.comebacks.link_new_case(row[0], at)
        linked = time.perf_counter()
        await bench.store.comebacks.candidates_for(row[0])
        times["link"].append(linked - started)
        times["probe"].append(time.perf_counter() - linked)
    return times


def best_of(runs: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def plain_driver(where: Where, now: dt.datetime, settings: Settings) -> dict[str, list[float]]:
    """The same statements as storage/stats.py, run with the plain driver of the backend
    (the sqlite3 module, or psycopg with the statement's placeholders bound as storage's)."""
    run: Callable[[str, dict[str, Any]], object]
    if where.url:
        import psycopg

        from storage.postgres import SESSION, bind

        pg = psycopg.connect(where.url, autocommit=True)
        pg.execute(SESSION)  # the bot's session settings (no JIT): the same plans
        run, close = (lambda sql, values: pg.execute(*bind(sql, values)).fetchall()), pg.close
    else:
        lite = sqlite3.connect(where.path)
        run, close = (lambda sql, values: lite.execute(sql, values).fetchall()), lite.close
    win = window("30d", now)
    expired_before = stats_sql._expired_before(now, settings.sla)

    def params(w: Any) -> dict[str, Any]:
        return {
            "start": -1 if w.start is None else int(w.start.timestamp()),
            "end": int(w.end.timestamp()),
            "expired_before": expired_before,
            "platform": None,
        }

    by_platform = stats_sql.figures_sql("platform")
    assert win.start is not None
    both = params(win) | {"before": int((win.start - (win.end - win.start)).timestamp())}
    day = {"start": int((now - dt.timedelta(days=1)).timestamp()), "end": int(now.timestamp())}

    def stats() -> None:
        run(by_platform, params(win))

    def digest_queries() -> None:
        run(stats_sql._DIGEST_SQL, both)  # both tables, the change
        for sql in (stats_sql._NEW_CASES_SQL, stats_sql._SENT_SQL, stats_sql._OUTCOMES_SQL):
            run(sql, day)
        run(stats_sql._OVERDUE_SQL, {"expired_before": expired_before, "limit": 5})

    try:
        stats()  # warm the page cache
        return {"stats": best_of(REPEATS, stats), "digest": best_of(REPEATS, digest_queries)}
    finally:
        close()


async def stats_and_digest(bench: Bench, settings: Settings) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"stats": [], "digest": [], "digest_chart": []}
    for n in range(REPEATS + 1):
        elapsed, _sent = await bench.send(dataset.ADMIN, "/stats 30d")
        if n:
            times["stats"].append(elapsed)
    for _ in range(REPEATS):
        started = time.perf_counter()
        data = await gather(bench.store, settings, bench.clock.now())
        messages = pack(digest.digest_blocks(data))
        times["digest"].append(time.perf_counter() - started)
        assert messages
    for _ in range(3):
        elapsed, _sent = await bench.send(dataset.ADMIN, "/digest")
        times["digest_chart"].append(elapsed)
    return times


def import_csv(path: Path, rows: int, rng: random.Random) -> bytes:
    """90% accounts never seen, 10% already flagged; URL and short forms of every platform.

    A random name is often one the dataset already has (its names come from few syllables),
    so names are drawn again until they are new to the database and to the file."""
    known = [s for _, s in sample_sources(path, rows // 10, rng)]
    platforms = list(dataset.PLATFORM_SHARE)
    drawn: set[tuple[str, str]] = set()
    lines = ["account,group,category,followers,note"]
    with closing(sqlite3.connect(path)) as conn:
        while len(lines) <= rows:
            if len(lines) % 10 == 0 and known:
                source = known.pop()
            else:
                source = _unseen_source(conn, rng, rng.choice(platforms), drawn)
            followers = rng.choice(["", "950", "12.5k", "2m"])
            lines.append(f"{source},{rng.choice(dataset.GROUPS)},propaganda,{followers},bench")
    return ("\n".join(lines) + "\n").encode()


def _unseen_source(
    conn: sqlite3.Connection,
    rng: random.Random,
    platform: Platform,
    drawn: set[tuple[str, str]],
) -> str:
    """The typed form of an account that has no case and is not in the file yet."""
    while True:
        handle, source = dataset._handle(rng, platform)
        key = (platform.value, handle)
        if key in drawn:
            continue
        found = conn.execute(
            "SELECT 1 FROM cases WHERE platform = ? AND handle = ?", key
        ).fetchone()
        if found is None:
            drawn.add(key)
            return source


def import_file(path: Path, rows: int, seed: int) -> bytes:
    """`import_csv` in a child process: its sets and lists of 100,000 names would otherwise
    count in the bot's peak RSS (they took it from 65 to 103 MB before the /import began)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(import_csv, path, rows, random.Random(seed)).result()


async def import_rows(bench: Bench, path: Path, rows: int) -> dict[str, Any]:
    data = import_file(path, rows, bench.rng.randrange(2**32))
    status_ids = [case_id for case_id, _ in sample_sources(path, 200, bench.rng)]
    bench.api.files["bench-import"] = data
    document = {
        "file_id": "bench-import",
        "file_unique_id": "bench-import",
        "file_name": "bench.csv",
        "mime_type": "text/csv",
        "file_size": len(data),
    }
    importing = asyncio.create_task(bench.send(dataset.REVIEWERS[0], "/import", document=document))
    during: list[float] = []  # /status while the import runs: reads never wait for the writer
    while not importing.done():
        took, _sent = await bench.send(
            dataset.VIEWERS[0], f"/status #{status_ids[len(during) % 200]}"
        )
        during.append(took)
        await asyncio.sleep(0.005)
    elapsed, sent = await importing
    print(f"  /import reply: {'; '.join(sent[0].text.splitlines())}", flush=True)
    started = time.perf_counter()
    # Row by row, as the handler reads them: a list of them all would count in the peak RSS.
    bad = [
        row
        for row in import_.import_rows(data, list(dataset.GROUPS))
        if isinstance(row, import_.RowError)
    ]
    validate = time.perf_counter() - started
    assert not bad, bad[:3]
    after, _sent = await bench.send(dataset.REPORTERS[0], "/flag x:@after_import_1 TTP")
    return {"total": elapsed, "validate": validate, "next_flag": after, "during": during}


async def run_bot(
    where: Where, samples: int, rows: int, skip: frozenset[str], folder: Path
) -> list[Figure]:
    """The bot on `where`; on PostgreSQL its local update inbox is kept in `folder`."""
    outputs: list[Output] = []
    api = LocalBotApi(outputs.append)
    clock = BenchClock(START)
    settings = Settings(
        _env_file=None,  # the bench's settings only, not the repo's .env
        database_path=folder / "bench.db" if where.url else where.path,
        database_url=SecretStr(where.url),
        admin_ids=[dataset.ADMIN],
    )
    # one member sends every command of the benchmark: no commands-a-minute limit
    app = build_application(
        settings, clock=clock, request=api, flood=FloodLimit(per_minute=1_000_000_000)
    )
    figures: list[Figure] = []
    async with running(app), Floor(where, settings) as floor:
        start_rss = peak_mb()
        figures.append(
            Figure("RSS of the bot at start", f"{start_rss:.0f} MB", "<= 70 MB", start_rss <= 70)
        )
        bench = Bench(app, outputs, api, clock, floor)
        if "flag" not in skip:
            figures += await flag_figures(bench, where.path, samples)
        if "stats" not in skip:
            figures += await stats_figures(bench, where, settings, clock)
        if "report" not in skip:
            figures += await report_figures(bench, settings)
        if "import" not in skip:
            figures += await import_figures(bench, where.path, rows)
    peak = peak_mb()
    figures.append(
        Figure("peak RSS of the bot process", f"{peak:.0f} MB", "<= 130 MB", peak <= 130)
    )
    return figures


async def flag_figures(bench: Bench, path: Path, samples: int) -> list[Figure]:
    figures: list[Figure] = []
    print("measuring /flag, /status and the comeback matching ...", flush=True)
    times = await flags_and_status(bench, path, samples)
    floor = median(times["floor"])
    figures.append(Figure("floor p50 (bare PTB, one SELECT)", ms(floor), "", None))
    flag50, flag99, status50 = (
        median(times["flag"]),
        pct(times["flag"], 99),
        median(times["status"]),
    )
    figures += [
        Figure("/flag p50 (end to end)", f"{ms(flag50)}: {flag50 / floor:.1f}x", "<= 3x floor",
               flag50 <= 3 * floor),
        Figure("/flag p99", ms(flag99), "<= 10 ms", flag99 <= 0.010),
        Figure("/status p50 (end to end)", f"{ms(status50)}: {status50 / floor:.1f}x",
               "<= 2x floor", status50 <= 2 * floor),
        Figure("  /status p99", ms(pct(times["status"], 99)), "", None),
    ]  # fmt: skip
    for name, label, want in (("flag", "/flag", 1), ("status", "/status", 0)):
        most = max(times[f"{name}_commits"])
        figures.append(
            Figure(f"write transactions per {label} (max)", str(most), f"{want}", most == want)
        )
    first = max(times["first_commits"])
    figures.append(Figure("  a member's first /status (their name kept)", str(first), "", None))
    link50, probe50 = median(times["link"]), median(times["probe"])
    figures.append(
        Figure("comeback matching per /flag p50", ms(link50), "<= 5 ms", link50 <= 0.005)
    )
    figures.append(Figure("  comeback matching p99", ms(pct(times["link"], 99)), "", None))
    figures.append(Figure("  of which index probes p50", ms(probe50), "", None))
    return figures


async def stats_figures(
    bench: Bench, where: Where, settings: Settings, clock: BenchClock
) -> list[Figure]:
    figures: list[Figure] = []
    print(f"measuring /stats 30d and the digest (peak RSS {peak_mb():.0f} MB) ...", flush=True)
    bot_times = await stats_and_digest(bench, settings)
    raw = plain_driver(where, clock.now(), settings)
    for name, label in (("stats", "/stats 30d (end to end)"), ("digest", "digest text")):
        value, base = median(bot_times[name]), median(raw[name])
        figures.append(Figure(f"{label} median", ms(value), "<= 300 ms", value <= 0.3))
        figures.append(
            Figure(
                f"  {label.split()[0]} vs its SQL on the plain driver",
                f"{value / base:.2f}x of {ms(base)}",
                "<= 1.2x",
                value / base <= 1.2,
            )
        )
    chart = median(bot_times["digest_chart"])
    figures.append(Figure("/digest with chart (end to end)", ms(chart), "", None))
    return figures


async def report_figures(bench: Bench, settings: Settings) -> list[Figure]:
    """/report of the last full month and of the dataset's year to date (2026: 10 of its 12
    months, about 1M request rounds), end to end; the year's figures from storage apart
    from the drawing (the chart and the PDF)."""
    print(f"measuring /report (peak RSS {peak_mb():.0f} MB) ...", flush=True)
    figures: list[Figure] = []
    for words, target in (("", None), (" 2026", 2.0)):
        times = []
        for _ in range(REPORT_REPEATS):
            elapsed, sent = await bench.send(dataset.ADMIN, f"/report{words}")
            assert len(sent) >= 3, sent
            times.append(elapsed)
        value = median(times)
        name = f"/report{words or ' (the last full month)'} (end to end)"
        ok = None if target is None else value <= target
        figures.append(Figure(name, ms(value), "" if target is None else "<= 2 s", ok))
    year = Period(2026, PeriodKind.YEAR, 1)
    started = time.perf_counter()
    data = await bench.store.reports.figures(
        year, bench.clock.now(), settings.timezone, settings.sla, settings.banned_groups
    )
    storage_s = time.perf_counter() - started
    ctx = ReportContext(settings.unit_name, settings.timezone, settings.sla_hours)
    started = time.perf_counter()
    report_view.pdf_bytes(data, ctx)
    drawing = time.perf_counter() - started
    figures.append(Figure("  the year: figures from storage", ms(storage_s), "", None))
    figures.append(Figure("  the year: chart and PDF", ms(drawing), "", None))
    return figures


async def import_figures(bench: Bench, path: Path, rows: int) -> list[Figure]:
    figures: list[Figure] = []
    print(f"measuring /import of {rows:,} rows (peak RSS {peak_mb():.0f} MB) ...", flush=True)
    imported = await import_rows(bench, path, rows)
    rate = rows / imported["total"]
    figures.append(
        Figure("/import rows/s (end to end)", f"{rate:,.0f}", ">= 30,000", rate >= 30_000)
    )
    during = imported["during"]
    p99 = pct(during, 99) if len(during) > 1 else max(during, default=0.0)
    figures.append(
        Figure("  /status p99 during it", f"{ms(p99)} of {len(during)}", "<= 50 ms", p99 <= 0.05)
    )
    figures.append(
        Figure(
            "  of which validation",
            f"{imported['validate']:.2f} s of {imported['total']:.2f} s",
            "",
            None,
        )
    )
    # Everything but the validation is the one transaction (the file's download and the
    # reply take a few ms): the rate the database writes would allow with validation free.
    writes = imported["total"] - imported["validate"]
    figures.append(
        Figure("  database writes alone", f"{writes:.2f} s: {rows / writes:,.0f} rows/s", "", None)
    )
    figures.append(Figure("  next /flag after it", ms(imported["next_flag"]), "", None))
    return figures


def build_dataset(path: Path, cases: int) -> None:
    """In a child process, so its memory is not counted as the bot's."""
    print(f"building {cases:,} cases in {path} (child process) ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.dataset", str(path), "--cases", str(cases)], check=True
    )
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"dataset built in {time.perf_counter() - started:.0f} s (generator peak {child:.0f} MB)")


def load_postgres(path: Path, url: str) -> Figure:
    """The SQLite file copied into the empty database at `url` by `migrate-to-postgres`, as a
    unit moving there would (a child process; its memory is not the bot's)."""
    print(f"copying {path} into PostgreSQL (python -m bot migrate-to-postgres) ...", flush=True)
    env = os.environ | {"DATABASE_PATH": str(path), "DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "migrate-to-postgres"], env=env, check=True)
    took = time.perf_counter() - started
    return Figure("the dataset copied by migrate-to-postgres", f"{took:.0f} s", "", None)


def measure(where: Where, args: argparse.Namespace) -> list[Figure]:
    """One backend's figures, measured in a child process of their own (each its own RSS)."""
    print(f"\n== {where.backend} ==", flush=True)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            *(sys.executable, "-m", "bench.run", "--db", str(where.path), "--child-out", out.name),
            *("--samples", str(args.samples), "--import-rows", str(args.import_rows)),
            *(f"--skip={phase}" for phase in args.skip),
        ]
        if where.url:
            command += ["--postgres-url", where.url]
        subprocess.run(command, check=True)
        return [Figure(**figure) for figure in json.loads(Path(out.name).read_text())]


def child(where: Where, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="takedown-bench-") as folder:
        skip = frozenset(args.skip)
        figures = asyncio.run(run_bot(where, args.samples, args.import_rows, skip, Path(folder)))
    args.child_out.write_text(json.dumps([dataclasses.asdict(f) for f in figures]))


def print_table(columns: dict[str, list[Figure]]) -> None:
    """One row per figure, one column per backend: the value and whether it met its target."""
    names: list[str] = []
    targets: dict[str, str] = {}
    cells: dict[tuple[str, str], str] = {}
    for backend, figures in columns.items():
        for f in figures:
            if f.name not in targets:
                names.append(f.name)
                targets[f.name] = f.target
            mark = "" if f.ok is None else (" ok" if f.ok else " MISSED")
            cells[backend, f.name] = f.value + mark
    width = max(len(name) for name in names)
    widths = {b: max(len(b), *(len(cells.get((b, n), "")) for n in names)) for b in columns}
    print()
    print(f"{'figure':<{width}}  " + "  ".join(f"{b:>{widths[b]}}" for b in columns) + "  target")
    print("-" * (width + sum(widths.values()) + 2 * len(columns) + 10))
    for name in names:
        values = "  ".join(f"{cells.get((b, name), '-'):>{widths[b]}}" for b in columns)
        print(f"{name:<{width}}  {values}  {targets[name]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="reuse this file (built there if missing)")
    parser.add_argument("--cases", type=int, default=dataset.CASES)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument(
        "--backend", choices=("sqlite", "postgres"), action="append", help="only this one"
    )
    parser.add_argument(
        "--postgres-url",
        default="",
        help="a PostgreSQL database already holding a copy of --db (no server is started)",
    )
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)  # measure()'s child
    parser.add_argument(
        "--skip",
        action="append",
        choices=PHASES,
        default=[],
        help="leave out a phase (repeatable); the peak RSS is then of the phases run",
    )
    args = parser.parse_args()
    if args.child_out:
        return child(Where(args.db, args.postgres_url), args)
    started = time.perf_counter()
    backends = args.backend or ["postgres", "sqlite"]
    if "postgres" in backends and not args.postgres_url:
        from storage.pg_server import binaries_missing

        if why := binaries_missing():  # said before minutes of building the data
            sys.exit(f"{why}; or measure SQLite alone with --backend sqlite")
    columns: dict[str, list[Figure]] = {}
    with tempfile.TemporaryDirectory(prefix="takedown-bench-") as folder:
        path = args.db or Path(folder) / "bench.db"
        if not path.exists():
            build_dataset(path, args.cases)
        elif args.db is not None:
            print(f"reusing {path}: /flag and /import add to it, so figures drift a little")
        # PostgreSQL first: it is measured on a copy of the file as it is before SQLite's
        # run adds to it, and the bench draws its samples from the file.
        if "postgres" in backends:
            columns["PostgreSQL"] = on_postgres(path, args)
        if "sqlite" in backends:
            columns["SQLite"] = measure(Where(path), args)
    print_table(columns)
    print(f"\nbench took {time.perf_counter() - started:.0f} s")
    if any(f.ok is False for figures in columns.values() for f in figures):
        sys.exit(1)


def on_postgres(path: Path, args: argparse.Namespace) -> list[Figure]:
    """On the database of --postgres-url, or on a server of the bench's own (as a unit runs
    it: fsync and synchronous commits) that the file is copied into first."""
    if args.postgres_url:
        return measure(Where(path, args.postgres_url), args)
    from storage.pg_server import start_server

    print("starting a PostgreSQL 15 server in a temporary folder ...", flush=True)
    server = start_server(quick=False)
    try:
        url = server.create_database("takedown")
        loaded = load_postgres(path, url)
        # The copy's 4 GB of WAL written out now rather than by a checkpoint in the middle of
        # the figures: the bench measures the server settled, as it is minutes after a copy.
        with server.admin() as conn:
            conn.execute("CHECKPOINT")
        return [*measure(Where(path, url), args), loaded]
    finally:
        server.stop()


if __name__ == "__main__":
    main()
