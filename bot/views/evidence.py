"""The /evidence reply: a case's content links and kept messages, and the captions of the
files sent again. HTML.

Who captured a message is shown only where people may be (bot.domain.privacy).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.evidence import FileStatus, LinkSource
from bot.domain.records import EvidenceList, KeptItem
from bot.views.common import account_link, esc, local_time, one_line
from bot.views.flag import size_text

TEXT_SHOWN = 200

_STATUS = {
    FileStatus.TOO_BIG: "over Telegram's 20 MB for bots: not saved",
    FileStatus.FAILED: "not saved",
    FileStatus.DISK_FULL: "not saved, EVIDENCE_DIR was full",
    FileStatus.NOT_FETCHED: "kept before files were downloaded: not saved",
}


def no_case(case_id: int) -> str:
    return f"There is no case #{case_id}."


def evidence_text(found: EvidenceList, tz: ZoneInfo, *, show_people: bool) -> str:
    lines = [f"<b>Evidence of #{found.case_id}</b> {account_link(found.account)}"]
    if not found.links and not found.items:
        lines.append("Nothing kept yet: send /flag as a reply to a post, or with its link.")
        return "\n".join(lines)
    if found.links:
        lines.append(f"<b>Content links: {len(found.links)}</b>")
        for link in found.links:
            via = " (forwarded post)" if link.source is LinkSource.FORWARD else ""
            lines.append(f"• {esc(link.url)}{via}, {local_time(link.added_at, tz)}")
    if found.items:
        lines.append(f"<b>Kept messages: {len(found.items)}</b>")
        lines += [_item(item, tz, show_people=show_people) for item in found.items]
    return "\n".join(lines)


def _item(item: KeptItem, tz: ZoneInfo, *, show_people: bool) -> str:
    who = f" by {item.added_by}" if show_people else ""
    parts = [f"• {local_time(item.added_at, tz)} (UTC {item.added_at:%Y-%m-%d %H:%M:%S}){who}"]
    if item.forward_origin and show_people:
        parts.append(f"from {one_line(item.forward_origin, 80)}")
    if item.post_link:
        parts.append(f"post {esc(item.post_link)}")
    if item.text:
        parts.append(f"“{one_line(item.text, TEXT_SHOWN)}”")
    if item.file_status is FileStatus.KEPT:
        parts.append(
            f"{esc(item.file_kind or 'file')} {esc(item.mime_type)} {size_text(item.file_size)}, "
            f"SHA-256 <code>{esc(item.sha256)}</code>"
        )
    elif item.file_status is not None:
        why = f" ({one_line(item.file_error, 80)})" if item.file_error else ""
        parts.append(f"{esc(item.file_kind or 'file')}: {_STATUS[item.file_status]}{why}")
    return "; ".join(parts)


def file_caption(case_id: int, item: KeptItem, tz: ZoneInfo) -> str:
    return (
        f"#{case_id} evidence, captured {local_time(item.added_at, tz)}; "
        f"SHA-256 <code>{esc(item.sha256)}</code>"
    )


def file_missing(item: KeptItem) -> str:
    return f"The file {esc(item.stored_name)} is no longer in EVIDENCE_DIR."


def file_changed(item: KeptItem) -> str:
    return (
        f"The file {esc(item.stored_name)} in EVIDENCE_DIR no longer matches the SHA-256 "
        "recorded at capture: not sent. Tell an admin."
    )
