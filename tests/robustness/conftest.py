"""The fake Bot API fixture of the e2e tests, for the tests here that go over the wire."""

from tests.e2e.conftest import fake_api

__all__ = ["fake_api"]
