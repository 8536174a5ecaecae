"""The command lists do not drift: the command table (bot/grammar/commands.py), /help, the
README's command list and layout table, the handlers' modules, and PRODUCT.md's command table.

PRODUCT.md is ../shared/PRODUCT.md beside the repository (CI clones the repository fresh with
../shared next to it). It lists commands that are not built yet: they are named below, so a
command built without being registered here (or registered but gone) fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

from telegram.ext import CommandHandler

from bot.grammar.commands import COMMANDS
from bot.runtime.app import command_handlers

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ROOT.parent / "shared" / "PRODUCT.md"
README = ROOT / "README.md"

# Built, but not in PRODUCT.md's command table: /packet is specified in its own section
# ("Request packets"), /comebacks is recorded in docs/product-notes.md.
NOT_IN_PRODUCT_TABLE = {"packet", "comebacks"}
# Commands that take no words: their usage is the bare command.
NO_ARGUMENTS = {"start", "digest", "health", "members"}
# handlers/ modules that are not a command's.
HELPERS = {"__init__", "auth", "common"}


def module_of(command: str) -> str:
    """`import` is a Python keyword: its modules are import_.py."""
    return "import_" if command == "import" else command


def section(text: str, heading: str) -> str:
    """The text under `## heading`, up to the next `## `."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"no '## {heading}' section"
    return match.group(1)


def product_table_commands() -> set[str]:
    assert PRODUCT.is_file(), f"{PRODUCT} is missing: clone ../shared beside the repository"
    table = section(PRODUCT.read_text("utf-8"), "Commands (the grammar users type)")
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `/")]
    return {name for cell in first_cells for name in re.findall(r"`/(\w+)", cell)}


def test_every_command_has_a_help_text_with_its_grammar() -> None:
    for name, command in COMMANDS.items():
        assert command.name == name
        assert command.summary.strip() and "\n" not in command.summary, name
        if name in NO_ARGUMENTS:
            assert command.usage == f"/{name}", name
        else:
            assert command.args.strip(), f"/{name} has no grammar in its usage"
        assert command.details.strip() and command.details == command.details.strip(), name
        assert len(command.examples) == (1 if name in NO_ARGUMENTS else 2), name
        if name != "import":  # /import's examples are rows of its file
            assert all(example.startswith(f"/{name}") for example in command.examples), name
    assert set(COMMANDS) >= NO_ARGUMENTS


def test_readme_lists_every_command_with_its_usage_in_the_table_order() -> None:
    listed = re.findall(r"^- `(/[^`]*)`", section(README.read_text("utf-8"), "Commands"), re.M)
    assert listed == [command.usage for command in COMMANDS.values()]


def test_product_table_and_the_command_table_agree() -> None:
    specified = product_table_commands()
    assert "flag" in specified and "import" in specified  # the table was read
    built = set(COMMANDS)
    assert specified - built == set(), "a command of PRODUCT.md is not built"
    assert built - specified == NOT_IN_PRODUCT_TABLE


def test_every_handler_module_is_a_command_and_holds_its_callback() -> None:
    modules = {path.stem for path in (ROOT / "handlers").glob("*.py")} - HELPERS
    assert modules == {module_of(name) for name in COMMANDS}
    registered: dict[str, str] = {}
    for handler in command_handlers():
        assert isinstance(handler, CommandHandler)
        for name in handler.commands:
            registered[name] = handler.callback.__module__
    assert registered == {name: f"handlers.{module_of(name)}" for name in COMMANDS}


def test_the_layout_table_names_every_folder() -> None:
    table = section(README.read_text("utf-8"), "Layout")
    named = set(re.findall(r"^\| `([\w/]+)/` \|", table, re.M))
    folders = {
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*")
        if path.is_dir()
        and not any(
            part.startswith((".", "__")) or part.endswith(".egg-info")
            for part in path.relative_to(ROOT).parts
        )
        and path.relative_to(ROOT).parts[0] not in {"data", "console-out"}
    }
    # bot/ itself holds only the four layers (and __main__.py): they are named one by one.
    assert folders - {"bot"} <= named, folders - {"bot"} - named
    assert named <= folders
