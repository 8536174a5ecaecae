"""The layout's rules, checked on the source: which layer may import which.

Data flows one way (Telegram -> handler -> domain/storage -> reply), so:
- the domain (bot/domain) imports only itself: no telegram, no aiosqlite, no storage;
- grammar (bot/grammar) and views (bot/views) are pure too: the domain and each other only;
- storage imports only the domain and itself, never telegram;
- handlers never import aiosqlite (and write no SQL: they call the store);
- only bot/runtime wires everything together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("bot", "handlers", "storage", "tests", "bench")

# layer -> the project layers it may import (besides itself); None: any.
ALLOWED: dict[str, set[str] | None] = {
    "bot.domain": set(),
    "bot.grammar": {"bot.domain"},
    "bot.views": {"bot.domain", "bot.grammar"},
    "storage": {"bot.domain"},
    "handlers": {"bot.domain", "bot.grammar", "bot.views", "bot.runtime"},
    "bot.runtime": None,
    "bot.__main__": None,
    "bot": set(),  # the package's own (empty) __init__; a module directly in bot/ is in no layer
}
# Libraries the pure layers must not touch.
IO_LIBRARIES = {"telegram", "aiosqlite"}
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {
    "bot.domain": IO_LIBRARIES,
    "bot.grammar": IO_LIBRARIES,
    "bot.views": IO_LIBRARIES,
    "storage": {"telegram"},
    "handlers": {"aiosqlite", "sqlite3"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str | None:
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if module == layer or (layer != "bot" and module.startswith(layer + ".")):
            return layer
    return None


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from bot.views import status` imports the module bot.views.status
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def product_files() -> list[Path]:
    return sorted(
        path
        for package in ("bot", "handlers", "storage")
        for path in (ROOT / package).rglob("*.py")
    )


def breaches(path: Path) -> list[str]:
    module = module_name(path)
    layer = layer_of(module)
    assert layer is not None, f"{module} is in no layer: add it to ALLOWED"
    allowed = ALLOWED[layer]
    found = []
    for imported in sorted(imports_of(path)):
        top = imported.split(".")[0]
        if top in FORBIDDEN_LIBRARIES.get(layer, set()):
            found.append(f"{module} imports {imported}")
        if allowed is None or top not in PROJECT:
            continue
        target = layer_of(imported)
        if target is None:
            found.append(f"{module} imports {imported}, which is in no layer")
        elif target != layer and target not in allowed:
            found.append(f"{module} ({layer}) imports {imported} ({target})")
    return found


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    assert breaches(path) == []


def test_the_rule_catches_a_breach(tmp_path: Path) -> None:
    """The check itself: a view importing storage, a handler importing aiosqlite."""
    assert layer_of("bot.views.status") == "bot.views"
    view = ROOT / "bot" / "views" / "status.py"
    assert "storage.cases" not in imports_of(view)
    fake = tmp_path / "fake.py"
    fake.write_text("import aiosqlite\nfrom storage.cases import Cases\n", "utf-8")
    found = imports_of(fake)
    assert {"aiosqlite", "storage.cases", "storage.cases.Cases"} <= found
    assert layer_of("storage.cases") == "storage"
    assert "storage" not in (ALLOWED["bot.views"] or set())


def test_nothing_in_the_product_imports_the_tests() -> None:
    for path in [*product_files(), *(ROOT / "bench").rglob("*.py")]:
        assert not any(name.split(".")[0] == "tests" for name in imports_of(path)), path
