"""Test-wide settings."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

from storage.db import Database
from storage.store import Store

# CI must be repeatable: the same examples every run (a new failure found locally, where the
# examples vary, prints its reproducing example). No wall-clock deadlines on a shared machine.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store on a fresh SQLite file, tmp_path / "t.db" (tests may open the file directly)."""
    opened = await Store.open(tmp_path / "t.db")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A bare Database on a fresh SQLite file, for the storage layer below the Store."""
    database = await Database.open(tmp_path / "t.db")
    try:
        yield database
    finally:
        await database.close()
