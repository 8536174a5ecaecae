"""All configuration, from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org/bot"
# Telegram's rule for the secret_token of setWebhook.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_path: Path = Path("data/takedown.db")
    # PostgreSQL instead of the SQLite file (storage/postgres.py); it may hold a password.
    database_url: SecretStr = SecretStr("")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allowed_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    digest_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    digest_time: dt.time = dt.time(9, 0)
    timezone: ZoneInfo = ZoneInfo("Asia/Karachi")
    sla_hours: int = Field(default=72, ge=1, le=24 * 365)
    banned_groups: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["TTP", "BLA", "BLF"]
    )
    webhook_url: str = ""
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1:8080"
    backup_dir: Path = Path("data/backups")
    backup_time: dt.time = dt.time(3, 0)
    backup_keep: int = Field(default=14, ge=1, le=10_000)
    evidence_dir: Path = Path("data/evidence")
    unit_name: str = Field(default="Takedown Desk", min_length=1, max_length=200)
    legal_basis: str = Field(default="", max_length=1000)
    contact: str = Field(default="", max_length=500)

    _split_ids = field_validator(
        "admin_ids", "allowed_chat_ids", "digest_chat_ids", "banned_groups", mode="before"
    )(_split_csv)

    @field_validator("banned_groups")
    @classmethod
    def _groups_unique(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one group is needed")
        if any(" " in group for group in value):
            raise ValueError("group names are single words")
        if len({group.upper() for group in value}) != len(value):
            raise ValueError("group names must be unique (case-insensitive)")
        return value

    @field_validator("digest_time", "backup_time", mode="before")
    @classmethod
    def _parse_local_time(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                hours, minutes = value.strip().split(":")
                return dt.time(int(hours), int(minutes))
            except ValueError:
                raise ValueError("expected HH:MM, e.g. 09:00") from None
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _parse_timezone(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return ZoneInfo(value.strip())
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown timezone {value!r}, e.g. Asia/Karachi") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if url and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// (or be empty: the SQLite file)")
        return SecretStr(url)

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str) -> str:
        value = value.strip()
        if value and not (value.startswith("https://") and urlsplit(value).hostname):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    # Declared after webhook_url, so that one is validated (in info.data) when this runs.
    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> Any:
        secret = value.get_secret_value() if value is not None else ""
        if not secret:
            if info.data.get("webhook_url"):
                raise ValueError("required with WEBHOOK_URL (1-256 of A-Z, a-z, 0-9, _ and -)")
            return None
        if not _WEBHOOK_SECRET.fullmatch(secret):
            raise ValueError("must be 1-256 characters, each one of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _check_webhook_listen(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:8080")
        return value.strip()

    @property
    def webhook_host(self) -> str:
        return self.webhook_listen.rpartition(":")[0].strip("[]")  # [::1]:8080 -> ::1

    @property
    def webhook_port(self) -> int:
        return int(self.webhook_listen.rpartition(":")[2])

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to, served as is (the reverse proxy passes it through)."""
        return urlsplit(self.webhook_url).path.strip("/")

    @property
    def telegram_file_url(self) -> str:
        """Files come from the same server: the trailing `/bot` becomes `/file/bot`."""
        base = self.telegram_api_url
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file"

    @property
    def sla(self) -> dt.timedelta:
        return dt.timedelta(hours=self.sla_hours)

    def canonical_group(self, text: str) -> str | None:
        """The configured spelling of a group typed in any case, or None."""
        for group in self.banned_groups:
            if group.upper() == text.strip().upper():
                return group
        return None


# The environment variables the bot reads (PRODUCT.md, "Running it").
SETTING_NAMES = tuple(name.upper() for name in Settings.model_fields)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


# Settings that were renamed: a line with the old name would otherwise be ignored in silence.
RENAMED = {"GROUPS": "BANNED_GROUPS"}  # bash owns GROUPS: `export GROUPS=...` does nothing


def load_settings(**overrides: Any) -> Settings:
    env_file = overrides.get("_env_file", ".env")
    _refuse_old_names(None if env_file is None else Path(env_file), os.environ)
    try:
        return Settings(**overrides)
    except ValidationError as err:
        first = err.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {variable}: {reason}") from None


def _refuse_old_names(env_file: Path | None, environ: Mapping[str, str]) -> None:
    """A renamed setting in .env (or given to the process by systemd or Docker) stops
    start-up with one line naming the new name, instead of the default taking its place."""
    try:
        lines = env_file.read_text("utf-8", errors="replace").splitlines() if env_file else []
    except OSError:  # no .env: nothing to check
        lines = []
    named = {line.split("=", 1)[0].strip().removeprefix("export ").strip() for line in lines}
    for old, new in RENAMED.items():
        if old in named:
            raise SettingsError(f"Setting {old} in {env_file} is now {new}: rename the line.")
        if old in environ:
            raise SettingsError(f"Setting {old} is now {new}: set {new} instead.")
