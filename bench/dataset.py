"""A realistic database for `make bench`, written fast with the plain sqlite3 module.

    .venv/bin/python -m bench.dataset PATH [--cases N]

1,000,000 cases, 2,000,000 reports and 1,200,000 request rounds over 365 days and the 7
platforms. The schema comes from `storage.db.Database.open` (every migration), then the rows
go in with executemany in big transactions, the secondary indexes dropped during the load and
created again from their own SQL. Every column the app reads is filled, `cases.match_key`
with `bot.domain.comebacks.match_key`, and the data is consistent: a case's state follows from its
last request round (open -> requested, removed/restricted -> actioned, restored -> flagged,
rejected/no_response -> refused; an escalation only after a refusal), outcomes come after
their round was sent and before NOW, each platform has its own compliance.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain import Category, Platform
from bot.domain.accounts import parse_account
from bot.domain.comebacks import match_key
from storage.db import Database

NOW = dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Karachi
NOW_TS = int(NOW.timestamp())
DAY = 86_400
SPAN_DAYS = 365
SLA = 72 * 3600
CASES = 1_000_000
REPORTS = 2_000_000
ROUNDS = 1_200_000
GROUPS = ("TTP", "BLA", "BLF")
GROUP_WEIGHTS = (0.55, 0.30, 0.15)
ADMIN = 100
REVIEWERS = tuple(range(1001, 1011))
REPORTERS = tuple(range(2001, 2081))
VIEWERS = tuple(range(3001, 3011))

# Share of the cases per platform, and what each platform does with a request:
# (removed, restricted, rejected, no_response).
PLATFORM_SHARE: dict[Platform, float] = {
    Platform.X: 0.25,
    Platform.FACEBOOK: 0.20,
    Platform.TELEGRAM: 0.15,
    Platform.TIKTOK: 0.12,
    Platform.INSTAGRAM: 0.10,
    Platform.YOUTUBE: 0.10,
    Platform.WHATSAPP: 0.08,
}
OUTCOME_RATES: dict[Platform, tuple[float, float, float, float]] = {
    Platform.FACEBOOK: (0.80, 0.10, 0.07, 0.03),
    Platform.X: (0.20, 0.11, 0.40, 0.29),
    Platform.TELEGRAM: (0.55, 0.05, 0.20, 0.20),
    Platform.TIKTOK: (0.70, 0.10, 0.15, 0.05),
    Platform.INSTAGRAM: (0.75, 0.10, 0.10, 0.05),
    Platform.YOUTUBE: (0.65, 0.10, 0.20, 0.05),
    Platform.WHATSAPP: (0.30, 0.05, 0.25, 0.40),
}
OUTCOMES = ("removed", "restricted", "rejected", "no_response")
SYLLABLES = (
    "ba", "la", "ma", "ka", "ta", "ri", "su", "no", "de", "zar", "mo", "min", "hak", "kal",
    "san", "gar", "um", "ar", "kho", "ra", "jee", "yay", "lo", "ch", "tah", "re", "ek", "ghaz",
    "wa", "hin", "nur", "al", "mir", "sad", "paa", "ki", "sta", "qa", "id", "fa", "ja",
)  # fmt: skip
AFFIXES = ("", "", "", "", "media", "news", "tv", "official", "backup", "urdu", "pk", "live")
NOTES = (
    "",
    "",
    "",
    "shares attack videos",
    "recruitment posts in Urdu",
    "یہ اکاؤنٹ پروپیگنڈا پھیلاتا ہے",
    "re-uploads of the banned channel",
    "fundraising via mobile wallets",
)
CATEGORIES = [c.value for c in Category]
# Pakistani mobile operators' prefixes (all valid for libphonenumber).
MOBILE_PREFIXES = ("300", "301", "302", "303", "304", "305", "306", "307", "308", "309",
                   "310", "311", "312", "313", "314", "315", "320", "321", "322", "323",
                   "324", "330", "331", "332", "333", "334", "335", "336", "340", "341",
                   "342", "343", "344", "345", "346", "347")  # fmt: skip


@dataclass
class Case:
    id: int
    platform: Platform
    handle: str
    source: str
    group: str
    category: str
    followers: int | None
    created_at: int
    created_by: int
    state: str = "flagged"
    updated_at: int = 0
    dismissed_reason: str | None = None
    rounds: list[tuple[object, ...]] = field(default_factory=list)


def _name(rng: random.Random, separators: str) -> str:
    """A name like `kalmir_media22`: a few syllables, maybe an affix and digits."""
    base = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    affix = rng.choice(AFFIXES)
    sep = rng.choice(separators) if separators else ""
    name = base + (sep + affix if affix else "")
    if rng.random() < 0.45:
        name += str(rng.randint(1, 9999))
    return name[:15]


def _handle(rng: random.Random, platform: Platform) -> tuple[str, str]:
    """(canonical handle, the text a reporter typed)."""
    if platform is Platform.WHATSAPP:
        number = f"+92{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        return number, f"https://wa.me/{number[1:]}"
    if platform is Platform.FACEBOOK:
        roll = rng.random()
        if roll < 0.15:
            num = str(rng.randrange(10**14, 10**15))
            return f"id:{num}", f"https://m.facebook.com/profile.php?id={num}"
        if roll < 0.25:
            name = _name(rng, ".")
            return f"group:{name}", f"https://www.facebook.com/groups/{name}"
        name = _name(rng, ".")
        return name, f"https://www.facebook.com/{name}"
    if platform is Platform.X:
        name = _name(rng, "_")
        return name, rng.choice(
            (f"https://x.com/{name}", f"https://twitter.com/{name.title()}?s=20", f"x:@{name}")
        )
    if platform is Platform.TELEGRAM:
        name = _name(rng, "_")
        if len(name) < 5:
            name += "_tg"
        return name, rng.choice((f"https://t.me/{name}", f"t.me/s/{name}", f"telegram:@{name}"))
    if platform is Platform.INSTAGRAM:
        name = _name(rng, "._")
        return name, f"https://www.instagram.com/{name}/"
    if platform is Platform.TIKTOK:
        name = _name(rng, "._")
        return name, f"https://www.tiktok.com/@{name}"
    name = _name(rng, "_-")
    return name, f"https://www.youtube.com/@{name}"


def _followers(rng: random.Random) -> int | None:
    if rng.random() < 0.2:
        return None
    return int(math.exp(rng.gauss(7.5, 2.0)))


def make_cases(rng: random.Random, count: int) -> list[Case]:
    platforms = list(PLATFORM_SHARE)
    weights = list(PLATFORM_SHARE.values())
    seen: set[tuple[Platform, str]] = set()
    created = sorted(
        NOW_TS - int(SPAN_DAYS * DAY * (1 - rng.random() ** 1.3)) for _ in range(count)
    )  # more cases lately
    cases: list[Case] = []
    while len(cases) < count:
        platform = rng.choices(platforms, weights)[0]
        handle, source = _handle(rng, platform)
        if (platform, handle) in seen:
            continue
        seen.add((platform, handle))
        at = created[len(cases)]
        cases.append(
            Case(
                id=len(cases) + 1,
                platform=platform,
                handle=handle,
                source=source,
                group=rng.choices(GROUPS, GROUP_WEIGHTS)[0],
                category=rng.choice(CATEGORIES),
                followers=_followers(rng),
                created_at=at,
                created_by=rng.choice(REPORTERS),
                updated_at=at,
            )
        )
    return cases


def plan_rounds(rng: random.Random, cases: list[Case], total: int) -> None:
    """Request rounds: most cases get a first round some days after they were flagged; a
    refused one is escalated while the budget lasts; the state follows the last round."""
    order = list(range(len(cases)))
    rng.shuffle(order)
    budget = total
    with_rounds = int(len(cases) * 0.93)
    for index in order:
        case = cases[index]
        if budget == 0 or with_rounds == 0:
            break
        sent = case.created_at + int(rng.expovariate(1 / (2 * DAY)))
        if sent >= NOW_TS:
            continue
        with_rounds -= 1
        rates = OUTCOME_RATES[case.platform]
        round_no = 0
        while budget > 0 and sent < NOW_TS:
            round_no += 1
            budget -= 1
            by = rng.choice(REVIEWERS)
            ref = f"TD-{case.platform.value}-{round_no}" if rng.random() < 0.3 else ""
            outcome: str | None = rng.choices(OUTCOMES, rates)[0]
            answered = sent + int(rng.lognormvariate(math.log(30 * 3600), 1.0))
            if outcome == "no_response":
                answered = max(answered, sent + SLA + 3600)
            outcome_at: int | None = answered
            if answered >= NOW_TS or rng.random() < 0.01:  # no answer yet (some overdue)
                outcome, outcome_at = None, None
            restored_at = None
            if outcome == "removed" and outcome_at and rng.random() < 0.02:
                restored_at = outcome_at + int(rng.expovariate(1 / (20 * DAY)))
                if restored_at >= NOW_TS:
                    restored_at = None
            case.rounds.append(
                (
                    case.id,
                    round_no,
                    sent,
                    by,
                    ref,
                    outcome,
                    outcome_at,
                    None if outcome is None else by,
                    "" if outcome is None or rng.random() < 0.8 else "see ticket",
                    restored_at,
                )
            )
            last = restored_at or outcome_at or sent
            case.updated_at = last
            if outcome is None:
                case.state = "requested"
                break
            if outcome in ("removed", "restricted"):
                case.state = "flagged" if restored_at else "actioned"
                break
            case.state = "refused"
            if rng.random() < 0.2 or round_no >= 5:
                break  # not escalated (yet)
            sent = last + int(rng.expovariate(1 / (5 * DAY)))
    for case in cases:
        if case.state == "flagged" and not case.rounds and rng.random() < 0.05:
            case.state = "dismissed"
            case.dismissed_reason = "not linked to any group"
            case.updated_at = min(NOW_TS - 1, case.created_at + DAY)


def report_rows(rng: random.Random, cases: list[Case], total: int) -> Iterator[tuple[object, ...]]:
    """The first report of every case, then the extra ones on a skewed choice of cases (a few
    cases are reported by many members)."""
    extra = [0] * len(cases)
    for _ in range(total - len(cases)):
        index = int(len(cases) * rng.random() ** 3)
        if extra[index] >= 40:
            index = rng.randrange(len(cases))
        extra[index] += 1
    for case, more in zip(cases, extra, strict=True):
        reporters = [case.created_by]
        if more:
            others = [r for r in REPORTERS if r != case.created_by]
            reporters += rng.sample(others, min(more, len(others)))
        at = case.created_at
        for n, reporter in enumerate(reporters):
            if n:
                at = min(NOW_TS - 1, at + int(rng.expovariate(1 / (3 * DAY))))
            yield (
                case.id,
                reporter,
                at,
                case.source,
                case.category,
                case.followers,
                rng.choice(NOTES),
            )


def _members() -> list[tuple[int, str, str, int, int]]:
    rows = [(ADMIN, "admin", "Admin", ADMIN, NOW_TS - SPAN_DAYS * DAY)]
    for ids, role in ((REVIEWERS, "reviewer"), (REPORTERS, "reporter"), (VIEWERS, "viewer")):
        rows += [(i, role, f"{role} {i}", ADMIN, NOW_TS - SPAN_DAYS * DAY) for i in ids]
    return rows


def check_handles(cases: list[Case], rng: random.Random) -> None:
    """The generated handles are canonical: parse_account reads each source to that handle."""
    for case in rng.sample(cases, 2000):
        ref = parse_account(case.source)
        assert (ref.platform, ref.handle) == (case.platform, case.handle), (case, ref)


def build(path: Path, cases_n: int = CASES, seed: int = 11) -> dict[str, int]:
    started = time.perf_counter()
    rng = random.Random(seed)
    scale = cases_n / CASES

    async def create() -> None:
        await (await Database.open(path)).close()

    asyncio.run(create())
    cases = make_cases(rng, cases_n)
    check_handles(cases, rng)
    plan_rounds(rng, cases, int(ROUNDS * scale))
    print(f"  generated {cases_n:,} cases in {time.perf_counter() - started:.0f} s", flush=True)

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")  # 1 GB: the indexes stay in memory
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    conn.execute("BEGIN")
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.executemany(
        "INSERT INTO members (user_id, role, display_name, granted_by, granted_at)"
        " VALUES (?, ?, ?, ?, ?)",
        _members(),
    )
    conn.executemany(
        "INSERT INTO cases (id, platform, handle, grp, category, followers, state, created_at,"
        " created_by, updated_at, dismissed_reason, match_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                c.id,
                c.platform.value,
                c.handle,
                c.group,
                c.category,
                c.followers,
                c.state,
                c.created_at,
                c.created_by,
                c.updated_at,
                c.dismissed_reason,
                match_key(c.platform, c.handle) or "",
            )
            for c in cases
        ),
    )
    conn.executemany(
        "INSERT INTO audit (at, user_id, action, case_id, before, after, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((c.created_at, c.created_by, "flag", c.id, None, "flagged", c.source) for c in cases),
    )
    print(f"  cases written: {time.perf_counter() - started:.0f} s", flush=True)
    conn.executemany(
        "INSERT INTO reports (case_id, reporter_id, reported_at, source, category, followers,"
        " note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        report_rows(rng, cases, int(REPORTS * scale)),
    )
    print(f"  reports written: {time.perf_counter() - started:.0f} s", flush=True)
    conn.executemany(
        "INSERT INTO request_rounds (case_id, round_no, sent_at, sent_by, ref, outcome,"
        " outcome_at, outcome_by, outcome_note, restored_at, platform, grp, category)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((*row, c.platform.value, c.group, c.category) for c in cases for row in c.rounds),
    )
    conn.executemany(
        "INSERT INTO audit (at, user_id, action, case_id, before, after, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (c.updated_at, ADMIN, "dismiss", c.id, "flagged", "dismissed", c.dismissed_reason)
            for c in cases
            if c.state == "dismissed"
        ),
    )
    # Evidence kept with one report in twenty.
    conn.execute(
        "INSERT INTO evidence (case_id, report_id, added_by, added_at, chat_id, message_id, text,"
        " forward_origin) SELECT case_id, id, reporter_id, reported_at, reporter_id, id,"
        " 'forwarded post', 'channel @source' FROM reports WHERE id % 20 = 0"
    )
    print(f"  rounds written: {time.perf_counter() - started:.0f} s", flush=True)
    for _index, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")  # no ANALYZE: the bot never runs it, so plans stay as in use
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("cases", "reports", "request_rounds", "audit", "evidence")
    }
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"  indexes built: {time.perf_counter() - started:.0f} s", flush=True)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cases", type=int, default=CASES)
    args = parser.parse_args()
    counts = build(args.path, args.cases)
    print("  " + ", ".join(f"{n:,} {table}" for table, n in counts.items()), flush=True)


if __name__ == "__main__":
    main()
