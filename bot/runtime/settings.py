"""All configuration, from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

import datetime as dt
import re
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
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    allowed_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    digest_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    digest_time: dt.time = dt.time(9, 0)
    timezone: ZoneInfo = ZoneInfo("Asia/Karachi")
    sla_hours: int = Field(default=72, ge=1, le=24 * 365)
    groups: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["TTP", "BLA", "BLF"])
    webhook_url: str = ""
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1:8080"
    backup_dir: Path = Path("data/backups")
    backup_time: dt.time = dt.time(3, 0)
    backup_keep: int = Field(default=14, ge=1, le=10_000)
    unit_name: str = Field(default="Takedown Desk", min_length=1, max_length=100)

    _split_ids = field_validator(
        "admin_ids", "allowed_chat_ids", "digest_chat_ids", "groups", mode="before"
    )(_split_csv)

    @field_validator("groups")
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
        for group in self.groups:
            if group.upper() == text.strip().upper():
                return group
        return None


# The environment variables the bot reads (PRODUCT.md, "Running it").
SETTING_NAMES = tuple(name.upper() for name in Settings.model_fields)


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as err:
        first = err.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {variable}: {reason}") from None
