-- Version 2: comeback detection and request packets.
-- comeback_key(platform, handle) is bot.comeback.match_key, registered on every connection
-- by storage/db.py. A writer without it (a bulk loader on plain sqlite3) must fill
-- match_key itself: the insert trigger only runs when match_key is NULL.

-- The blocking key of a case's handle (NULL: not a name, e.g. a phone number).
ALTER TABLE cases ADD COLUMN match_key TEXT;
UPDATE cases SET match_key = comeback_key(platform, handle);
-- The comeback probe: same platform, same key (or a key prefix range for typos).
CREATE INDEX cases_by_match_key ON cases (platform, match_key);

CREATE TRIGGER cases_match_key_on_insert AFTER INSERT ON cases
WHEN NEW.match_key IS NULL
BEGIN
    UPDATE cases SET match_key = comeback_key(NEW.platform, NEW.handle) WHERE id = NEW.id;
END;

CREATE TRIGGER cases_match_key_on_rename AFTER UPDATE OF platform, handle ON cases
BEGIN
    UPDATE cases SET match_key = comeback_key(NEW.platform, NEW.handle) WHERE id = NEW.id;
END;

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
