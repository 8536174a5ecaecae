import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.runtime.settings import RENAMED, SETTING_NAMES, SettingsError, load_settings
from tests.e2e.bot_process import start_up

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in (*SETTING_NAMES, *RENAMED):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_match_product_spec():
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert settings.database_path == Path("data/takedown.db")
    assert settings.admin_ids == []
    assert settings.digest_time == dt.time(9, 0)
    assert settings.timezone == ZoneInfo("Asia/Karachi")
    assert settings.sla_hours == 72
    assert settings.banned_groups == ["TTP", "BLA", "BLF"]
    assert settings.backup_dir == Path("data/backups")
    assert settings.backup_time == dt.time(3, 0)
    assert settings.backup_keep == 14


def test_comma_separated_lists_and_values_from_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_IDS", "1, 22,333")
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "-1001234")
    monkeypatch.setenv("BANNED_GROUPS", "TTP, ISKP")
    monkeypatch.setenv("DIGEST_TIME", "18:30")
    monkeypatch.setenv("TIMEZONE", "Europe/London")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings()
    assert settings.admin_ids == [1, 22, 333]
    assert settings.allowed_chat_ids == [-1001234]
    assert settings.banned_groups == ["TTP", "ISKP"]
    assert settings.digest_time == dt.time(18, 30)
    assert settings.timezone == ZoneInfo("Europe/London")
    assert settings.telegram_file_url == "http://127.0.0.1:8081/file/bot"


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("SLA_HOURS=48\nADMIN_IDS=7\n")
    settings = load_settings()
    assert settings.sla_hours == 48
    assert settings.admin_ids == [7]


def test_a_groups_line_in_env_file_is_one_line_naming_banned_groups(tmp_path):
    (tmp_path / ".env").write_text("ADMIN_IDS=7\nGROUPS=TTP,BLA,BLF,ISKP\n")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == "Setting GROUPS in .env is now BANNED_GROUPS: rename the line."


def test_groups_given_by_a_supervisor_is_one_line_naming_banned_groups(monkeypatch):
    monkeypatch.setenv("GROUPS", "TTP,ISKP")  # systemd's EnvironmentFile, docker --env-file
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == "Setting GROUPS is now BANNED_GROUPS: set BANNED_GROUPS instead."


def test_group_lookup_is_case_insensitive():
    settings = load_settings()
    assert settings.canonical_group("ttp") == "TTP"
    assert settings.canonical_group("Bla") == "BLA"
    assert settings.canonical_group("ISIS") is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIGEST_TIME", "25:00"),
        ("DIGEST_TIME", "nine"),
        ("ADMIN_IDS", "abc"),
        ("ALLOWED_CHAT_IDS", "1,x"),
        ("TIMEZONE", "Mars/Olympus"),
        ("SLA_HOURS", "0"),
        ("SLA_HOURS", "soon"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("BANNED_GROUPS", "TTP,ttp"),
        ("BACKUP_TIME", "3am"),
        ("BACKUP_KEEP", "0"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert variable in message
    assert "\n" not in message


@pytest.mark.slow  # one `python -m bot` process per case: `make test` only
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DIGEST_TIME": "25:00"}, "Invalid setting DIGEST_TIME"),
        ({"ADMIN_IDS": "abc"}, "Invalid setting ADMIN_IDS"),
        ({"TIMEZONE": "Nowhere/Land"}, "Invalid setting TIMEZONE"),
        ({}, "BOT_TOKEN is not set"),
    ],
)
def test_start_up_stops_with_one_line_and_no_traceback(tmp_path, env, expected):
    environment = {"DATABASE_PATH": str(tmp_path / "t.db"), **env}
    result = start_up(environment, ROOT)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_env_example_lists_every_setting_with_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for name in SETTING_NAMES:
        [index] = [i for i, line in enumerate(lines) if line.startswith(f"{name}=")]
        assert lines[index - 1].startswith("#"), name
    assert len(SETTING_NAMES) == 21
