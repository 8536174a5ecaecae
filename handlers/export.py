"""/export: cases as CSV, streamed to a temporary file and sent as a document."""

from __future__ import annotations

import tempfile
from contextlib import aclosing

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.export import ExportCommand
from bot.runtime.deps import now, settings, store
from bot.views import export as exports
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage

MAX_EXPORT_BYTES = 50 * 1024 * 1024  # the most a bot may upload


@for_command("export")
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cases as CSV, one row each with its latest round; rows are streamed to a temporary file."""
    try:
        cmd = ExportCommand.parse(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    chat = update.effective_chat
    assert chat is not None
    at, tz = now(context), settings(context).timezone
    with tempfile.TemporaryFile() as out:
        try:
            async with aclosing(store(context).requests.export_rows(cmd.scope)) as rows:
                count = await exports.write_csv(rows, out, tz, max_bytes=MAX_EXPORT_BYTES)
        except exports.ExportTooLarge as err:
            await reply(update, exports.too_large(err))
            return
        if count == 0:
            await reply(update, exports.nothing_to_export(cmd.label))
            return
        out.seek(0)
        await chat.send_document(
            document=out,
            filename=exports.file_name(cmd.label, at, tz),
            caption=exports.caption(count, cmd.label),
        )
