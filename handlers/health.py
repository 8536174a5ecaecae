"""/health: version, uptime, database, last backup, last digests, updates (admins)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.grammar.commands import spec
from bot.runtime import health as runtime_health
from bot.runtime.deps import deps, now, settings, store
from bot.views.health import Health, health_text
from handlers.auth import for_command
from handlers.common import args_of, reply, reply_usage


@for_command("health")
async def health(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if args_of(context):
        word = args_of(context)[0][:40]
        await reply_usage(
            update, spec("health").error(f"Unknown word '{word}': /health takes none.")
        )
        return
    config, at = settings(context), now(context)
    facts = Health(
        version=runtime_health.version(),
        now=at,
        started_at=deps(context).started_at or at,
        database=await store(context).health(),
        backup_dir=str(config.backup_dir),
        backup=runtime_health.newest_backup(config.backup_dir),
        digest_chat_ids=config.digest_chat_ids,
        updates_waiting=await inbox.waiting() if (inbox := deps(context).inbox) else None,
        leads_daily_jobs=deps(context).leading,
    )
    await reply(update, health_text(facts, config.timezone))
