"""/import end to end: a CSV document with /import as its caption, through the real bot."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.grammar.import_ import CHUNK_ROWS
from bot.runtime.app import GIL_SWITCH_SECONDS
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, running_bot, stored

REVIEWER, REPORTER = 301, 201
HEADER = "account,group,category,followers,note\n"


def counts(db: Path) -> tuple[int, int]:
    [both] = stored(db, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM reports)")
    return both


async def setup(api: FakeBotApi) -> None:
    await api.ask(ADMIN, f"/grant {REVIEWER} reviewer")
    await api.ask(ADMIN, f"/grant {REPORTER} reporter")


async def send(api: FakeBotApi, user: int, data: bytes, name: str = "list.csv") -> str:
    [answer] = await api.ask(user, None, document=(data, name), caption="/import")
    return answer.plain


async def test_import_summary_and_duplicates(fake_api: FakeBotApi, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await setup(fake_api)
        await fake_api.ask(REPORTER, "/flag x.com/old_one TTP")
        data = (
            HEADER
            + "https://twitter.com/Foo?s=20,TTP,hate,12.5k,یہ اکاؤنٹ\n"
            + "x.com/foo,ttp,,,same account again\n"
            + "x.com/old_one,BLA,,,\n"
            + 't.me/some_channel,BLF,propaganda,2m,"<b>\'; DROP TABLE cases; --</b>"\n'
        ).encode()
        text = await send(fake_api, REVIEWER, data)
        assert "Imported list.csv: 4 rows" in text
        assert "New cases: 2" in text and "New reports: 3" in text
        assert "Duplicates (repeated in the file or reported by you before): 1" in text
        [card] = await fake_api.ask(REVIEWER, "/status x:@foo")
        assert "Reports: 1" in card.plain and "یہ اکاؤنٹ" in card.plain
        [card] = await fake_api.ask(REVIEWER, "/status t.me/some_channel")
        assert "'; DROP TABLE cases; --" in card.plain and "<b>" in card.plain
        again = await send(fake_api, REVIEWER, data)
        assert "New reports: 0" in again and "Duplicates (repeated in the file or" in again
        [audit] = await fake_api.ask(ADMIN, "/audit")
        assert f"User ({REVIEWER}) import" in audit.plain
    assert counts(db) == (3, 4)
    # The new cases' comeback keys were filled after the reply (before the bot stopped).
    keys = stored(db, "SELECT handle, match_key FROM cases ORDER BY id")
    assert keys == [("old_one", "oldone"), ("foo", "foo"), ("some_channel", "some")]


async def test_bad_rows_are_listed_and_nothing_is_written(fake_api: FakeBotApi, tmp_path: Path):
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await setup(fake_api)
        rows = "".join(f"x.com/ok{n},TTP,,,\n" for n in range(5))
        rows += "https://example.org/x,TTP,,,\n" + "x.com/fine,ISIS,,,\n"
        rows += "".join(f"x.com/bad{n},TTP,,lots,\n" for n in range(40))
        text = await send(fake_api, REVIEWER, (HEADER + rows).encode())
        assert "Nothing imported from list.csv: 42 rows have problems" in text
        assert "Row 7: Unknown site" in text and "Row 8: Unknown group 'ISIS'" in text
        assert "Row 9: followers=lots is not a number" in text
        assert "… and 12 more" in text
        assert "Row 36:" in text and "Row 37:" not in text
    assert counts(db) == (0, 0)


async def test_a_bad_row_after_rows_already_written_writes_nothing(fake_api, tmp_path):
    """The rows are written as they are read, in the one transaction: a bad row met after
    the first chunks went in rolls them back, and the file imports once it is fixed."""
    db = tmp_path / "t.db"
    good = [f"x.com/ok{n},TTP,,,\n" for n in range(CHUNK_ROWS + 100)]
    async with running_bot(fake_api, db):
        # the rows are read in a thread: the event loop gets the GIL back within 0.5 ms
        assert sys.getswitchinterval() == GIL_SWITCH_SECONDS
        await setup(fake_api)
        bad = HEADER + "".join(good) + "x.com/late,ISIS,,,\n" + "x.com/after,TTP,,,\n"
        text = await send(fake_api, REVIEWER, bad.encode())
        assert "Nothing imported from list.csv: 1 row has problems" in text
        assert f"Row {CHUNK_ROWS + 102}: Unknown group 'ISIS'" in text
        assert counts(db) == (0, 0)
        text = await send(fake_api, REVIEWER, (HEADER + "".join(good)).encode())
        assert f"Imported list.csv: {CHUNK_ROWS + 100:,} rows" in text
    assert counts(db) == (CHUNK_ROWS + 100, CHUNK_ROWS + 100)


async def test_a_file_problem_after_rows_already_written_writes_nothing(fake_api, tmp_path):
    db = tmp_path / "t.db"
    good = "".join(f"x.com/ok{n},TTP,,,\n" for n in range(CHUNK_ROWS + 10))
    huge = "x.com/huge,TTP,,," + "n" * 200_000 + "\n"  # past the csv module's field limit
    async with running_bot(fake_api, db):
        await setup(fake_api)
        text = await send(fake_api, REVIEWER, (HEADER + good + huge).encode())
        assert "The file is not valid CSV near line" in text and "Usage: /import" in text
    assert counts(db) == (0, 0)


async def test_file_problems_get_a_clear_reason(fake_api: FakeBotApi, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    async with running_bot(fake_api, db):
        await setup(fake_api)
        latin1 = (HEADER + "x.com/foo,TTP,,,caf\xe9\n").encode("latin-1")
        assert "not UTF-8" in await send(fake_api, REVIEWER, latin1)
        assert "empty" in await send(fake_api, REVIEWER, b"")
        extra = (HEADER.strip() + ",extra\nx.com/foo,TTP,,,,1\n").encode()
        assert "Unknown column(s) 'extra'" in await send(fake_api, REVIEWER, extra)
        pdf = await send(fake_api, REVIEWER, b"%PDF-1.4", name="cases.pdf")
        assert "cases.pdf is not a CSV file" in pdf
        [plain] = await fake_api.ask(REVIEWER, "/import")
        assert "No file attached" in plain.plain and "Usage: /import" in plain.plain
        [reporter] = await fake_api.ask(
            REPORTER, None, document=(HEADER.encode(), "a.csv"), caption="/import"
        )
        assert "needs the reviewer role" in reporter.plain
    assert counts(db) == (0, 0)
