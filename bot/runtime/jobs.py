"""Scheduled work: the daily digest job, and gathering and sending a digest (also for /digest)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from telegram import Bot, InputFile
from telegram.error import TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.domain import compliance
from bot.runtime.deps import now, settings, store
from bot.runtime.settings import Settings
from bot.views import digest
from bot.views.common import pack
from bot.views.digest import DigestData
from storage.backup import BackupFailed
from storage.store import Store

log = logging.getLogger(__name__)

JOB_NAME = "daily-digest"
BACKUP_JOB = "daily-backup"


DAY = dt.timedelta(days=1)


async def gather(data_store: Store, config: Settings, at: dt.datetime) -> DigestData:
    """Everything the digest shows, as of `at`."""
    win = compliance.window("30d", at)
    stats = data_store.stats
    tables = await stats.digest_tables(win, at, config.sla, groups=config.groups)
    return DigestData(
        now=at,
        tz=config.timezone,
        sla_hours=config.sla_hours,
        window=win,
        platforms=tables.platforms,
        previous=tables.previous,
        groups=tables.groups,
        day=await stats.activity(at - DAY, at),
        overdue=await stats.oldest_overdue(at, config.sla, limit=5),
        comebacks=await data_store.comebacks.found_between(at - DAY, at),
    )


class Rendered:
    """The digest as it goes out: text messages, then the chart (if any) as a photo."""

    def __init__(self, data: DigestData, chart: bytes | None) -> None:
        self.messages = pack(digest.digest_blocks(data))
        self.chart = chart
        self.caption = digest.chart_caption(data)


async def render(data: DigestData) -> Rendered:
    chart = None
    if not data.platforms.empty:
        title = f"Compliance per platform, {data.window.title}"
        # matplotlib takes ~100 ms: keep it off the event loop.
        chart = await asyncio.to_thread(digest.chart_png, data.platforms, title)
    return Rendered(data, chart)


async def send_digest(bot: Bot, chat_id: int, rendered: Rendered) -> None:
    for part in rendered.messages:
        await bot.send_message(chat_id, part)
    if rendered.chart is not None:
        await bot.send_photo(
            chat_id,
            InputFile(rendered.chart, filename="compliance.png"),
            caption=rendered.caption,
        )


async def scheduled_digest(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The daily job: one digest, sent to every DIGEST_CHAT_IDS chat; a chat that cannot
    receive it (bot blocked, chat not found, ...) is logged and the others still get it."""
    config = settings(context)
    if not config.digest_chat_ids:
        log.info("daily digest: DIGEST_CHAT_IDS is empty, nothing to send")
        return
    data = await gather(store(context), config, now(context))
    rendered = await render(data)
    delivered = 0
    for chat_id in config.digest_chat_ids:
        try:
            await send_digest(context.bot, chat_id, rendered)
            delivered += 1
        except TelegramError as err:
            log.warning("daily digest not delivered to chat %s: %s", chat_id, err)
    log.info("daily digest delivered to %s of %s chats", delivered, len(config.digest_chat_ids))


def digest_time(config: Settings) -> dt.time:
    """DIGEST_TIME in TIMEZONE, as the aware time JobQueue.run_daily needs."""
    return config.digest_time.replace(tzinfo=config.timezone)


def schedule_backups(job_queue: JobQueue[Any], config: Settings) -> None:
    """Every day at BACKUP_TIME in TIMEZONE."""
    at = config.backup_time.replace(tzinfo=config.timezone)
    job_queue.run_daily(scheduled_backup, time=at, name=BACKUP_JOB)


async def scheduled_backup(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The daily backup (storage/backup.py); a failure is logged and told to the admins, who
    would otherwise find out on the day they need it."""
    config = settings(context)
    try:
        made = await store(context).backups.make(
            config.backup_dir, config.backup_keep, now(context)
        )
    except BackupFailed as err:
        log.error("daily backup failed: %s", err)
        for admin in config.admin_ids:
            try:
                await context.bot.send_message(admin, f"The daily backup failed: {err}")
            except TelegramError as send_err:
                log.warning("could not tell admin %s the backup failed: %s", admin, send_err)
        return
    log.info("daily backup %s (%s bytes, sha256 %s)", made.path, made.size, made.sha256)
