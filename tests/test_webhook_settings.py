"""WEBHOOK_URL, WEBHOOK_SECRET and WEBHOOK_LISTEN: webhook mode's settings and their checks."""

from pathlib import Path

import pytest

from bot.runtime.settings import SETTING_NAMES, SettingsError, load_settings
from tests.e2e.bot_process import start_up

ROOT = Path(__file__).resolve().parents[1]
URL = "https://desk.example.org/telegram/hook"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_without_a_webhook_url_the_bot_polls():
    settings = load_settings()
    assert settings.webhook_url == ""
    assert settings.webhook_secret is None
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8080)


def test_webhook_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", URL)
    monkeypatch.setenv("WEBHOOK_SECRET", "Abc_123-xyz")
    monkeypatch.setenv("WEBHOOK_LISTEN", "0.0.0.0:8443")
    settings = load_settings()
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == "Abc_123-xyz"
    assert "Abc_123" not in repr(settings)  # a secret, never printed
    assert (settings.webhook_host, settings.webhook_port) == ("0.0.0.0", 8443)
    assert settings.webhook_path == "telegram/hook"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WEBHOOK_URL": URL}, "WEBHOOK_SECRET"),  # required with the URL
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": "ünïcode"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://desk.example.org/hook", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "desk.example.org", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URL"),
        ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN"),
        ({"WEBHOOK_LISTEN": "127.0.0.1:http"}, "WEBHOOK_LISTEN"),
        ({"WEBHOOK_LISTEN": "127.0.0.1:70000"}, "WEBHOOK_LISTEN"),
    ],
)
def test_bad_webhook_setting_is_one_line_naming_the_variable(monkeypatch, env, variable):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"Invalid setting {variable}:"), message
    assert "\n" not in message


def test_a_secret_of_256_characters_is_accepted(monkeypatch):
    monkeypatch.setenv("WEBHOOK_URL", URL)
    monkeypatch.setenv("WEBHOOK_SECRET", "a" * 256)
    assert load_settings().webhook_secret is not None


def test_missing_secret_stops_start_up_with_one_line(tmp_path):
    environment = {
        "DATABASE_PATH": str(tmp_path / "t.db"),
        "BOT_TOKEN": "123:abc",
        "WEBHOOK_URL": URL,
    }
    result = start_up(environment, ROOT)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Invalid setting WEBHOOK_SECRET: required with WEBHOOK_URL "
        "(1-256 of A-Z, a-z, 0-9, _ and -)"
    ]
