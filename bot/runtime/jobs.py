"""Scheduled work: the daily digest job, and gathering and sending a digest (also for /digest)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, NamedTuple

from telegram import Bot, InputFile
from telegram.error import TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.domain import compliance, periods, schedule
from bot.domain.periods import Period, PeriodKind
from bot.domain.records import ReportFigures
from bot.runtime.deps import deps, limits, now, settings, store
from bot.runtime.memory import give_back
from bot.runtime.retry import telegram_unavailable
from bot.runtime.settings import Settings
from bot.views import digest
from bot.views import report as report_view
from bot.views.common import pack, split_message
from bot.views.digest import DigestData
from bot.views.report import ReportContext
from storage.backup import BackupFailed
from storage.store import Store

log = logging.getLogger(__name__)

JOB_NAME = "daily-digest"
CATCH_UP_JOB_NAME = "digest-catch-up"
LEAD_JOB_NAME = "lead-daily-jobs"
RETRY_JOB_NAME = "digest-retry"

Context = CallbackContext[Any, Any, Any, Any]
BACKUP_JOB = "daily-backup"


DAY = dt.timedelta(days=1)


async def gather(
    data_store: Store, config: Settings, at: dt.datetime, late_for: dt.datetime | None = None
) -> DigestData:
    """Everything the digest shows, as of `at` (`late_for`: the time it was due, if late)."""
    win = compliance.window("30d", at)
    stats = data_store.stats
    tables = await stats.digest_tables(win, at, config.sla, groups=config.banned_groups)
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
        late_for=late_for,
        unit=config.unit_name,
    )


class MadeReport:
    """The periodic report as it goes out: the summary (one or more messages), the PDF and
    the CSV of half years, each a part that is sent once (see Delivery)."""

    def __init__(self, data: ReportFigures, ctx: ReportContext, pdf: bytes) -> None:
        self.messages = split_message(report_view.summary_text(data, ctx))
        self.documents = [
            (pdf, report_view.file_name(data, ctx, "pdf"), report_view.pdf_caption(data, ctx)),
            (
                report_view.csv_bytes(data, ctx),
                report_view.file_name(data, ctx, "csv"),
                report_view.csv_caption(data),
            ),
        ]

    @property
    def parts(self) -> int:
        return len(self.messages) + len(self.documents)

    async def send_part(self, bot: Bot, chat_id: int, index: int) -> None:
        if index < len(self.messages):
            await bot.send_message(chat_id, self.messages[index])
            return
        content, name, caption = self.documents[index - len(self.messages)]
        await bot.send_document(chat_id, InputFile(content, filename=name), caption=caption)


async def make_report(
    data_store: Store, config: Settings, period: Period, at: dt.datetime, *, as_of: bool
) -> MadeReport:
    """The report of `period` as of `at` (`as_of`: from the facts recorded by then)."""
    data = await data_store.reports.figures(
        period, at, config.timezone, config.sla, config.banned_groups, as_of=as_of
    )
    ctx = ReportContext(config.unit_name, config.timezone, config.sla_hours)
    # reportlab takes a few hundred ms: keep it off the event loop.
    made = MadeReport(data, ctx, await asyncio.to_thread(report_view.pdf_bytes, data, ctx))
    give_back()  # the statement's rows and the PDF's drawing are garbage now
    return made


async def send_report(bot: Bot, chat_id: int, made: MadeReport) -> None:
    for index in range(made.parts):
        await made.send_part(bot, chat_id, index)


class Rendered:
    """The digest as it goes out: text messages, then the chart (if any) as a photo; on the
    first day of a month, the report of the month before after them."""

    def __init__(
        self, data: DigestData, chart: bytes | None, report: MadeReport | None = None
    ) -> None:
        self.messages = pack(digest.digest_blocks(data))
        self.chart = chart
        self.caption = digest.chart_caption(data)
        self.report = report

    @property
    def digest_parts(self) -> int:
        return len(self.messages) + (self.chart is not None)

    @property
    def parts(self) -> int:
        return self.digest_parts + (self.report.parts if self.report else 0)


async def render(data: DigestData, report: MadeReport | None = None) -> Rendered:
    chart = None
    if not data.platforms.empty:
        # Drawing the image (Pillow) is CPU work: off the event loop.
        chart = await asyncio.to_thread(digest.chart_png, data)
    return Rendered(data, chart, report)


async def send_part(bot: Bot, chat_id: int, rendered: Rendered, index: int) -> None:
    """Message `index` of the digest: the texts in order, then the chart, then the report's."""
    if index < len(rendered.messages):
        await bot.send_message(chat_id, rendered.messages[index])
        return
    if index >= rendered.digest_parts:
        assert rendered.report is not None
        await rendered.report.send_part(bot, chat_id, index - rendered.digest_parts)
        return
    assert rendered.chart is not None
    await bot.send_photo(
        chat_id, InputFile(rendered.chart, filename="compliance.png"), caption=rendered.caption
    )


async def send_digest(bot: Bot, chat_id: int, rendered: Rendered) -> None:
    for index in range(rendered.parts):
        await send_part(bot, chat_id, rendered, index)


# ------------------------------------------------------------------ the daily digest, once


class Delivery:
    """Sends the digest for one day to DIGEST_CHAT_IDS chats, once per chat and day: each
    message delivered is counted in the database (storage/digests.py), so a failure or a
    restart goes on from the next message and never sends a delivered one again."""

    def __init__(self, context: Context, day: dt.date) -> None:
        self.context = context
        self.day = day
        self._rendered: dict[tuple[dt.datetime, bool], Rendered] = {}

    async def to_chat(self, chat_id: int, *, late: bool) -> None:
        """Raises the TelegramError of a message that could not be delivered."""
        data_store = store(self.context)
        begun = await data_store.digests.begin(chat_id, self.day, now(self.context), late=late)
        if begun.done:
            log.info("daily digest for %s was delivered to chat %s before", self.day, chat_id)
            return
        rendered = await self._render(begun.as_of, begun.late)
        for index in range(begun.parts_sent, rendered.parts):
            await send_part(self.context.bot, chat_id, rendered, index)
            await data_store.digests.part_sent(chat_id, self.day, index + 1)
        await data_store.digests.finish(chat_id, self.day, now(self.context))
        log.info("daily digest for %s delivered to chat %s", self.day, chat_id)

    async def _render(self, as_of: dt.datetime, late: bool) -> Rendered:
        """The digest as of `as_of`: a resumed one reads as its first messages did."""
        key = (as_of, late)
        if key not in self._rendered:
            config = settings(self.context)
            due = schedule.due_at(self.day, config.digest_time, config.timezone)
            data = await gather(store(self.context), config, as_of, due if late else None)
            self._rendered[key] = await render(data, await self._monthly_report(as_of))
        return self._rendered[key]

    async def _monthly_report(self, as_of: dt.datetime) -> MadeReport | None:
        """On the first day of a month, the report of the month before (PRODUCT.md "Periodic
        report"), as of the digest's time: a resumed delivery sends the same document."""
        if self.day.day != 1:
            return None
        month = periods.last_full(PeriodKind.MONTH, self.day)
        config = settings(self.context)
        resumed = as_of < now(self.context)
        return await make_report(store(self.context), config, month, as_of, as_of=resumed)

    async def to_all(self, *, late: bool) -> None:
        chats = settings(self.context).digest_chat_ids
        delivered = 0
        async with deps(self.context).digest_lock:
            for chat_id in chats:
                delivered += await self.try_chat(chat_id, late=late, attempt=0)
        log.info("daily digest for %s: %s of %s chats done", self.day, delivered, len(chats))

    async def try_chat(self, chat_id: int, *, late: bool, attempt: int) -> bool:
        """True when the chat has its digest; a failure Telegram may get over is tried again
        later (limits.digest_retry_delays), one that it will not (bot blocked, chat not
        found) is logged."""
        try:
            await self.to_chat(chat_id, late=late)
            return True
        except TelegramError as err:
            delays = limits(self.context).digest_retry_delays
            if not telegram_unavailable(err) or attempt >= len(delays):
                log.warning(
                    "daily digest for %s not delivered to chat %s: %s", self.day, chat_id, err
                )
                return False
            log.warning(
                "daily digest for %s not delivered to chat %s: %s; again in %.0f s",
                self.day,
                chat_id,
                err,
                delays[attempt],
            )
            job_queue = self.context.job_queue
            assert job_queue is not None
            job_queue.run_once(
                retry_digest,
                delays[attempt],
                data=DigestRetry(chat_id, self.day, late, attempt + 1),
                name=f"{RETRY_JOB_NAME}-{chat_id}",
            )
        return False


async def lead(context: Context) -> None:
    """On PostgreSQL, every Limits.lead_every from start: whether this replica runs the daily
    jobs (one of several does, storage/postgres.py leads). The one that takes them over
    catches up as a start does: it finishes a digest the last one left cut short, or sends
    the one it was down for."""
    state = deps(context)
    leading = await store(context).db.leads()
    if leading and not state.leading:
        log.info("this replica runs the daily digest and the month's report now")
        state.leading = True
        await catch_up_digest(context)
    state.leading = leading


async def scheduled_digest(context: Context) -> None:
    """The daily job at DIGEST_TIME (on the one replica that runs the daily jobs)."""
    if not await store(context).db.leads():
        log.info("daily digest: another replica sends it")
        return
    if not settings(context).digest_chat_ids:
        log.info("daily digest: DIGEST_CHAT_IDS is empty, nothing to send")
        return
    config = settings(context)
    day = schedule.latest_due_day(now(context), config.digest_time, config.timezone)
    await Delivery(context, day).to_all(late=False)


async def catch_up_digest(context: Context) -> None:
    """On start: the digest the bot was down for, marked late, unless the next is due first
    (bot/domain/schedule.py); a digest cut short by a restart is finished."""
    config = settings(context)
    if not config.digest_chat_ids:
        return
    day = schedule.late_day(now(context), config.digest_time, config.timezone)
    if day is None:
        log.info("no late digest on start: the next one is due within %s", schedule.NEXT_DUE_FIRST)
        return
    await Delivery(context, day).to_all(late=True)


class DigestRetry(NamedTuple):
    chat_id: int
    day: dt.date
    late: bool
    attempt: int


async def retry_digest(context: Context) -> None:
    assert context.job is not None
    retry = context.job.data
    assert isinstance(retry, DigestRetry)
    async with deps(context).digest_lock:
        await Delivery(context, retry.day).try_chat(
            retry.chat_id, late=retry.late, attempt=retry.attempt
        )


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
