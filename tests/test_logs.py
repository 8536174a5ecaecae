import logging

from bot.runtime.logs import RedactFilter

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
