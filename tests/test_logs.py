import io
import logging
import sys

from telegram.error import NetworkError

from bot.runtime.logs import RedactFilter, setup_logging

TOKEN = "123456:SECRET-token_value"


def test_token_is_redacted_from_messages_and_tracebacks():
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "POST %s/getMe", (f"bot{TOKEN}",), None
    )
    try:
        raise RuntimeError(f"url https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactFilter([TOKEN]).filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert "<BOT_TOKEN>" in formatted
    assert "RuntimeError" in formatted


def test_a_failed_last_poll_at_shutdown_is_one_warning_line(monkeypatch):
    """What python-telegram-bot's Updater logs when its confirming getUpdates at shutdown
    fails: one line, no traceback."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(TOKEN)
        try:
            raise NetworkError("httpx.ConnectError: All connection attempts failed")
        except NetworkError:
            logging.getLogger("telegram.ext.Updater").exception(
                "Error while calling `get_updates` one more time to mark all fetched updates. "
                "Suppressing error to ensure graceful shutdown."
            )
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.getLogger("telegram.ext.Updater").filters.clear()
    [line] = stream.getvalue().splitlines()
    assert "WARNING telegram.ext.Updater: could not confirm the last updates" in line
    assert "All connection attempts failed" in line
