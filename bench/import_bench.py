"""Figures for /import: 100,000 CSV rows validated and written in one transaction.

.venv/bin/python -m bench.import_bench
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

from bot.csv_import import read_import
from storage.store import Store

ROWS = 100_000
GROUPS = ["TTP", "BLA", "BLF"]
AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
FORMS = (
    "https://twitter.com/acct{n}?s=20",
    "t.me/channel_{n}",
    "instagram.com/user.{n}/",
    "tiktok.com/@tt_{n}",
    "youtube.com/@yt-{n}",
    "facebook.com/page.{n}",
)


def csv_file(rows: int) -> bytes:
    lines = ["account,group,category,followers,note"]
    for n in range(rows):
        form = FORMS[n % len(FORMS)].format(n=n)
        lines.append(f"{form},{GROUPS[n % 3]},propaganda,{n % 900}.5k,row {n} یہ اکاؤنٹ")
    return ("\n".join(lines) + "\n").encode()


async def main() -> None:
    data = csv_file(ROWS)
    start = time.perf_counter()
    parsed = read_import(data, GROUPS)
    validated = time.perf_counter()
    assert not parsed.errors, parsed.errors[:3]
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.db")
        try:
            # a few thousand existing cases, so the import meets both new and known accounts
            await store.cases.report_many(parsed.rows[:5_000], 1, AT)
            written_start = time.perf_counter()
            summary = await store.cases.report_many(parsed.rows, 2, AT, name="bench.csv")
            written = time.perf_counter()
        finally:
            await store.close()
    validate_s, write_s = validated - start, written - written_start
    print(f"{ROWS:,} rows, {len(data) / 1024 / 1024:.1f} MB: {summary}")
    print(f"validate (decode, CSV, parse_account, rules): {validate_s:.2f} s "
          f"= {ROWS / validate_s:,.0f} rows/s")  # fmt: skip
    print(f"write (one transaction, set-based SQL):       {write_s:.2f} s "
          f"= {ROWS / write_s:,.0f} rows/s")  # fmt: skip
    total = validate_s + write_s
    print(
        f"total:                                        {total:.2f} s = {ROWS / total:,.0f} rows/s"
    )


if __name__ == "__main__":
    asyncio.run(main())
