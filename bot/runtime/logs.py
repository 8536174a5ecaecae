"""Logging set-up. The bot token must never reach a log line, whoever logs it."""

from __future__ import annotations

import logging
import sys


class RedactFilter(logging.Filter):
    """Replaces every occurrence of the secrets in the formatted message and traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]
        self._formatter = logging.Formatter()

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<BOT_TOKEN>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(self._formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class ShutdownPollFilter(logging.Filter):
    """python-telegram-bot's Updater logs a failed last getUpdates at shutdown (the call that
    confirms what was fetched) with a traceback. It harms nothing: Telegram delivers those
    updates again on the next start and the inbox skips the ones handled. One line instead."""

    PREFIX = "Error while calling `get_updates` one more time"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith(self.PREFIX):
            error = record.exc_info[1] if record.exc_info else None
            record.msg = (
                "could not confirm the last updates to Telegram at shutdown (%s); they come "
                "again on the next start and those handled are skipped"
            )
            record.args = (error,)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def setup_logging(token: str | None, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter([token] if token else []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    updater = logging.getLogger("telegram.ext.Updater")
    updater.filters[:] = [ShutdownPollFilter()]
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
