"""The subprocess of test_crash.py: the /import storage call, to be killed at random points.

    python -m tests.robustness.import_child DB CSV REPORTER

Opens the store as the bot does, prints "ready", and runs the /import handler's storage call
(Cases.report_many) on the file's rows as the handler streams them (valid_chunks: read in
chunks and written as they are read, in the one transaction), prints "done".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from bot.grammar.import_ import valid_chunks
from storage.store import Store

GROUPS = ["TTP", "BLA", "BLF"]
AT = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


async def main(db_path: Path, data: bytes, name: str, reporter: int) -> None:
    store = await Store.open(db_path)
    try:
        print("ready", flush=True)
        rows = valid_chunks(data, GROUPS)
        summary = await store.cases.report_many(rows, reporter=reporter, at=AT, name=name)
        print(f"done {summary.new_reports}", flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    csv_path = Path(sys.argv[2])
    asyncio.run(main(Path(sys.argv[1]), csv_path.read_bytes(), csv_path.name, int(sys.argv[3])))
