"""Issue 16 item 2: people are shown by name and id (`Ayesha K. (2001)`), kept from the name
Telegram sends with each member's updates; /members lists them with their roles; the command
menu each member sees is their role's, set again on /grant and /revoke. Item 5 for /audit:
how many entries there are, a page at a time, filtered by case, member or action."""

import json
from pathlib import Path
from typing import Any

from bot.grammar.commands import COMMANDS
from bot.runtime.menus import ANYONE
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.harness import ADMIN, flag, running_bot, stored

AYESHA = 2001
BILAL = 2002
GROUP = -100500
AYESHA_KHAN: dict[str, Any] = {"first_name": "Ayesha", "last_name": "Khan"}
SANA: dict[str, Any] = {"first_name": "Sana", "last_name": "Mir"}  # the admin's name


def menu_of(api: FakeBotApi, chat_id: int, user_id: int | None = None) -> set[str] | None:
    """The commands set for a member's private chat (or for them in a group); None if none."""
    scope = (
        {"type": "chat", "chat_id": chat_id}
        if user_id is None
        else {"type": "chat_member", "chat_id": chat_id, "user_id": user_id}
    )
    key = json.dumps([scope, ""], sort_keys=True)
    commands = api.commands_by_scope.get(key)
    return None if commands is None else {c["command"] for c in commands}


async def test_cards_and_audit_name_members_as_telegram_sends_them(fake_api: FakeBotApi, tmp_path):
    async with running_bot(fake_api, tmp_path / "t.db"):
        await fake_api.ask(ADMIN, f"/grant {AYESHA} reviewer", **SANA)
        [flagged] = await fake_api.ask(
            AYESHA, "/flag x.com/recruiter TTP", first_name="Ayesha", last_name="Khan"
        )
        assert "#1" in flagged.plain
        await fake_api.ask(AYESHA, "/note 1 posts daily", **AYESHA_KHAN)
        [card] = await fake_api.ask(AYESHA, "/status #1", **AYESHA_KHAN)
        assert f"by Ayesha K. ({AYESHA})" in card.plain
        assert f"• 2026-11-02 11:00 by Ayesha K. ({AYESHA}): posts daily" in card.plain
        [sent] = await fake_api.ask(AYESHA, "/request #1", **AYESHA_KHAN)
        pressed = await fake_api.press(AYESHA, sent, "o:1:1:removed", **AYESHA_KHAN)
        assert f"removed after 0.0 h (by Ayesha K. ({AYESHA}))" in pressed.edits[-1].plain
        [audit] = await fake_api.ask(ADMIN, "/audit", **SANA)
        assert f"Ayesha K. ({AYESHA}) flag #1" in audit.plain
        assert f"Sana M. ({ADMIN}) grant" in audit.plain
        # A new name comes with the next update and is what every list shows from then on.
        await fake_api.ask(AYESHA, "/start", first_name="Ayesha", last_name="Siddiqui")
        [audit] = await fake_api.ask(ADMIN, f"/audit user={AYESHA}", **SANA)
        assert f"Audit by Ayesha S. ({AYESHA}): 4 entries" in audit.plain
        assert "Ayesha K." not in audit.plain
        # A stranger's name is not kept: the bot has no business with them.
        await fake_api.ask(4444, "/start", first_name="Nosy", last_name="Parker")
    kept = dict(
        stored(tmp_path / "t.db", "SELECT user_id, first_name || ' ' || last_name FROM people")
    )
    assert kept == {ADMIN: "Sana Mir", AYESHA: "Ayesha Siddiqui"}


async def test_members_lists_every_member_with_role_and_name_in_private_only(
    fake_api: FakeBotApi, tmp_path
):
    async with running_bot(fake_api, tmp_path / "t.db", allowed_chat_ids=[GROUP]):
        await fake_api.ask(ADMIN, f"/grant {AYESHA} reviewer", **SANA)
        await fake_api.ask(ADMIN, f"/grant {BILAL} viewer")
        await fake_api.ask(AYESHA, "/start", first_name="Ayesha", last_name="Khan", username="ak")
        [listed] = await fake_api.ask(ADMIN, "/members", **SANA)
        assert listed.plain.splitlines() == [
            "Members: 3",
            f"admin Sana Mir ({ADMIN}), through ADMIN_IDS",
            f"reviewer Ayesha Khan @ak ({AYESHA}), since 2026-11-02 11:00",
            f"viewer name not seen yet ({BILAL}), since 2026-11-02 11:00",
        ]
        [in_group] = await fake_api.ask(ADMIN, "/members", chat_id=GROUP, chat_type="supergroup")
        assert "private chat" in in_group.plain and "Ayesha" not in in_group.plain
        [refused] = await fake_api.ask(AYESHA, "/members")
        assert "needs the admin role" in refused.plain
        [usage] = await fake_api.ask(ADMIN, "/members all")
        assert "Usage: /members" in usage.plain


async def test_each_member_sees_the_menu_of_their_role_set_again_on_grant_and_revoke(
    fake_api: FakeBotApi, tmp_path
):
    viewer = {name for name, spec in COMMANDS.items() if spec.role.key == "viewer"}
    reviewer = {name for name, spec in COMMANDS.items() if spec.role.key != "admin"}
    async with running_bot(fake_api, tmp_path / "t.db", allowed_chat_ids=[GROUP]):
        assert {c["command"] for c in fake_api.commands} == set(ANYONE)  # strangers
        assert menu_of(fake_api, ADMIN) == set(COMMANDS)
        assert menu_of(fake_api, GROUP, ADMIN) == set(COMMANDS)
        await fake_api.ask(ADMIN, f"/grant {AYESHA} viewer")
        assert menu_of(fake_api, AYESHA) == viewer == menu_of(fake_api, GROUP, AYESHA)
        await fake_api.ask(ADMIN, f"/grant {AYESHA} reviewer")
        assert menu_of(fake_api, AYESHA) == reviewer and "request" in reviewer
        await fake_api.ask(ADMIN, f"/revoke {AYESHA}")
        assert menu_of(fake_api, AYESHA) is None and menu_of(fake_api, GROUP, AYESHA) is None
        await fake_api.ask(ADMIN, f"/grant {BILAL} reporter")
    # On the next start every member's menu is set again (a menu Telegram lost, a new role).
    fake_api.commands_by_scope.clear()
    async with running_bot(fake_api, tmp_path / "t.db"):
        assert menu_of(fake_api, BILAL) == viewer | {"flag", "note"}
        assert menu_of(fake_api, AYESHA) is None


async def test_audit_says_how_many_and_pages_and_filters_by_case_member_and_action(
    fake_api: FakeBotApi, tmp_path: Path
):
    async with running_bot(fake_api, tmp_path / "t.db"):
        for n in range(34):
            await flag(fake_api, f"x.com/account{n:02d} TTP")
        [first] = await fake_api.ask(ADMIN, "/audit")
        lines = first.plain.splitlines()
        assert lines[0] == "Audit: 34 entries, newest first"
        assert len(lines) == 32 and "flag #34" in lines[1]
        assert lines[-1] == "Shown: 1-30 of 34. Next page: /audit page=2"
        [second] = await fake_api.ask(ADMIN, "/audit page=2")
        assert second.plain.splitlines()[-1] == "Shown: 31-34 of 34."
        assert "flag #1 " in second.plain
        [past] = await fake_api.ask(ADMIN, "/audit page=9")
        assert "past the end: there are 34" in past.plain
        [one] = await fake_api.ask(ADMIN, "/audit #7")
        assert one.plain.splitlines()[0] == "Audit of #7: 1 entry, newest first"
        [flags] = await fake_api.ask(ADMIN, f"/audit action=flag user={ADMIN}")
        assert flags.plain.startswith(f"Audit by User ({ADMIN}), action flag: 34 entries")
        [none] = await fake_api.ask(ADMIN, "/audit action=grant")
        assert none.plain == "No audit entries match."
        [missing] = await fake_api.ask(ADMIN, "/audit 999")
        assert missing.plain == "There is no case #999."
        [bad] = await fake_api.ask(ADMIN, "/audit who=me")
        assert "Unknown filter" in bad.plain and "Usage: /audit" in bad.plain
