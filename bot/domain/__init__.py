"""The team's words as types: platforms, roles, case states, outcomes, categories.

Pure: imports neither telegram nor aiosqlite.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Platform(StrEnum):
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    YOUTUBE = "youtube"

    @property
    def label(self) -> str:
        return _PLATFORM_LABELS[self]


_PLATFORM_LABELS = {
    Platform.X: "X",
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
    Platform.TIKTOK: "TikTok",
    Platform.TELEGRAM: "Telegram",
    Platform.WHATSAPP: "WhatsApp",
    Platform.YOUTUBE: "YouTube",
}


class Role(IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    VIEWER = 1
    REPORTER = 2
    REVIEWER = 3
    ADMIN = 4

    @property
    def key(self) -> str:
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> Role:
        return cls[key.strip().upper()]


class CaseState(StrEnum):
    FLAGGED = "flagged"
    REQUESTED = "requested"
    ACTIONED = "actioned"
    REFUSED = "refused"
    DISMISSED = "dismissed"


class Outcome(StrEnum):
    REMOVED = "removed"
    RESTRICTED = "restricted"
    REJECTED = "rejected"
    NO_RESPONSE = "no_response"
    # Not a platform's answer: the case was dismissed while the round was open.
    WITHDRAWN = "withdrawn"


# `restored` is typed like an outcome but is not one of a round: it reopens an actioned case.
# What each state and outcome means for a case is in bot/domain/states.py.
RESTORED = "restored"


class Category(StrEnum):
    GLORIFICATION = "glorification"
    INCITEMENT = "incitement"
    RECRUITMENT = "recruitment"
    HATE = "hate"
    PROPAGANDA = "propaganda"
    FUNDRAISING = "fundraising"
    OTHER = "other"


DEFAULT_CATEGORY = Category.OTHER
