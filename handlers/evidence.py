"""/evidence <#id>: a case's content links and kept messages; the kept files sent again
from EVIDENCE_DIR, each checked against the SHA-256 recorded at capture."""

from __future__ import annotations

import hashlib

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.errors import UsageError
from bot.domain.evidence import FileStatus
from bot.grammar.evidence import parse_evidence
from bot.runtime.deps import now, settings, store
from bot.runtime.evidence import read_kept
from bot.views.evidence import evidence_text, file_caption, file_changed, file_missing, no_case
from handlers.auth import for_command, shows_people
from handlers.common import args_of, reply, reply_usage

# Files sent again by one /evidence (the newest kept messages first).
FILES_SENT = 10


@for_command("evidence")
async def evidence(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        case_id = parse_evidence(args_of(context))
    except UsageError as err:
        await reply_usage(update, err)
        return
    assert update.effective_user is not None and update.effective_chat is not None
    found = await store(context).evidence.look(
        case_id, by=update.effective_user.id, at=now(context)
    )
    if found is None:
        await reply(update, no_case(case_id))
        return
    tz = settings(context).timezone
    await reply(update, evidence_text(found, tz, show_people=await shows_people(update, context)))
    folder = settings(context).evidence_dir
    kept = [item for item in found.items if item.file_status is FileStatus.KEPT]
    for item in kept[:FILES_SENT]:
        data = read_kept(folder, item.stored_name)
        if data is None:
            await reply(update, file_missing(item))
        elif hashlib.sha256(data).hexdigest() != item.sha256:
            await reply(update, file_changed(item))
        else:
            await update.effective_chat.send_document(
                document=data, filename=item.stored_name, caption=file_caption(case_id, item, tz)
            )
