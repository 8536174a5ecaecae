import asyncio
import datetime as dt

from bot.domain import Role
from storage.store import Store

AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


async def test_roles_bootstrap_grant_and_revoke_with_audit(tmp_path):
    store = await Store.open(tmp_path / "t.db", admin_ids=[1])
    try:
        assert await store.members.role_of(1) == Role.ADMIN
        assert await store.members.role_of(2) is None
        assert await store.members.grant(2, Role.REPORTER, by=1, at=AT) is None
        assert await store.members.role_of(2) == Role.REPORTER
        assert await store.members.grant(2, Role.REVIEWER, by=1, at=AT) == Role.REPORTER
        assert await store.members.role_of(2) == Role.REVIEWER
        assert await store.members.revoke(2, by=1, at=AT) == Role.REVIEWER
        assert await store.members.role_of(2) is None
        assert await store.members.revoke(2, by=1, at=AT) is None
        entries = await store.audit.recent()
        assert [(e.action, e.before, e.after) for e in entries] == [
            ("revoke", "reviewer", None),
            ("grant", "reporter", "reviewer"),
            ("grant", None, "reporter"),
        ]
        assert all(e.user_id == 1 and e.at == AT for e in entries)
    finally:
        await store.close()


def test_roles_are_ordered():
    assert Role.VIEWER < Role.REPORTER < Role.REVIEWER < Role.ADMIN


async def test_a_look_up_beside_a_grant_never_leaves_the_old_role_remembered(tmp_path):
    """Roles are remembered (no round trip per update); a look-up that ran while a grant or a
    revoke committed must not keep the role it read from before."""
    store = await Store.open(tmp_path / "t.db", admin_ids=[1])
    try:
        members = store.members
        assert await members.role_of(2) is None  # remembered as a stranger
        for role in (Role.VIEWER, Role.REVIEWER, None):
            change = (
                members.grant(2, role, by=1, at=AT)
                if role is not None
                else members.revoke(2, by=1, at=AT)
            )
            await asyncio.gather(members.role_of(2), change, members.role_of(2))
            assert await members.role_of(2) == role
            assert await members.role_of(2) == role  # from memory now: the same
    finally:
        await store.close()


async def test_on_postgresql_a_revoke_by_another_replica_is_seen_at_once(tmp_path, pg_cluster):
    """Replicas share the members table: none of them may answer from a role it remembers."""
    url = pg_cluster.fresh_database()
    one = await Store.open(tmp_path / "a.db", admin_ids=[1], database_url=url)
    other = await Store.open(tmp_path / "b.db", admin_ids=[1], database_url=url)
    try:
        await one.members.grant(2, Role.REVIEWER, by=1, at=AT)
        assert await other.members.role_of(2) == Role.REVIEWER
        await one.members.revoke(2, by=1, at=AT)
        assert await other.members.role_of(2) is None
    finally:
        await one.close()
        await other.close()
        pg_cluster.drop(url)
