"""Issue 17: a packet fit to send to a platform. A marker string in every free-text field a
member can write (notes, case notes, reasons, outcome notes, corrections, the kept message's
text, its file name and forward origin, the member's own Telegram name) is in no packet file,
nor are members' ids; the letter is headed and signed with UNIT_NAME, LEGAL_BASIS and
CONTACT and lists full URLs, content links, earlier requests with their references and the
removed account a comeback re-creates; the evidence goes in a zip with a manifest; a case in
an unmarked packet of the last 7 days is named, not listed again, and `/packet x` again
gives the next page. Through the real Application and the fake Bot API.

docs/sample-packet.txt is the letter the first test produces (kept equal by it)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from tests.e2e.fake_bot_api import FakeBotApi, SentMessage
from tests.e2e.harness import ADMIN, running_bot

MARKER = "ZQXMARKER"
REPORTER, REVIEWER = 987651, 987652
LEAFLET = b"%PDF-1.4 recruitment leaflet " + bytes(range(256)) * 8
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample-packet.txt"
LETTERHEAD: dict[str, Any] = {
    "unit_name": "Counter-Extremism Cell, Punjab",
    "legal_basis": "Section 11W and Section 37 of the Prevention of Electronic Crimes Act 2016",
    "contact": "takedowns@cec.example.gov.pk, +92 42 99000000",
}


async def ask_ok(api: FakeBotApi, user: int, text: str, **kwargs: Any) -> str:
    [answer] = await api.ask(user, text, first_name=f"{MARKER}-name", username="zqxmarker",
                             **kwargs)  # fmt: skip
    return answer.plain


async def members(api: FakeBotApi) -> None:
    for user_id, role in ((REPORTER, "reporter"), (REVIEWER, "reviewer")):
        assert "is now" in await ask_ok(api, ADMIN, f"/grant {user_id} {role}")


async def marked_cases(api: FakeBotApi) -> dict[str, int]:
    """Cases whose every member-written field holds MARKER; one is a comeback of a removed
    account, one was refused after a request under ref=X-55."""
    await ask_ok(api, REVIEWER, "/flag x.com/umar_media TTP propaganda")
    await ask_ok(api, REVIEWER, "/request #1 ref=X-2026-0042")
    await ask_ok(api, REVIEWER, "/outcome #1 removed")
    forward = {
        "forward_origin": {
            "type": "user",
            "date": 1_700_000_000,
            "sender_user": {"id": 555001, "is_bot": False, "first_name": f"{MARKER}-fwd"},
        }
    }
    post = api.media_message(
        REPORTER, "document", LEAFLET, filename=f"{MARKER}-file.pdf",
        caption=f"{MARKER}-caption", sender_id=REPORTER, extra=forward,
    )  # fmt: skip
    flagged = await ask_ok(
        api,
        REPORTER,
        f"/flag https://x.com/umar_media2/status/1789?s=20 TTP propaganda followers=12.5k "
        f"{MARKER}-note",
        reply_to_message=post,
    )
    assert "New case #2" in flagged and "looks like a comeback of #1" in flagged
    await ask_ok(api, REPORTER, f"/flag x.com/umar_media2 TTP {MARKER}-repeat")
    await ask_ok(api, REPORTER, f"/note #2 {MARKER}-casenote")
    await ask_ok(api, REPORTER, f"/flag x.com/bla_voice BLA hate {MARKER}-note2")
    await ask_ok(api, REVIEWER, "/request #3 ref=X-55")
    await ask_ok(api, REVIEWER, f"/outcome #3 rejected {MARKER}-outcome")
    await ask_ok(api, REVIEWER, f"/correct #3 no_response {MARKER}-correct")
    await ask_ok(api, REPORTER, "/flag x.com/third_acct TTP")
    await ask_ok(api, REVIEWER, f"/dismiss #4 {MARKER}-dismiss")
    await ask_ok(api, REVIEWER, f"/reopen #4 {MARKER}-reopen")
    return {"comeback": 2, "refused": 3, "reopened": 4}


def zip_members(sent: SentMessage) -> dict[str, bytes]:
    assert sent.document is not None
    with zipfile.ZipFile(io.BytesIO(sent.document)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_no_member_text_or_id_reaches_a_packet_and_the_letter_is_fit_to_send(
    fake_api, tmp_path
):
    async with running_bot(fake_api, tmp_path / "t.db", evidence_dir=tmp_path / "ev", **LETTERHEAD):
        await members(fake_api)
        await marked_cases(fake_api)
        sheet, evidence, letter = await fake_api.ask(REVIEWER, "/packet x", expect=3)

    assert (sheet.filename, evidence.filename, letter.filename) == (
        "TD-x-20261102-1.csv", "TD-x-20261102-1-evidence.zip", "TD-x-20261102-1.txt",
    )  # fmt: skip
    files = zip_members(evidence)
    sha = hashlib.sha256(LEAFLET).hexdigest()
    assert files[f"{sha}.pdf"] == LEAFLET
    manifest = list(csv.reader(io.StringIO(files["manifest.csv"].decode("utf-8"))))
    assert manifest == [
        ["file", "sha256", "captured_at_utc", "case", "account", "type", "bytes"],
        [f"{sha}.pdf", sha, "2026-11-02T06:00:00Z", "#2", "https://x.com/umar_media2",
         "application/pdf", str(len(LEAFLET))],
    ]  # fmt: skip
    for sent in (sheet, evidence, letter):
        assert sent.document is not None
        for document in (
            (sent.document, *zip_members(sent).values()) if sent is evidence else (sent.document,)
        ):
            assert MARKER.encode() not in document
            assert MARKER.lower().encode() not in document
            for member in (REPORTER, REVIEWER, ADMIN, 555001):
                assert str(member).encode() not in document, (sent.filename, member)

    assert letter.document is not None
    text = letter.document.decode("utf-8")
    assert text.startswith("Counter-Extremism Cell, Punjab\nContact: takedowns@cec")
    assert "Legal basis: Section 11W and Section 37 of the Prevention" in text
    assert "1. https://x.com/umar_media2\n" in text
    assert "     https://x.com/umar_media2/status/1789\n" in text
    assert (
        "   Re-creates the account https://x.com/umar_media (X), removed on 2026-11-02 under "
        "reference X-2026-0042"
    ) in text
    assert "   Earlier: request 1 sent 2026-11-02, reference X-55: no response" in text
    assert "x:@" not in text
    assert text.endswith("takedowns@cec.example.gov.pk, +92 42 99000000\n")
    assert SAMPLE.read_text("utf-8") == text, "docs/sample-packet.txt is this letter"


CSV_HEADER = "account,group,category,followers,note\n"


async def test_a_case_in_an_unmarked_packet_is_named_and_the_next_packet_is_the_next_page(
    fake_api, tmp_path
):
    rows = "".join(f"x.com/page_acct_{n:02d},TTP,,,\n" for n in range(1, 56))
    async with running_bot(fake_api, tmp_path / "t.db", evidence_dir=tmp_path / "ev"):
        [imported] = await fake_api.ask(
            ADMIN, None, document=((CSV_HEADER + rows).encode(), "cases.csv"), caption="/import"
        )
        assert "55" in imported.plain
        first_sheet, _, first_note = await fake_api.ask(ADMIN, "/packet x", expect=3)
        assert first_note.plain == "5 more pending: send /packet x again for the next 5."
        second_sheet, _, second_note = await fake_api.ask(ADMIN, "/packet x pending", expect=3)
        [nothing] = await fake_api.ask(ADMIN, "/packet x")
        _, _, asked = await fake_api.ask(ADMIN, "/packet x #7", expect=3)

    def cases(sheet: SentMessage) -> list[str]:
        assert sheet.document is not None
        return [row[2] for row in csv.reader(io.StringIO(sheet.document.decode()))][1:]

    assert cases(first_sheet) == [f"#{n}" for n in range(1, 51)]
    assert cases(second_sheet) == [f"#{n}" for n in range(51, 56)]
    assert second_note.plain == (
        "Already in a packet of the last 7 days not marked as requested (not listed again; "
        "press its button once it is submitted):\n"
        "#1, #2, #3, #4, #5, #6, #7, #8, #9, #10, #11, #12, #13, #14, #15, #16, #17, #18, "
        "#19, #20 and 30 more: already in TD-x-20261102-1 of 2026-11-02 11:00"
    )
    assert nothing.plain.startswith(
        "Nothing to put in the X packet: no flagged or refused case left.\n"
        "Already in a packet of the last 7 days not marked as requested (not listed again;"
    )
    assert "and 35 more" not in nothing.plain and "TD-x-20261102-2 of" in nothing.plain
    assert asked.plain.startswith(
        "Already in a packet of the last 7 days not marked as requested (listed again as you "
        "asked for them;"
    )
    assert "#7: already in TD-x-20261102-1 of 2026-11-02 11:00" in asked.plain
