"""/import: bulk flag from a CSV document sent with /import as its caption."""

from __future__ import annotations

import logging

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.commands import spec
from bot.grammar.import_ import InvalidRows, check_document, no_document, valid_chunks
from bot.runtime.bounded import Stopping, bounded
from bot.runtime.deps import limits, now, settings, store
from bot.runtime.memory import give_back
from bot.views.import_ import (
    download_cut_by_restart,
    download_too_slow,
    import_errors,
    import_not_fetched,
    import_summary,
)
from handlers.auth import for_command
from handlers.common import reply, reply_usage

log = logging.getLogger(__name__)


async def _download(
    document: Document, name: str, context: ContextTypes.DEFAULT_TYPE
) -> bytearray | str:
    """The file's bytes, or the line to tell the importer when Telegram did not hand them
    over in time or the bot began to stop meanwhile (a trickling download would otherwise hold
    the importer, and a shutdown, for ever)."""
    seconds = limits(context).download_seconds

    async def fetch() -> bytearray:
        file = await document.get_file()
        return await file.download_as_bytearray()

    try:
        return await bounded(context.application, fetch(), seconds)
    except TimeoutError:
        return download_too_slow(name, seconds)
    except Stopping:
        return download_cut_by_restart(name)
    except TelegramError as err:
        log.warning("could not fetch the /import file %s: %s", name[:80], err)
        return import_not_fetched(name)


@for_command("import")
async def import_csv(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Bulk flag: every row a report by the sender, all or nothing."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    document = message.document
    try:
        if document is None:
            raise no_document(sent_text=bool(message.text))
        name = check_document(document.file_name, document.mime_type, document.file_size)
    except UsageError as err:
        await reply_usage(update, err)
        return
    data = await _download(document, name, context)
    if isinstance(data, str):
        await reply(update, data)
        return
    chunks = valid_chunks(data, settings(context).banned_groups)
    del data  # the rows read from it are all that is needed from here on
    try:
        # Read as they are written, in the one transaction: a bad row rolls it back.
        summary = await store(context).cases.report_many(
            chunks, reporter=update.effective_user.id, at=now(context), name=name
        )
    except UsageError as err:
        await reply_usage(update, err.with_usage(spec("import").usage))
        return
    except InvalidRows as err:
        await reply(update, import_errors(err.errors, name))
        return
    await reply(update, import_summary(summary, name))
    give_back()  # the file, its rows and their parameters are garbage now
    # The new cases were written without their comeback keys (see Cases.report_many).
    context.application.create_task(store(context).comebacks.fill_missing_keys())
