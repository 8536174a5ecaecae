"""Issue 16 item 4: every command's /help gives its grammar, what it does to the records and
real examples, which the bot takes as they are (no usage error, no internal error)."""

from __future__ import annotations

from bot.grammar.commands import COMMANDS
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, running_bot

IMPORT_HEADER = "account,group,category,followers,note\n"


async def test_help_of_every_command_has_grammar_effect_and_examples(
    fake_api: FakeBotApi, tmp_path
):
    async with running_bot(fake_api, tmp_path / "t.db"):
        for name, command in COMMANDS.items():
            [answer] = await fake_api.ask(ADMIN, f"/help {name}")
            lines = answer.plain.splitlines()
            assert lines[0] == command.usage, name
            assert command.details in answer.plain, name
            assert all(example in lines for example in command.examples), name
        [stats] = await fake_api.ask(ADMIN, "/help stats")
        assert "Compliance = actioned / (actioned + rejected + expired)" in stats.plain
        [packet] = await fake_api.ask(ADMIN, "/help /packet")
        assert "Flow: /packet writes a CSV and a letter" in packet.plain
        [import_] = await fake_api.ask(ADMIN, "/help import")
        assert "Columns (a header row, any order): account, group (required)" in import_.plain
        [two] = await fake_api.ask(ADMIN, "/help flag stats")
        assert two.plain.startswith("One command at a time, e.g. /help flag.")
        assert "No command" not in two.plain
        [none] = await fake_api.ask(ADMIN, "/help nosuch")
        assert none.plain.startswith("No command /nosuch.")


async def test_every_example_in_the_help_is_taken_as_it_is(fake_api: FakeBotApi, tmp_path):
    examples = [e for name, c in COMMANDS.items() if name != "import" for e in c.examples]
    # Each example in a group chat of its own, so no reply of one is taken for another's.
    chats = [-100_000 - n for n in range(len(examples))]
    async with running_bot(fake_api, tmp_path / "t.db", allowed_chat_ids=chats):
        for n in range(1, 22):  # the examples name cases up to #21
            await fake_api.ask(ADMIN, f"/flag x.com/example_case{n:02d} TTP")
        for chat, example in zip(chats, examples, strict=True):
            [answer] = await fake_api.ask(ADMIN, example, chat_id=chat, chat_type="supergroup")
            assert "Usage:" not in answer.plain, (example, answer.plain)
            assert "internal error" not in answer.plain, (example, answer.plain)
        rows = "\n".join(COMMANDS["import"].examples)
        data = (IMPORT_HEADER + rows + "\n").encode()
        [imported] = await fake_api.ask(ADMIN, None, document=(data, "x.csv"), caption="/import")
        assert imported.plain.startswith("Imported x.csv: 2 rows."), imported.plain
