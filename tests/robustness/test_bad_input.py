"""Bad input: hypothesis throws at least 500 argument lists at every command (random text,
huge numbers, unicode, control characters, HTML, SQL, and the words the grammar knows, in
any order), 500 random files at /import and 500 random button payloads at the buttons.

For every example, through the real Application: a reply is always sent (and Telegram would
accept it: valid HTML, within the limits), nothing reaches the error handler, and when the
reply is a usage error (or the command only reads) no row of the database changed.
Valid-by-chance input may write: the check is that invalid input writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import Category, Outcome, Platform, Role
from bot.grammar.commands import COMMANDS
from tests.robustness.driver import ADMIN, InProcessBot, Reply, fingerprint

# The robustness tests are slow: `make test` runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

EXAMPLES = 100
MAX_MESSAGE = 4096  # Telegram delivers at most this many characters in a message

# Commands that never write: any change of rows is a defect, whatever the reply.
READ_ONLY = frozenset({"start", "help", "status", "find", "pending", "stats", "digest", "export",
                       "audit", "report"})  # fmt: skip
# /start may carry a deep-link payload (t.me/bot?start=xyz sends "/start xyz"): ignored.
IGNORES_ARGS = frozenset({"start"})

GRAMMAR_WORDS = [
    *(p.value for p in Platform),
    *(c.value for c in Category),
    *(o.value for o in Outcome),
    *(r.key for r in Role),
    "restored", "TTP", "bla", "BLF", "ISIS", "pending", "overdue", "by", "group", "platform",
    "7d", "30d", "90d", "all", "1d", "month", "quarter", "half", "year", "2026-11", "2026-Q4",
    "2026-H2", "2026", "asof=2026-11-01", "asof=2026-11-01T09:00", "ref=", "ref=TD-x-1",
    "followers=", "followers=12.5k",
    "followers=2m", "followers=-5", "followers=1e309", "followers=NaN", "followers=99999999999999k",
    "#1", "#2", "#3", "#4", "#5", "1", "2", "#0", "0", "-1", "#-3", "##1", "#", "1,", "#1,#2",
    "x.com/foo", "https://twitter.com/Foo?s=20", "x.com/home", "t.me/joinchat", "t.me/s/chan",
    "wa.me/923001234567", "03451234567", "x:@foo", "facebook.com/profile.php?id=123",
    "facebook.com/login", "youtube.com/channel/UC123", "https://example.org/x", "x.com/",
    "chat.whatsapp.com/", "/flag", "/help", "help", "flag", "@takedown_test_bot",
]  # fmt: skip
HOSTILE = [
    "<b>", "</i>", "<script>alert(1)</script>", "<a href='javascript:x'>x</a>", "&amp;", "&#0;",
    "&lt;", "<", ">", "&", "<b>bold", "</b>", "<tg-spoiler>", "'; DROP TABLE cases; --",
    "\" OR 1=1 --", "%", "_", "\\", "' OR ''='", "NULL", "None", "null", "\x00", "\x1b[31m",
    "\u202e", "\ufeff", "\u200d", "\u2028", "👩🏽‍💻", "یہ اکاؤنٹ", "Ⅻ", "١٢٣", "𝟏𝟐", "ǅ", "ß",
    "İ", "\t", "\r", "\n", "\u00a0", "９", "#１", "ｘ.com/ｆｏｏ",
]  # fmt: skip

numbers = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.integers(0, 10**30).map(lambda n: f"#{n}"),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(0, 10**6).map(lambda n: f"{n}k"),
)
numbers = st.one_of(
    numbers,
    numbers.map(lambda n: f"followers={n}"),
    st.integers(0, 10**25).map(lambda n: f"followers={n}"),
    st.text(max_size=10).map(lambda t: f"ref={t}"),
)
controls = st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=5)
words = st.one_of(
    st.sampled_from(GRAMMAR_WORDS),
    st.sampled_from(HOSTILE),
    numbers,
    st.text(max_size=12),
    controls,
    st.text(max_size=300),
)
argument_lists = st.lists(words, max_size=8)
separators = st.sampled_from([" ", " ", " ", "\n", "  ", "\t"])


def message_text(command: str, args: list[str], sep: str) -> str:
    text = f"/{command} " + sep.join(args) if args else f"/{command}"
    return text[:MAX_MESSAGE]


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[tuple[asyncio.Runner, InProcessBot]]:
    """One bot, started once for all the examples of a test (an event loop of its own, so
    the synchronous hypothesis test can drive it)."""
    with asyncio.Runner() as runner:
        started = InProcessBot(tmp_path / "t.db")
        runner.run(started.__aenter__())
        try:
            runner.run(seed(started))
            yield runner, started
        finally:
            runner.run(started.__aexit__(None, None, None))


async def seed(bot: InProcessBot) -> None:
    """A case in every state: #1 flagged, #2 requested, #3 actioned, #4 dismissed, #5 refused."""
    for user, role in ((201, "reporter"), (301, "reviewer"), (401, "viewer")):
        await bot.ask(ADMIN, f"/grant {user} {role}")
    for handle in ("one", "two", "three", "four", "five"):
        await bot.ask(201, f"/flag x.com/seed_{handle} TTP propaganda followers=1k note")
    await bot.ask(301, "/request #2 #3 #5 ref=SEED")
    await bot.ask(301, "/outcome #3 removed")
    await bot.ask(301, "/outcome #5 rejected")
    await bot.ask(301, "/dismiss #4 parody")
    assert bot.errors == [] and bot.api.refused == []


def forget_earlier(bot: InProcessBot) -> None:
    """Each example is judged on its own (hypothesis shrinks failures)."""
    bot.errors.clear()
    bot.api.refused.clear()


def check_reply(bot: InProcessBot, reply: Reply, what: str) -> None:
    assert reply.outputs, f"no reply to {what!r}"
    assert bot.errors == [], f"{what!r} reached the error handler: {bot.errors!r}"
    assert bot.api.refused == [], f"Telegram would refuse the reply to {what!r}: {bot.api.refused}"
    assert not any("internal error" in text for text in reply.texts), what


def is_usage_error(reply: Reply) -> bool:
    return any("\nUsage: " in text or text.startswith("Usage: ") for text in reply.texts)


COMMAND_NAMES = sorted(name for name in COMMANDS if name != "import")


@pytest.mark.parametrize("command", COMMAND_NAMES)
def test_random_arguments_get_a_reply_and_invalid_ones_write_nothing(command, bot):
    runner, desk = bot
    takes_no_args = COMMANDS[command].args == "" and command not in IGNORES_ARGS

    ran = []

    async def one(args: list[str], sep: str) -> None:
        ran.append(1)
        text = message_text(command, args, sep)
        forget_earlier(desk)
        before = fingerprint(desk.db_path)
        reply = await desk.ask(ADMIN, text)
        check_reply(desk, reply, text)
        if takes_no_args and text.strip() != f"/{command}":
            assert is_usage_error(reply), f"/{command} takes no words; {text!r}: {reply.texts}"
        if is_usage_error(reply) or command in READ_ONLY:
            assert fingerprint(desk.db_path) == before, f"{text!r} changed rows: {reply.texts}"

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(args=argument_lists, sep=separators)
    def check(args: list[str], sep: str) -> None:
        runner.run(one(args, sep))

    check()
    assert len(ran) >= EXAMPLES


CSV_CELLS = st.one_of(st.sampled_from(GRAMMAR_WORDS + HOSTILE), numbers, st.text(max_size=20))
csv_files = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(CSV_CELLS, max_size=7), max_size=12).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode()
    ),
    st.lists(st.lists(CSV_CELLS, min_size=2, max_size=6), max_size=10).map(
        lambda rows: (
            "account,group,category,followers,note\n" + "\n".join(",".join(row) for row in rows)
        ).encode("utf-8")
    ),  # fmt: skip
    st.text(max_size=500).map(lambda text: text.encode("utf-16")),
)
file_names = st.one_of(st.sampled_from(["cases.csv", "CASES.CSV", "x.txt", "a.csv.exe", ""]),
                       st.text(max_size=30).map(lambda s: s + ".csv"))  # fmt: skip
mime_types = st.sampled_from(["text/csv", None, "application/pdf", "text/plain", "image/png"])


def test_random_files_sent_to_import_get_a_reply_and_invalid_ones_write_nothing(bot):
    runner, desk = bot

    ran = []

    async def one(data: bytes, name: str, mime: str | None, args: list[str]) -> None:
        ran.append(1)
        caption = message_text("import", args, " ")[:1024]
        forget_earlier(desk)
        before = fingerprint(desk.db_path)
        update = desk.message(ADMIN, caption, document=(data, name), mime_type=mime)
        reply = await desk.send(update)
        check_reply(desk, reply, f"{name!r} {data[:80]!r}")
        if not any("New cases:" in text for text in reply.texts):  # not imported
            assert fingerprint(desk.db_path) == before, (name, data[:200], reply.texts)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=csv_files, name=file_names, mime=mime_types, args=st.lists(words, max_size=3))
    def check(data: bytes, name: str, mime: str | None, args: list[str]) -> None:
        runner.run(one(data, name, mime, args))

    check()
    assert len(ran) >= EXAMPLES


button_data = st.one_of(
    st.text(max_size=64).filter(lambda s: 0 < len(s.encode()) <= 64),
    st.builds(lambda c, r, o: f"o:{c}:{r}:{o}", numbers, numbers,
              st.sampled_from([*(o.value for o in Outcome), "restored", "", "x"])),
    st.builds(lambda p: f"pk:{p}", numbers),
    st.builds(lambda p: f"pk:{p}", st.integers(0, 10**30)),
    st.builds(lambda c: f"o:{c}:1:removed", st.integers(0, 10**30)),
    st.builds(lambda c, r, o: f"o:{c}:{r}:{o}", st.integers(-2, 7), st.integers(-1, 3),
              st.sampled_from([o.value for o in Outcome])),
)  # fmt: skip


def test_random_button_presses_get_an_answer_and_invalid_ones_write_nothing(bot):
    runner, desk = bot
    anchor = runner.run(desk.ask(301, "/request #1")).outputs[0]  # a message with buttons

    ran = []

    async def one(data: str) -> None:
        ran.append(1)
        forget_earlier(desk)
        before = fingerprint(desk.db_path)
        reply = await desk.send(desk.press(301, anchor, data.strip() or "x"))
        check_reply(desk, reply, data)
        recorded = [o for o in reply.outputs if o.text.startswith(("Recorded", "TD-"))]
        if not recorded:
            assert fingerprint(desk.db_path) == before, (data, reply.texts)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=button_data)
    def check(data: str) -> None:
        runner.run(one(data))

    check()
    assert len(ran) >= EXAMPLES
