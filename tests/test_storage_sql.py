"""States and outcomes in storage's SQL come from the domain's enums (storage/sql.py).

No SQL string in storage/ spells a state or an outcome itself; the fragments built from the
enums are the same text on every run, mean in SQLite what the domain's sets mean, and leave
the queries on their indexes.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
import sqlite3
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import RESTORED, CaseState, Outcome, states
from bot.grammar.flag import parse_flag
from storage import sql
from storage.comebacks import _PROBE_SQL, _TYPO_PROBE_SQL
from storage.stats import _OVERDUE_SQL
from storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
WORDS = sorted({*CaseState, *Outcome, RESTORED})
# A state or an outcome written as an SQL string literal: 'actioned', 'no_response', ...
BARE = re.compile("'(" + "|".join(re.escape(word) for word in WORDS) + ")'")
# Audit actions are words of their own, and some look alike (the action 'refused' is a
# stranger's refusal, not the state): a literal compared with `action` is not a state.
AUDIT_ACTION = re.compile(r"\baction\s*(=\s*'[a-z_]+'|IN\s*\([^)]*\))", re.IGNORECASE)


def storage_sources() -> list[Path]:
    return sorted(
        path
        for path in (ROOT / "storage").rglob("*.py")
        if "migrations" not in path.relative_to(ROOT / "storage").parts
    )


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: they may show an example of the SQL."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def bare_literals(source: str) -> list[str]:
    """Each string constant (f-string parts too) that spells a state or outcome in quotes."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and BARE.search(AUDIT_ACTION.sub("", node.value))
    ]


@pytest.mark.parametrize("path", storage_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_in_storage_spells_a_state_or_an_outcome(path: Path) -> None:
    assert bare_literals(path.read_text("utf-8")) == []


def test_the_scan_finds_a_bare_literal_in_plain_strings_and_f_strings() -> None:
    source = (
        '"""Docstring: state = \'actioned\' is fine here."""\n'
        "A = \"SELECT 1 FROM cases WHERE state = 'dismissed'\"\n"
        "B = f\"SELECT {x} FROM request_rounds WHERE outcome = 'no_response'\"\n"
        'C = "SELECT 1 FROM cases WHERE state = ?"\n'
        "D = \"SELECT id FROM audit WHERE action = 'refused' AND user_id = ?\"\n"
        "E = \"SELECT 1 FROM audit WHERE action IN ('dismiss', 'refused') AND after = 'flagged'\"\n"
    )
    assert sorted(bare_literals(source)) == [
        " FROM request_rounds WHERE outcome = 'no_response'",
        "SELECT 1 FROM audit WHERE action IN ('dismiss', 'refused') AND after = 'flagged'",
        "SELECT 1 FROM cases WHERE state = 'dismissed'",
    ]
    assert len(storage_sources()) >= 10


def test_fragments_are_in_the_enums_order_whatever_the_sets_order() -> None:
    assert sql.in_list(states.ACTIONED_OUTCOMES) == "('removed', 'restricted')"
    assert sql.literal(CaseState.ACTIONED) == "'actioned'"
    for order in itertools.permutations(states.OPEN_STATES):
        assert sql.ordered(order) == (CaseState.FLAGGED, CaseState.REQUESTED, CaseState.REFUSED)
        assert sql.placeholders(order) == "(?, ?, ?)"


def test_an_empty_set_or_a_value_with_a_quote_gets_no_sql() -> None:
    class Odd(StrEnum):
        QUOTE = "it's"

    with pytest.raises(ValueError, match="quote"):
        sql.literal(Odd.QUOTE)
    with pytest.raises(ValueError, match="empty"):
        sql.in_list(frozenset[Outcome]())


@given(st.sets(st.sampled_from(list(Outcome)), min_size=1))
def test_a_literal_list_means_in_sqlite_what_the_set_means(chosen: set[Outcome]) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        for outcome in Outcome:
            (found,) = conn.execute(
                f"SELECT ? IN {sql.in_list(chosen)}", (outcome.value,)
            ).fetchone()
            assert bool(found) == (outcome in chosen)
            (bound,) = conn.execute(
                f"SELECT ? IN {sql.placeholders(chosen)}", (outcome.value, *sql.ordered(chosen))
            ).fetchone()
            assert bool(bound) == (outcome in chosen)
    finally:
        conn.close()


@pytest.mark.sqlite_only  # SQLite's query plans
async def test_queries_with_generated_states_stay_on_their_indexes(store: Store) -> None:
    flagged = parse_flag("x.com/ttp_media TTP", ["TTP"])
    await store.cases.report(flagged, 7, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    probe: dict[str, object] = {"platform": "x", "key": "ttp", "case_id": 1, "limit": 5}
    typo = {**probe, "low": "tt", "high": "tt~", "min_len": 1, "max_len": 9}
    cases: list[tuple[str, dict[str, object], str]] = [
        (_PROBE_SQL, probe, "cases_by_match_key"),
        (_TYPO_PROBE_SQL, typo, "cases_by_match_key"),
        (_OVERDUE_SQL, {"expired_before": 0, "limit": 5}, "rounds_open"),
    ]
    for text, params, index in cases:
        plan = await store.db.fetchall("EXPLAIN QUERY PLAN " + text, params)
        details = [str(row["detail"]) for row in plan]
        assert any(index in d for d in details), details
        assert not any(d.startswith("SCAN cases") for d in details), details
