"""/export: cases as CSV, streamed to a temporary file and sent as a document."""

from __future__ import annotations

import tempfile
from contextlib import aclosing

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.grammar.export import ExportCommand
from bot.runtime.deps import now, settings, store
from bot.views.export import ExportTooLarge, write_csv
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
    at = now(context)
    with tempfile.TemporaryFile() as out:
        try:
            async with aclosing(store(context).requests.export_rows(cmd.scope)) as rows:
                count = await write_csv(
                    rows, out, settings(context).timezone, max_bytes=MAX_EXPORT_BYTES
                )
        except ExportTooLarge as err:
            await reply(
                update,
                f"The export passed Telegram's 50 MB limit for a file after {err.rows:,} cases: "
                "export one platform or pending instead.",
            )
            return
        if count == 0:
            await reply(update, f"No cases to export ({cmd.label}).")
            return
        out.seek(0)
        stamp = at.astimezone(settings(context).timezone).strftime("%Y%m%d-%H%M")
        await chat.send_document(
            document=out,
            filename=f"takedown-{cmd.label}-{stamp}.csv",
            caption=f"{count} case{'s' if count != 1 else ''} ({cmd.label}).",
        )
