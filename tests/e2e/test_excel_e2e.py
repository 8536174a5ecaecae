"""Issue 16 items 7 and 8: files as Excel writes them, and phone numbers as people write them.

What Excel writes imports (a byte order mark, `;` separators and its `sep=;` line, empty
columns after the last one, rows without their trailing empty fields); what it cannot mean
(a phone number rounded to 9.23001E+11, a mobile number without its leading 0) gets a hint
saying what Excel did. The export carries a byte order mark, so Excel shows Urdu as Urdu,
and phone numbers without the apostrophe that keeps them text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, flag_reply, running_bot, stored


async def send(api: FakeBotApi, data: bytes, name: str = "excel.csv") -> str:
    [answer] = await api.ask(ADMIN, None, document=(data, name), caption="/import")
    return answer.plain


def handles(db: Path) -> list[str]:
    return [row[0] for row in stored(db, "SELECT handle FROM cases ORDER BY id")]


async def test_what_excel_writes_imports(fake_api: FakeBotApi, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    # Excel (Urdu or German locale), "CSV UTF-8": BOM, semicolons, trailing empty columns,
    # the last row without its empty note field.
    semicolons = (
        "\ufeffaccount;group;category;followers;note;;;\r\n"
        "x.com/first_one;TTP;propaganda;1200;یہ اکاؤنٹ بھرتی کرتا ہے;;;\r\n"
        "+92 300 1234567;BLA;;;\r\n"
        "t.me/third_one;BLF;other\r\n"
    ).encode()
    with_sep_line = b"sep=,\r\naccount,group,category,followers,note\r\nx.com/fourth_one,TTP\r\n"
    async with running_bot(fake_api, db):
        done = await send(fake_api, semicolons)
        assert "New cases: 3" in done, done
        assert "New cases: 1" in await send(fake_api, with_sep_line)
        [card] = await fake_api.ask(ADMIN, "/status #1")
        assert "یہ اکاؤنٹ بھرتی کرتا ہے" in card.plain
    assert handles(db) == ["first_one", "+923001234567", "third_one", "fourth_one"]


async def test_what_excel_did_to_a_phone_number_is_said(fake_api: FakeBotApi, tmp_path: Path):
    rounded = b"account,group,category,followers,note\n9.23001E+11,TTP,,,\n3001234567,TTP,,,\n"
    async with running_bot(fake_api, tmp_path / "t.db"):
        answer = await send(fake_api, rounded)
    assert "Row 2: '9.23001E+11' is a phone number Excel turned into a rounded number" in answer
    assert "format the column as Text in Excel" in answer
    assert "Row 3: '3001234567' looks like 03001234567 with its leading 0 dropped by Excel" in (
        answer
    )
    assert "Unknown site" not in answer
    assert handles(tmp_path / "t.db") == []


async def test_export_has_a_bom_and_phone_numbers_without_an_apostrophe(
    fake_api: FakeBotApi, tmp_path: Path
):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await flag_reply(fake_api, "wa.me/923001234567 TTP یہ نمبر")
        [document] = await fake_api.ask(ADMIN, "/export")
    data = document.document
    assert data is not None and data.startswith("\ufeff".encode())
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert row["handle"] == "whatsapp:+923001234567" and "'" not in row["handle"]
    assert row["note"] == "یہ نمبر"


async def test_phone_numbers_as_people_write_them_are_one_case(
    fake_api: FakeBotApi, tmp_path: Path
):
    written = [
        "+92 300 1234567",  # in groups, as a phone shows it
        "923001234567",  # the + left out, as wa.me has it
        "۰۳۰۰۱۲۳۴۵۶۷",  # Urdu digits
        "+٩٢٣٠٠١٢٣٤٥٦٧",  # Arabic digits
        "0300-1234567",
    ]
    async with running_bot(fake_api, tmp_path / "t.db"):
        for text in written:
            case_id, answer = await flag_reply(fake_api, f"{text} TTP recruitment")
            assert case_id == 1, (text, answer)
            assert "whatsapp:+923001234567" in answer, (text, answer)
        for text in written:
            [card] = await fake_api.ask(ADMIN, f"/status {text}")
            assert card.plain.startswith("Case #1 · WhatsApp whatsapp:+923001234567"), text
