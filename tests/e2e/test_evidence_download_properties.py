"""Issue 17: properties of the evidence download path, over file names, sizes and types.

Whatever a member's file is called (path tricks, Urdu, control characters, no extension) and
whatever its size and type, the /flag stands, the file lands in EVIDENCE_DIR under the
SHA-256 of its bytes (plus at most a short extension Telegram's path gives), byte for byte,
nothing is written anywhere else, and the row records the hash, size and type. One bot,
started once, through the real Application and the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, running_bot

STORED = re.compile(r"[0-9a-f]{64}(?:\.[a-z0-9]{1,8})?")
KINDS = ("photo", "video", "animation", "voice", "audio", "document")


@dataclass
class Desk:
    runner: asyncio.Runner
    api: FakeBotApi
    db: Path
    folder: Path
    flags: int = 0


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with asyncio.Runner() as runner:
        stack = contextlib.AsyncExitStack()
        api = FakeBotApi()
        runner.run(api.start())
        stack.push_async_callback(api.stop)
        folder = tmp_path / "box" / "evidence"  # the box holds nothing else
        runner.run(
            stack.enter_async_context(running_bot(api, tmp_path / "t.db", evidence_dir=folder))
        )
        try:
            yield Desk(runner, api, tmp_path / "t.db", folder)
        finally:
            runner.run(stack.aclose())


file_names = st.one_of(
    st.none(),
    st.text(min_size=1, max_size=60).filter(lambda name: "\x00" not in name),
    st.sampled_from(["../../etc/passwd", "a/b/c.jpg", ".hidden", "x.JPEG", "ویڈیو.mp4",
                     "evil.php.jpg", "no_extension", "dots...", "a." + "b" * 20]),
)  # fmt: skip
mime_types = st.one_of(
    st.none(),
    st.sampled_from(["image/jpeg", "video/mp4", "application/pdf", "audio/ogg", "text/plain",
                     "application/x-msdownload", "application/octet-stream"]),
)  # fmt: skip
contents = st.one_of(st.binary(min_size=1, max_size=2048), st.integers(1, 300_000).map(bytes))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(KINDS),
    name=file_names,
    mime=mime_types,
    data=contents,
)
def test_any_file_is_kept_under_its_hash_and_nowhere_else(
    desk: Desk, kind: str, name: str | None, mime: str | None, data: bytes
) -> None:
    desk.flags += 1
    handle = f"file_case_{desk.flags}"
    sha = hashlib.sha256(data).hexdigest()

    async def flag() -> str:
        post = desk.api.media_message(ADMIN, kind, data, filename=name, mime_type=mime)
        [answer] = await desk.api.ask(ADMIN, f"/flag x.com/{handle} TTP", reply_to_message=post)
        return answer.plain

    answer = desk.runner.run(flag())
    assert f"New case #{desk.flags}" in answer, answer
    assert f"SHA-256 {sha}" in answer, answer
    with sqlite3.connect(desk.db) as conn:
        row = conn.execute(
            "SELECT e.file_status, e.sha256, e.file_size, e.file_kind, e.stored_name"
            " FROM evidence e JOIN cases c ON c.id = e.case_id WHERE c.handle = ?",
            (handle,),
        ).fetchone()
    status, stored_sha, size, stored_kind, stored = row
    assert (status, stored_sha, size, stored_kind) == ("kept", sha, len(data), kind)
    assert STORED.fullmatch(stored), stored
    assert stored.startswith(sha)
    assert (desk.folder / stored).read_bytes() == data
    # Nothing but hash-named files in EVIDENCE_DIR, and nothing beside or below it.
    assert all(STORED.fullmatch(p.name) and p.is_file() for p in desk.folder.iterdir())
    assert list(desk.folder.parent.iterdir()) == [desk.folder]
