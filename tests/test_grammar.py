"""The small command grammars (bot/grammar/<command>.py): words in, values or a UsageError out."""

from __future__ import annotations

import pytest

from bot.domain import Platform
from bot.domain.errors import UsageError
from bot.domain.records import AuditFilter
from bot.grammar.audit import AuditQuery, parse_audit
from bot.grammar.comebacks import parse_comebacks
from bot.grammar.digest import parse_digest
from bot.grammar.find import MAX_FIND_TEXT, parse_find
from bot.grammar.import_ import MAX_BYTES, check_document, no_document
from bot.grammar.revoke import parse_revoke


def test_audit_takes_one_case_one_user_one_action_and_a_page() -> None:
    assert parse_audit([]) == AuditQuery(AuditFilter(), 1)
    assert parse_audit(["#17"]) == AuditQuery(AuditFilter(case_id=17), 1)
    query = parse_audit(["user=2001", "ACTION=Grant", "page=3", "17"])
    assert query == AuditQuery(AuditFilter(17, 2001, "grant"), 3)
    assert query.command(4) == "/audit #17 user=2001 action=grant page=4"
    for words, reason in [
        (["1", "2"], "one case filter"),
        (["user=x"], "not a Telegram user id"),
        (["page=0"], "not a page number"),
        (["who=3"], "Unknown filter"),
        (["action="], "needs a value"),
    ]:
        with pytest.raises(UsageError, match=reason) as err:
            parse_audit(words)
        assert err.value.usage == "/audit [#id] [user=ID] [action=WORD] [page=N]"


def test_comebacks_takes_at_most_one_platform() -> None:
    assert parse_comebacks([]) is None
    assert parse_comebacks(["Twitter"]) is Platform.X
    with pytest.raises(UsageError, match="Unknown platform"):
        parse_comebacks(["myspace"])


def test_revoke_takes_exactly_one_user_id() -> None:
    assert parse_revoke(["2001"]) == 2001
    for args in ([], ["1", "2"], ["abc"]):
        with pytest.raises(UsageError):
            parse_revoke(args)


def test_digest_takes_no_word() -> None:
    parse_digest([])
    with pytest.raises(UsageError, match="Unknown word 'now'"):
        parse_digest(["now"])


def test_find_collapses_spaces_and_reads_an_account_when_it_is_one() -> None:
    query = parse_find("  @Bad   guy ")
    assert (query.text, query.needle, query.account) == ("@Bad guy", "Bad guy", None)
    account = parse_find("x.com/BadGuy").account
    assert account is not None and account.short == "x:@badguy"
    for text in ("   ", "a" * (MAX_FIND_TEXT + 1)):
        with pytest.raises(UsageError):
            parse_find(text)


def test_import_document_checks_name_type_and_size_before_the_download() -> None:
    assert check_document("cases.CSV", None, 10) == "cases.CSV"
    assert check_document(None, "text/csv", None) == "file"
    with pytest.raises(UsageError, match="is not a CSV file"):
        check_document("photo.jpg", "image/jpeg", 10)
    with pytest.raises(UsageError, match="at most 20 MB"):
        check_document("big.csv", "text/csv", MAX_BYTES + 1)
    assert no_document(sent_text=True).reason.startswith("No file attached.")
    assert no_document(sent_text=False).reason.startswith("That is not a document.")
