-- Version 2: comeback detection and request packets.

-- The blocking key of a case's handle (bot.comeback.match_key): '' when the handle is not a
-- name (a phone number, a numeric id); NULL when not computed yet. Rows written by code that
-- does not set it (/flag, /import, plain sqlite3 loaders) get it from storage/comebacks.py,
-- which fills the NULL ones (found through cases_match_key_missing) before every probe.
-- comeback_key(platform, handle) is registered on every connection by storage/db.py.
ALTER TABLE cases ADD COLUMN match_key TEXT;
UPDATE cases SET match_key = coalesce(comeback_key(platform, handle), '');
-- The comeback probe: same platform, same key (or a key prefix range for typos); `state`
-- lets the probe skip non-actioned cases without reading their rows.
CREATE INDEX cases_by_match_key ON cases (platform, match_key, state);
CREATE INDEX cases_match_key_missing ON cases (id) WHERE match_key IS NULL;

-- A new case that looks like a re-creation of an actioned one.
CREATE TABLE comebacks (
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    original_case_id INTEGER NOT NULL REFERENCES cases (id),
    score            REAL    NOT NULL,
    found_at         INTEGER NOT NULL,
    UNIQUE (case_id, original_case_id),
    CHECK (case_id <> original_case_id)
);
CREATE INDEX comebacks_by_found ON comebacks (found_at);
CREATE INDEX comebacks_by_original ON comebacks (original_case_id);

-- A request packet (/packet): its round reference and exactly the cases it listed, so the
-- "mark these as requested" button opens rounds for those cases and no others.
CREATE TABLE packets (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    ref        TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL,
    marked_at  INTEGER,
    marked_by  INTEGER
);
CREATE TABLE packet_cases (
    packet_id INTEGER NOT NULL REFERENCES packets (id),
    position  INTEGER NOT NULL,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    PRIMARY KEY (packet_id, position)
);
