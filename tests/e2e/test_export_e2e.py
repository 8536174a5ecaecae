"""Issue 4 end to end: /export as a CSV document, and an export imported again."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from bot.views.export import HEADER
from tests.clock import ManualClock
from tests.e2e.fake_bot_api import SentMessage
from tests.e2e.harness import ADMIN, START, flag, running_bot

REVIEWER = 201
REPORTER = 203


def rows_of(document: SentMessage) -> list[dict[str, str]]:
    assert document.document is not None
    assert document.document.startswith("\ufeff".encode())  # Excel reads Urdu as UTF-8
    text = document.document.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == HEADER
    return list(reader)


async def test_export_is_a_csv_with_one_row_per_case_and_its_latest_round(fake_api, tmp_path):
    clock = ManualClock(START)
    async with running_bot(fake_api, tmp_path / "t.db", clock=clock):
        await fake_api.ask(ADMIN, f"/grant {REVIEWER} reviewer")
        await fake_api.ask(ADMIN, f"/grant {REPORTER} reporter")
        a = await flag(fake_api, "x.com/Alpha_One TTP recruitment followers=12.5k first post")
        b = await flag(fake_api, 't.me/bravo_chan BLA =HYPERLINK("http://evil")')
        c = await flag(fake_api, "wa.me/923001234567 BLF")
        await fake_api.ask(REVIEWER, f"/request #{a} ref=X-1")
        clock.advance(dt.timedelta(hours=3))
        await fake_api.ask(REVIEWER, f"/outcome #{a} rejected")
        await fake_api.ask(REVIEWER, f"/request #{a} #{c} ref=X-2")

        [document] = await fake_api.ask(REVIEWER, "/export")
        assert document.filename == "takedown-all-20261102-1400.csv"
        assert document.caption == "3 cases (all)."
        rows = rows_of(document)
        assert [row["case_id"] for row in rows] == [str(a), str(b), str(c)]
        first = rows[0]
        assert first["account"] == "https://x.com/alpha_one"
        assert (first["group"], first["category"], first["followers"]) == (
            "TTP",
            "recruitment",
            "12500",
        )
        assert first["note"] == "first post"
        assert (first["platform"], first["handle"], first["state"], first["reports"]) == (
            "x",
            "alpha_one",
            "requested",
            "1",
        )
        assert first["first_reported"] == "2026-11-02T11:00+05:00"
        assert (first["latest_round"], first["sent_at"], first["outcome"], first["ref"]) == (
            "2",
            "2026-11-02T14:00+05:00",
            "",
            "X-2",
        )
        # a note that a spreadsheet would run as a formula is neutralised
        assert rows[1]["note"] == '\'=HYPERLINK("http://evil")'
        assert rows[1]["latest_round"] == "" and rows[1]["state"] == "flagged"
        assert rows[2]["handle"] == "whatsapp:+923001234567"

        [pending] = await fake_api.ask(REVIEWER, "/export pending")
        assert [row["case_id"] for row in rows_of(pending)] == [str(a), str(c)]
        [telegram] = await fake_api.ask(REVIEWER, "/export telegram")
        assert [row["case_id"] for row in rows_of(telegram)] == [str(b)]
        [none] = await fake_api.ask(REVIEWER, "/export youtube")
        assert none.plain == "No cases to export (youtube)."
        [bad] = await fake_api.ask(REVIEWER, "/export everything")
        assert "Unknown export 'everything'" in bad.plain and "Usage: /export" in bad.plain
        [refused] = await fake_api.ask(REPORTER, "/export")
        assert "needs the reviewer role" in refused.plain


@pytest.mark.sqlite_only  # two databases, one file each
async def test_an_export_imported_into_a_new_database_gives_the_same_cases(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "first.db"):
        await flag(fake_api, "x.com/Alpha_One TTP recruitment followers=12.5k first post")
        await flag(fake_api, "https://www.facebook.com/page.one?ref=x BLA propaganda")
        await flag(
            fake_api, 'youtube.com/@Some_Channel BLF hate followers=2m long, note; with "quotes"'
        )
        await flag(fake_api, "wa.me/923001234567 TTP")
        await flag(fake_api, "t.me/bravo_chan BLA")
        await fake_api.ask(ADMIN, "/request #1 #2")
        await fake_api.ask(ADMIN, "/outcome #1 removed")
        [original] = await fake_api.ask(ADMIN, "/export")
    assert original.document is not None

    async with running_bot(fake_api, tmp_path / "second.db"):
        [imported] = await fake_api.ask(
            ADMIN, None, document=(original.document, "export.csv"), caption="/import"
        )
        assert "New cases: 5" in imported.plain, imported.plain
        [again] = await fake_api.ask(ADMIN, "/export")

    def cases(document: SentMessage) -> list[tuple[str, ...]]:
        return [
            (
                row["account"],
                row["group"],
                row["category"],
                row["followers"],
                row["note"],
                row["platform"],
                row["handle"],
            )  # fmt: skip
            for row in rows_of(document)
        ]

    assert cases(again) == cases(original)
    assert len(cases(again)) == 5
