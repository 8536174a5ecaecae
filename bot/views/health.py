"""/health: how the bot runs, for an admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.records import BackupFile, DatabaseHealth
from bot.views.common import esc, local_time


@dataclass(frozen=True)
class Health:
    version: str
    now: dt.datetime
    started_at: dt.datetime
    database: DatabaseHealth
    backup_dir: str
    backup: BackupFile | None
    digest_chat_ids: list[int]
    updates_waiting: int | None  # None: no inbox (the offline console)
    leads_daily_jobs: bool = False  # on PostgreSQL: this replica sends the digest and report


def size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def health_text(health: Health, tz: ZoneInfo) -> str:
    db = health.database
    lines = [
        "<b>Health</b>",
        f"Version: {esc(health.version)}",
        f"Up since {local_time(health.started_at, tz)} "
        f"({duration(health.now - health.started_at)})",
        f"Database: {db.backend}, {esc(db.path)}, {size(db.file_bytes + db.wal_bytes)} "
        + (f"(WAL {size(db.wal_bytes)}), " if db.backend == "SQLite" else "")
        + f"schema version {db.schema_version}",
        _backup_line(health, tz),
        *_digest_lines(health, tz),
        f"Updates handled in the last 2 days: {db.updates_handled:,}. "
        + _waiting_text(health.updates_waiting),
    ]
    return "\n".join(lines)


def _waiting_text(waiting: int | None) -> str:
    if waiting is None:  # the offline console keeps no updates
        return "Updates kept and not yet handled: none kept (offline console)."
    return f"Updates kept and not yet handled: {waiting:,}."


def _backup_line(health: Health, tz: ZoneInfo) -> str:
    if health.database.backend != "SQLite":
        jobs = "this replica" if health.leads_daily_jobs else "another replica"
        return (
            "Backups: the PostgreSQL server's own (the bot makes none). "
            f"The daily digest and the month's report: sent by {jobs}."
        )
    folder = esc(health.backup_dir)
    if health.backup is None:
        return f"Last backup: none yet in {folder}"
    backup = health.backup
    return (
        f"Last backup: {esc(backup.name)}, {local_time(backup.at, tz)}, {size(backup.size)} "
        f"(in {folder})"
    )


def _digest_lines(health: Health, tz: ZoneInfo) -> list[str]:
    if not health.digest_chat_ids:
        return ["Daily digest: DIGEST_CHAT_IDS is empty, no chat gets it"]
    sent = {delivery.chat_id: delivery for delivery in health.database.digests}
    lines = ["Last digest delivered:"]
    for chat_id in health.digest_chat_ids:
        delivery = sent.get(chat_id)
        if delivery is None or delivery.sent_at is None:
            lines.append(f"  chat {chat_id}: none yet")
            continue
        late = ", late" if delivery.late else ""
        lines.append(
            f"  chat {chat_id}: digest of {delivery.day.isoformat()}, sent "
            f"{local_time(delivery.sent_at, tz)}{late}"
        )
    return lines
