"""/import: bulk flag from a CSV document sent with /import as its caption."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.text import one_line
from bot.grammar.commands import spec
from bot.grammar.import_ import COLUMNS, MAX_BYTES, read_import
from bot.runtime.deps import now, settings, store
from bot.views.import_ import import_errors, import_summary
from handlers.auth import for_command
from handlers.common import reply, reply_usage

# Telegram clients send .csv files under several types; a .csv name is enough.
CSV_MIME_TYPES = frozenset({"text/csv", "application/csv", "text/comma-separated-values"})

IMPORT_HELP = (
    "Send a CSV file (as a document) with /import as its caption. Header row: " + ",".join(COLUMNS)
)


@for_command("import")
async def import_csv(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Bulk flag: every row a report by the sender, all or nothing."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    usage = spec("import").usage
    document = message.document
    if document is None:
        reason = "No file attached." if message.text else "That is not a document."
        await reply_usage(update, UsageError(f"{reason} {IMPORT_HELP}", usage))
        return
    name = one_line(document.file_name or "") or "file"  # shown and audited on one line
    if not (name.lower().endswith(".csv") or document.mime_type in CSV_MIME_TYPES):
        kind = document.mime_type or "unknown type"
        reason = f"{name[:80]} is not a CSV file ({kind}). {IMPORT_HELP}"
        await reply_usage(update, UsageError(reason, usage))
        return
    if document.file_size is not None and document.file_size > MAX_BYTES:
        size = document.file_size / 1024 / 1024
        await reply_usage(update, UsageError(f"The file is {size:.1f} MB; at most 20 MB.", usage))
        return
    file = await document.get_file()
    data = await file.download_as_bytearray()
    try:
        # In a worker thread: checking 100,000 rows takes most of a second, and the other
        # members' commands should not wait for it.
        parsed = await asyncio.to_thread(read_import, data, settings(context).groups)
    except UsageError as err:
        await reply_usage(update, err.with_usage(usage))
        return
    finally:
        del data  # the rows are all that is needed from here on
    if parsed.errors:
        await reply(update, import_errors(parsed.errors, name))
        return
    summary = await store(context).cases.report_many(
        parsed.rows, reporter=update.effective_user.id, at=now(context), name=name
    )
    await reply(update, import_summary(summary, name))
    # The new cases were written without their comeback keys (see Cases.report_many).
    context.application.create_task(store(context).comebacks.fill_missing_keys())
