"""Fixtures for end-to-end tests: the fake Bot API server."""

from collections.abc import AsyncIterator

import pytest

from tests.e2e.fake_bot_api import FakeBotApi


@pytest.fixture(autouse=True)
def e2e_backend(database_url: str) -> str:
    """The bots of this test on SQLite, or on a fresh PostgreSQL database (tests.pg's
    current_url; the files of tests/conftest.py's E2E_ON_BOTH run on both)."""
    return database_url


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started FakeBotApi on 127.0.0.1, stopped after the test."""
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
