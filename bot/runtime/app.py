"""build_application: every handler, job and hook of the bot, wired in one place."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.domain.clock import Clock, SystemClock
from bot.domain.flood import COMMANDS_PER_MINUTE, FloodLimit, Verdict
from bot.domain.people import Name
from bot.grammar.commands import LOWEST_ROLE
from bot.runtime import faults, jobs, menus
from bot.runtime.deps import Deps, flood, install, now, settings, store
from bot.runtime.inbox import DeskApplication, InboxQueue, replay_kept
from bot.runtime.limits import DEFAULT_LIMITS, Limits
from bot.runtime.retry import RetryingRequest, telegram_unavailable
from bot.runtime.settings import Settings
from bot.views.common import one_line
from bot.views.request import CALLBACK_PATTERN
from handlers import (
    audit,
    comebacks,
    correct,
    digest,
    dismiss,
    edit,
    evidence,
    export,
    find,
    flag,
    grant,
    health,
    help,
    import_,
    members,
    note,
    outcome,
    packet,
    pending,
    reopen,
    report,
    request,
    revoke,
    start,
    stats,
    status,
)
from handlers.auth import caller_role, chat_allowed, check_role, shared_sender
from handlers.common import reply
from storage.backend import redacted
from storage.db import UpdateAlreadyHandled, is_disk_full
from storage.inbox import Inbox
from storage.store import Store

log = logging.getLogger(__name__)

# Without a token (the offline console) PTB still wants one of the right shape.
OFFLINE_TOKEN = "0:offline"
GIL_SWITCH_SECONDS = 0.0005  # see _post_init

App = Application[Any, Any, Any, Any, Any, Any]

_COMMAND_WORD = re.compile(r"^/([A-Za-z0-9_]+)(?:@(\w+))?")
EDITED = "Edited messages are not run again: send the command anew."
SLOW_DOWN = (
    f"Slow down: at most {COMMANDS_PER_MINUTE} commands a minute. "
    "Nothing more is done for you until the minute has passed."
)


def _addressed_to(message: Message, text: str) -> str | None:
    """The command word of `text` if it is a command for this bot (`/x` or `/x@this_bot`);
    None for plain text and for `/x@other_bot`."""
    found = _COMMAND_WORD.match(text)
    if found is None:
        return None
    target = found.group(2)
    if target is not None and target.lower() != (message.get_bot().username or "").lower():
        return None
    return found.group(1).lower()


class _ImportCaption(filters.MessageFilter):
    """A document whose caption is `/import` or `/import@this_bot` (not another bot's)."""

    def filter(self, message: Message) -> bool:
        return _addressed_to(message, message.caption or "") == "import"


IMPORT_CAPTION = _ImportCaption()
NEW_MESSAGES = filters.UpdateType.MESSAGE  # never an edit: see _edited


def command_handlers() -> list[BaseHandler[Update, Any, Any]]:
    """Each command of bot.grammar.commands, and the function that answers it."""
    callbacks = {
        "start": start.start,
        "help": help.help_command,
        "grant": grant.grant,
        "revoke": revoke.revoke,
        "members": members.members,
        "audit": audit.audit,
        "flag": flag.flag,
        "evidence": evidence.evidence,
        "dismiss": dismiss.dismiss,
        "reopen": reopen.reopen,
        "note": note.note,
        "correct": correct.correct,
        "edit": edit.edit,
        "status": status.status,
        "find": find.find,
        "import": import_.import_csv,
        "request": request.request,
        "outcome": outcome.outcome,
        "pending": pending.pending,
        "export": export.export,
        "comebacks": comebacks.comebacks,
        "packet": packet.packet,
        "stats": stats.stats,
        "digest": digest.digest_now,
        "report": report.report,
        "health": health.health,
    }
    return [
        CommandHandler(name, callback, filters=NEW_MESSAGES) for name, callback in callbacks.items()
    ]


def defaults(settings: Settings) -> Defaults:
    """What every reply of the bot is sent with (the benchmark's floor uses the same)."""
    return Defaults(
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        tzinfo=settings.timezone,
    )


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    flood: FloodLimit | None = None,
    keep_updates: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> App:
    """`flood`: the commands-a-minute limit (tests and the benchmark, which send hundreds of
    commands from one member at one instant of a manual clock, pass a wider one)."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else OFFLINE_TOKEN
    builder = (
        ApplicationBuilder()
        .application_class(DeskApplication)
        .update_queue(InboxQueue())  # keeps each update on receipt: see bot/runtime/inbox.py
        .token(token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(defaults(settings))
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:  # getUpdates keeps PTB's own request: the Updater retries polls itself
        builder = builder.request(RetryingRequest(limits))
    app = builder.build()
    install(
        app.bot_data,
        Deps(
            settings=settings,
            clock=clock or SystemClock(),
            flood=flood or FloodLimit(),
            keep_updates=keep_updates,
            limits=limits,
        ),
    )

    app.add_handler(TypeHandler(Update, _keep_name), group=-3)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, _edited), group=-2)
    app.add_handler(TypeHandler(Update, _limit_flood), group=-1)
    app.add_handlers(command_handlers())
    app.add_handler(MessageHandler(NEW_MESSAGES & IMPORT_CAPTION, import_.import_csv))
    app.add_handler(CallbackQueryHandler(outcome.outcome_button, pattern=CALLBACK_PATTERN))
    app.add_handler(CallbackQueryHandler(packet.mark_requested_button, pattern=packet.PATTERN))
    app.add_handler(CallbackQueryHandler(_unknown_button))  # stale or forged button data
    app.add_handler(MessageHandler(NEW_MESSAGES & filters.COMMAND, _unknown_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, _plain_message
        )
    )
    app.add_error_handler(_on_error)
    return app


@asynccontextmanager
async def running(app: App, *, poll: bool = False) -> AsyncIterator[App]:
    """Run the application inside other async code (console, tests, benchmark), with the
    same start-up and shutdown hooks that `run_polling` calls."""
    async with app:
        try:
            await _post_init(app)
            await app.start()
            if poll:
                assert app.updater is not None
                await app.updater.start_polling(
                    poll_interval=0, timeout=1, error_callback=lambda err: _poll_failed(app, err)
                )
            yield app
        finally:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await _post_shutdown(app)


def _poll_failed(app: App, err: TelegramError) -> None:
    """What run_polling does with a failed poll: to the error handler, without an update."""
    app.create_task(app.process_error(update=None, error=err))


async def _post_init(app: App) -> None:
    # A thread that checks an /import's rows (or binds them for SQLite) holds the GIL until
    # another thread has waited this long for it; the event loop and the aiosqlite threads
    # need it a dozen times per /status. At Python's 5 ms a /status took 76-144 ms (p99)
    # during a 100,000-row /import; at 0.5 ms, 21 ms, and the import no slower (bench/run.py).
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    state = app.bot_data["deps"]
    assert isinstance(state, Deps)
    url = state.settings.database_url.get_secret_value()
    state.store = await Store.open(
        state.settings.database_path, state.settings.admin_ids, database_url=url
    )
    if state.keep_updates:
        state.inbox = await Inbox.open(state.settings.database_path)
        queue = app.update_queue
        assert isinstance(queue, InboxQueue)
        queue.attach(state.inbox, state.clock)
        await replay_kept(app, state.store, state.inbox, state.clock)  # before the first poll
    app.job_queue.run_daily(  # type: ignore[union-attr]  # the job-queue extra is a dependency
        jobs.scheduled_digest, time=jobs.digest_time(state.settings), name=jobs.JOB_NAME
    )
    if url:  # one replica of several runs the daily jobs; another takes them when it stops
        state.leading = await state.store.db.leads()
        interval = state.limits.lead_every
        app.job_queue.run_repeating(jobs.lead, interval, name=jobs.LEAD_JOB_NAME)  # type: ignore[union-attr]
    if state.leading or not url:
        app.job_queue.run_once(jobs.catch_up_digest, 0, name=jobs.CATCH_UP_JOB_NAME)  # type: ignore[union-attr]
    state.started_at = state.clock.now()
    if not url:  # on PostgreSQL the backups are the server's (storage/backup.py ON_POSTGRES)
        jobs.schedule_backups(app.job_queue, state.settings)  # type: ignore[arg-type]
    members = await state.store.members.all()
    await menus.set_menus(app.bot, state.settings, [(m.user_id, m.role) for m in members])
    log.info("Takedown Desk started; database %s", redacted(url) or state.settings.database_path)


async def _post_shutdown(app: App) -> None:
    state = app.bot_data["deps"]
    assert isinstance(state, Deps)
    if state.inbox is not None:
        await state.inbox.close()
        state.inbox = None
    if state.store is not None:
        await state.store.close()
        state.store = None


async def _keep_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep the Telegram name a member's update brings (shown as `Ayesha K. (2001)`); the
    first one seen sets their menu too (bot/runtime/menus.py). Strangers' names are not
    kept: the bot has no business with them."""
    user = update.effective_user
    if user is None or not chat_allowed(update, context) or shared_sender(update):
        return
    name = Name.of(user.first_name, user.last_name, user.username)
    people = store(context).people
    if people.unchanged(user.id, name):
        return
    role = await caller_role(update, context)
    if role is not None and await people.keep(user.id, name, now(context)):
        await menus.set_menu(context.bot, settings(context), user.id, role)


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message never runs a command again (an old `/grant 4444 viewer` edited to
    `admin`, an old `/request` opening a round nobody sent): a member who edited a command
    is told to send it anew; nothing else is done with any edit."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    if (
        message is not None
        and _addressed_to(message, text) is not None
        and chat_allowed(update, context)
        and not shared_sender(update)
        and await caller_role(update, context) is not None
    ):
        await reply(update, EDITED)
    raise ApplicationHandlerStop


async def _limit_flood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """At most COMMANDS_PER_MINUTE commands and button presses a minute per user (in the
    chats the bot works in): the first one over is told to slow down, the rest get nothing
    until the minute has passed."""
    user, message = update.effective_user, update.effective_message
    if user is None or not chat_allowed(update, context):
        return
    if update.callback_query is None:
        text = (message.text or message.caption or "") if message else ""
        if message is None or _addressed_to(message, text) is None:
            return  # plain text, or a command for another bot in the group
    verdict = flood(context).check(user.id, now(context))
    if verdict is Verdict.SERVE:
        return
    if verdict is Verdict.TELL:
        log.warning("user %s sent more than %s commands a minute", user.id, COMMANDS_PER_MINUTE)
        if update.callback_query is not None:
            await update.callback_query.answer(SLOW_DOWN, show_alert=True)
        else:
            await reply(update, SLOW_DOWN)
    raise ApplicationHandlerStop


async def _unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or _addressed_to(message, message.text or "") is None:
        return  # addressed to another bot (`/start@other_bot`)
    if not await check_role(update, context, LOWEST_ROLE):
        return
    word = (message.text or "").split()[0]
    await reply(
        update, f"Unknown command {one_line(word, 40)}. Send /help for the commands you may use."
    )


async def _unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press whose data no handler knows (a button of an older version, forged data):
    answered, or the user's client shows a spinner until it times out."""
    query = update.callback_query
    if query is not None and await check_role(update, context, LOWEST_ROLE):
        await query.answer("This button is no longer valid.")


async def _plain_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await check_role(update, context, LOWEST_ROLE):
        await reply(update, "Commands start with /. Send /help for the list.")


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback with an id; tell the user only the id. Telegram failing (a poll, or
    a reply whose retries are used up or that timed out and may have been delivered) is not a
    fault of the bot: one warning line, no traceback, no audit entry, no "internal error"."""
    if isinstance(context.error, UpdateAlreadyHandled):  # a second copy: it changed nothing
        log.info("update %s was handled by another copy; this one rolled back", context.error)
        return
    if is_disk_full(context.error):
        await faults.not_recorded(update, context)
        return
    if isinstance(context.error, TelegramError) and (
        update is None or telegram_unavailable(context.error)
    ):
        what = "polling for updates" if update is None else "replying"
        log.warning("Bot API failed while %s: %s", what, context.error)
        return
    error_id = faults.next_error_id()
    log.error("%s while handling an update", error_id, exc_info=context.error)
    await _audit_error(context, error_id)
    if isinstance(update, Update) and update.effective_chat and chat_allowed(update, context):
        try:
            await update.effective_chat.send_message(f"internal error, logged as {error_id}")
        except Exception as err:
            log.warning("could not tell the user about %s: %s", error_id, err)


async def _audit_error(context: ContextTypes.DEFAULT_TYPE, error_id: str) -> None:
    detail = f"{error_id} {type(context.error).__name__}"
    try:
        await store(context).audit.add(0, "error", now(context), detail=detail)
    except Exception as err:  # the log line above has it all
        log.warning("could not write %s to the audit log: %s", error_id, err)
