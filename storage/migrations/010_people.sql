-- Version 10: the Telegram name of each member, as their updates bring it (first, last,
-- username), so cards, lists and the audit show `Ayesha K. (2001)` rather than `user 2001`.
-- A row outlives /revoke: the audit still names who did what.
CREATE TABLE people (
    user_id    INTEGER PRIMARY KEY,
    first_name TEXT    NOT NULL,
    last_name  TEXT    NOT NULL DEFAULT '',
    username   TEXT    NOT NULL DEFAULT '',
    seen_at    INTEGER NOT NULL
);
