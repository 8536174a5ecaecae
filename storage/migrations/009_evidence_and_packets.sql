-- Version 9: evidence that outlives the account, and packets fit to send (issue 17).

-- A post/video/reel/message URL given to /flag, or the post link of a forwarded public
-- channel post, kept in full with the case (bot.domain.evidence.content_link).
CREATE TABLE content_links (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    url      TEXT    NOT NULL,
    source   TEXT    NOT NULL CHECK (source IN ('flag', 'forward')),
    added_at INTEGER NOT NULL,
    added_by INTEGER NOT NULL,
    UNIQUE (case_id, url)
);

-- A kept message's file, downloaded through getFile into EVIDENCE_DIR under its SHA-256
-- (the Berkeley Protocol's habit: hash at capture). file_status says what became of it:
-- kept, too_big (over the Bot API's 20 MB), failed, disk_full, or not_fetched (kept by a
-- version before this one, which did not download files). Capture time and member are the
-- row's added_at and added_by.
ALTER TABLE evidence ADD COLUMN file_status TEXT
    CHECK (file_status IS NULL
           OR file_status IN ('kept', 'too_big', 'failed', 'disk_full', 'not_fetched'));
ALTER TABLE evidence ADD COLUMN sha256 TEXT;
ALTER TABLE evidence ADD COLUMN file_size INTEGER;
ALTER TABLE evidence ADD COLUMN mime_type TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN stored_name TEXT NOT NULL DEFAULT '';  -- in EVIDENCE_DIR
ALTER TABLE evidence ADD COLUMN file_error TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN post_link TEXT NOT NULL DEFAULT '';  -- of a channel forward
UPDATE evidence SET file_status = 'not_fetched' WHERE file_id IS NOT NULL;

-- /packet leaves out (and names) a case already in an unmarked packet of the last 7 days.
CREATE INDEX packet_cases_by_case ON packet_cases (case_id, packet_id);
-- The comeback probe across platforms: the same match key as an actioned case anywhere.
CREATE INDEX cases_actioned_by_key ON cases (match_key) WHERE state = 'actioned';
