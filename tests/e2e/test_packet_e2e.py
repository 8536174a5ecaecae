"""Issue 7 end to end: /packet sends the CSV and the letter; the button opens the rounds."""

from __future__ import annotations

import csv
import io

from tests.e2e.harness import ADMIN, flag, running_bot

REVIEWER = 201
REPORTER = 203


async def test_packet_then_mark_as_requested_opens_the_rounds_with_its_reference(
    fake_api, tmp_path
):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await fake_api.ask(ADMIN, f"/grant {REVIEWER} reviewer")
        await fake_api.ask(ADMIN, f"/grant {REPORTER} reporter")
        a = await flag(fake_api, "x.com/alpha_one TTP propaganda followers=12.5k posts videos")
        b = await flag(fake_api, "x.com/bravo_two BLA")
        dismissed = await flag(fake_api, "x.com/charlie TTP")
        await fake_api.ask(ADMIN, f"/dismiss #{dismissed} news outlet")
        await flag(fake_api, "t.me/delta_chan TTP")

        sheet, letter = await fake_api.ask(REVIEWER, "/packet x", expect=2)
        ref = "TD-x-20261102-1"
        assert sheet.filename == f"{ref}.csv"
        assert sheet.plain == f"Request packet {ref}: 2 X accounts (CSV)"
        assert sheet.document is not None
        rows = list(csv.reader(io.StringIO(sheet.document.decode("utf-8"))))
        assert [row[2] for row in rows[1:]] == [f"#{a}", f"#{b}"]
        assert rows[1][4:13] == [
            "https://x.com/alpha_one",
            "TTP",
            "propaganda",
            "12500",
            "2026-11-02",
            "",
            "",
            "",
            "0",
        ]
        assert letter.filename == f"{ref}.txt"
        assert letter.document is not None
        text = letter.document.decode("utf-8")
        assert f"Reference: {ref}" in text and "1. https://x.com/alpha_one" in text
        assert "t.me" not in text and "charlie" not in text
        assert letter.callback_data == ["pk:1"]

        # a reporter may not press it
        refused = await fake_api.press(REPORTER, letter, "pk:1", expect_edit=False)
        assert "needs the reviewer role" in refused.answer["text"]

        # one case is requested by hand meanwhile: refused at marking, the other opened
        await fake_api.ask(REVIEWER, f"/request #{b}")
        pressed = await fake_api.press(REVIEWER, letter, letter.button("Mark these"), expect=2)
        assert pressed.answer["text"] == f"{ref}: 1 request recorded."
        assert pressed.edit is not None and pressed.edit.buttons == []
        opened, refusals = pressed.messages
        assert f"Removal requests sent (ref {ref})" in opened.plain
        assert f"#{a} round 1 · x:@alpha_one" in opened.plain
        assert opened.callback_data[0] == f"o:{a}:1:removed"
        assert refusals.plain == f"Not requested:\n#{b}: round 1 is still open: record its outcome"

        [card] = await fake_api.ask(REVIEWER, f"/status #{a}")
        assert ref in card.plain

        # the button is gone, so it cannot be pressed twice (storage refuses a second marking
        # too: tests/test_packet.py)
        # the next packet of the day gets the next number; nothing left on X now
        [empty] = await fake_api.ask(REVIEWER, "/packet x")
        assert empty.plain == "Nothing to put in the X packet: no flagged or refused case left."
        _, tg_letter = await fake_api.ask(REVIEWER, "/packet telegram pending", expect=2)
        assert tg_letter.filename == "TD-telegram-20261102-1.txt"


async def test_packet_of_ids_and_bad_input(fake_api, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        a = await flag(fake_api, "x.com/alpha_one TTP")
        t = await flag(fake_api, "t.me/delta_chan TTP")
        sheet, letter, note = await fake_api.ask(ADMIN, f"/packet twitter #{a} {t}", expect=3)
        assert sheet.plain.startswith("Request packet TD-x-20261102-1: 1 X account ")
        assert note.plain == f"Left out:\n#{t}: is on Telegram, not X"

        [only_bad] = await fake_api.ask(ADMIN, f"/packet x #{t}")
        assert only_bad.plain == (
            f"Nothing to put in the X packet: no flagged or refused case among those:\n"
            f"#{t}: is on Telegram, not X"
        )
        for text, reason in [
            ("/packet", "Give a platform."),
            ("/packet myspace", "Unknown platform 'myspace'"),
            ("/packet x #abc", "'#abc' is not a case number like #17"),
        ]:
            [answer] = await fake_api.ask(ADMIN, text)
            assert answer.plain.startswith(reason), answer.plain
            assert "Usage: /packet <platform> [pending|#id...]" in answer.plain
        assert len(await fake_api.ask(ADMIN, "/packet x #abc", expect=0)) == 1
