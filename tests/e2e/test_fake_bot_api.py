"""The fake Bot API behaves like Telegram for a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.e2e.fake_bot_api import BOT_ID, BOT_USERNAME, FakeBotApi, html_to_plain

TOKEN = "123:ABC"
USER = 4242
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4e80000000049454e44ae426082"
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("echo: " + " ".join(context.args or []))


async def bold(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "<b>" + " ".join(context.args or []) + "</b>", parse_mode=ParseMode.HTML
    )


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_document(
        document=b"id,handle\n1,foo\n", filename="cases.csv", caption="2 rows"
    )


async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(photo=PNG_1x1, caption="chart")


async def receive_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    data = await (await context.bot.get_file(message.document.file_id)).download_as_bytearray()
    await message.reply_text(
        f"got {len(data)} bytes in {message.document.file_name} caption={message.caption}"
    )


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Removed", callback_data="out:removed")]]
        + [[InlineKeyboardButton("Rejected", callback_data="out:rejected")]]
    )
    await update.effective_message.reply_text("choose an outcome", reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("saved")
    await query.edit_message_text(f"outcome: {query.data}")


async def start_app(app: Application[Any, Any, Any, Any, Any, Any], poll_timeout: int = 1) -> None:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)


async def stop_app(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


def build(api: FakeBotApi) -> Application[Any, Any, Any, Any, Any, Any]:
    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await app.bot.set_my_commands([BotCommand("echo", "repeat"), BotCommand("menu", "buttons")])

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .post_init(post_init)
        .build()
    )
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CommandHandler("bold", bold))
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CommandHandler("chart", chart))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(MessageHandler(filters.Document.ALL, receive_document))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


@pytest.fixture
async def bot_app(fake_api: FakeBotApi) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    app = build(fake_api)
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_bot_identity_commands_and_token(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    assert bot_app.bot.id == BOT_ID
    assert bot_app.bot.username == BOT_USERNAME
    assert [c["command"] for c in fake_api.commands] == ["echo", "menu"]
    assert [c.command for c in await bot_app.bot.get_my_commands()] == ["echo", "menu"]
    assert fake_api.tokens == {TOKEN}
    assert fake_api.base_url.startswith("http://127.0.0.1:")


async def test_command_gets_a_reply_in_the_same_chat(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    [reply] = await fake_api.ask(USER, "/echo hello world")
    assert reply.method == "sendMessage"
    assert reply.chat_id == USER
    assert reply.text == "echo: hello world"
    assert reply.message["from"]["id"] == BOT_ID
    assert "reply_to_message" not in reply.message  # PTB quotes only in groups
    [second] = await fake_api.ask(USER, "/echo again")
    assert second.message_id > reply.message_id


async def test_group_command_addressed_to_the_bot(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    [reply] = await fake_api.ask(
        USER, f"/echo@{BOT_USERNAME} hi", chat_id=-1001, chat_type="supergroup"
    )
    assert reply.chat_id == -1001
    assert reply.text == "echo: hi"
    assert reply.message["reply_to_message"]["text"] == f"/echo@{BOT_USERNAME} hi"
    assert reply.message["chat"]["type"] == "supergroup"


async def test_html_is_reported_as_plain_text(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    [reply] = await fake_api.ask(USER, "/bold x&amp;y")
    assert reply.text == "<b>x&amp;y</b>"
    assert reply.plain == "x&y"
    assert reply.message["text"] == "x&y"


async def test_no_reply_to_plain_text(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    assert await fake_api.ask(USER, "just chatting", expect=0, quiet=0.2) == []


async def test_bot_sends_a_document_and_a_photo(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    [doc] = await fake_api.ask(USER, "/export")
    assert doc.method == "sendDocument"
    assert doc.document == b"id,handle\n1,foo\n"
    assert doc.filename == "cases.csv"
    assert doc.caption == "2 rows"
    assert doc.message["document"]["file_name"] == "cases.csv"
    assert doc.message["document"]["file_size"] == len(doc.document)

    [photo] = await fake_api.ask(USER, "/chart")
    assert photo.method == "sendPhoto"
    assert photo.document == PNG_1x1
    assert photo.message["photo"][-1]["width"] == 1


async def test_bot_downloads_a_document_the_user_sent(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    content = b"platform,handle\nx,foo\n"
    [reply] = await fake_api.ask(
        USER, None, document=(content, "import.csv"), caption="/import dry"
    )
    assert reply.text == f"got {len(content)} bytes in import.csv caption=/import dry"
    update = fake_api.push_message(USER, None, document=(b"z", "a.csv"), caption="/import")
    assert update["message"]["caption_entities"][0] == {
        "type": "bot_command",
        "offset": 0,
        "length": 7,
    }


async def test_button_press_is_answered_and_edits_the_message(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    [card] = await fake_api.ask(USER, "/menu")
    assert card.callback_data == ["out:removed", "out:rejected"]
    result = await fake_api.press(USER, card, card.button("removed"))
    assert result.answer["text"] == "saved"
    assert result.edit is not None
    assert result.edit.method == "editMessageText"
    assert result.edit.text == "outcome: out:removed"
    current = fake_api.message(USER, card.message_id)
    assert current["text"] == "outcome: out:removed"
    assert "reply_markup" not in current  # edit without a keyboard removes it
    with pytest.raises(AssertionError, match="no button"):
        fake_api.push_callback(USER, card, "out:rejected")


async def test_blocked_chat_raises_forbidden_in_the_bot(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    errors: asyncio.Queue[object] = asyncio.Queue()

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        await errors.put(context.error)

    bot_app.add_error_handler(on_error)
    fake_api.fail_chat(USER)
    fake_api.push_message(USER, "/echo anyone there?")
    error = await asyncio.wait_for(errors.get(), 10)
    assert isinstance(error, Forbidden)
    assert "blocked" in str(error)
    assert fake_api.sent_to(USER) == []

    with pytest.raises(Forbidden):
        await bot_app.bot.send_message(USER, "direct")
    fake_api.unfail_chat(USER)
    await bot_app.bot.send_message(USER, "direct")
    assert [s.text for s in fake_api.sent_to(USER)] == ["direct"]


async def test_telegram_rules_are_enforced(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    bot = bot_app.bot
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)too long"):
        await bot.send_message(USER, "x" * 4097)
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    message = await bot.send_message(USER, "same")
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("same", chat_id=USER, message_id=message.message_id)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        await bot.send_message(USER, "keyboard", reply_markup=markup)


async def test_long_poll_returns_promptly_when_an_update_arrives(fake_api: FakeBotApi) -> None:
    app = build(fake_api)
    await start_app(app, poll_timeout=10)
    try:
        await fake_api.wait_for_call("getUpdates")
        await asyncio.sleep(0.2)  # the bot is now inside a 10 s long poll
        started = time.monotonic()
        await fake_api.ask(USER, "/echo quick")
        assert time.monotonic() - started < 2
    finally:
        await stop_app(app)


async def test_redelivered_update_is_processed_again(
    fake_api: FakeBotApi, bot_app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    update = fake_api.push_message(USER, "/echo once")
    await fake_api.wait_for(lambda s: s.text == "echo: once")
    fake_api.push_raw(update)
    await fake_api.wait_for(lambda s: s.text == "echo: once", after=1)
    assert fake_api.delivered_update_ids.count(update["update_id"]) == 2


async def test_get_updates_honours_offset_limit_and_timeout(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.base_url}{TOKEN}"
    ids = [fake_api.push_message(USER, f"m{i}")["update_id"] for i in range(3)]
    async with aiohttp.ClientSession() as http:

        async def get_updates(**params: Any) -> list[dict[str, Any]]:
            async with http.post(f"{url}/getUpdates", data=params) as response:
                body = await response.json()
            assert body["ok"] is True
            return list(body["result"])

        assert [u["update_id"] for u in await get_updates(limit=2)] == ids[:2]
        assert [u["update_id"] for u in await get_updates()] == ids  # not acknowledged yet
        assert [u["update_id"] for u in await get_updates(offset=ids[2])] == ids[2:]
        assert await get_updates(offset=ids[2] + 1, timeout=0) == []

        started = time.monotonic()
        assert await get_updates(offset=ids[2] + 1, timeout=1) == []
        assert time.monotonic() - started >= 0.9

        async def push_later() -> None:
            await asyncio.sleep(0.2)
            fake_api.push_message(USER, "late")

        task = asyncio.create_task(push_later())
        started = time.monotonic()
        [late] = await get_updates(offset=ids[2] + 1, timeout=5)
        await task
        assert late["message"]["text"] == "late"
        assert time.monotonic() - started < 2

        async with http.post(f"{url}/noSuchMethod") as response:
            assert response.status == 404
            body = await response.json()
        assert body == {"ok": False, "error_code": 404, "description": "Not Found"}

        async with http.post(f"{url}/sendMessage", json={"chat_id": USER, "text": "json"}) as r:
            assert (await r.json())["result"]["text"] == "json"


def test_html_to_plain() -> None:
    assert html_to_plain('<a href="https://x.com/a">a</a> &lt;b&gt; &amp; <i>i</i> & co') == (
        "a <b> & i & co"
    )
    for bad in ("<b>open", "<b></i>", "<br>", "a < b"):
        with pytest.raises(ValueError, match="can't parse entities"):
            html_to_plain(bad)
