-- Version 7: figures rest on dated facts that are never overwritten (issue 13).
--
-- request_rounds keeps, per round, the outcome in force now (what /stats and the digest read
-- through rounds_by_sent); every outcome ever recorded for a round, corrections included, is a
-- row of outcome_versions with the time it was recorded, so figures as of an earlier time
-- read the version in force then. A round may now end `withdrawn` (its case was dismissed
-- while it was open), and an actioned round keeps the followers its account had when it was
-- actioned. Follower counts seen are kept with their time in follower_counts.

-- The rounds again, with 'withdrawn' allowed and followers_at_action (SQLite cannot change a
-- CHECK in place). The trigger of version 3 on cases names request_rounds: dropped while the
-- table is swapped, created again below with the triggers and indexes of versions 1, 3 and 4.
DROP TRIGGER cases_platform_group_to_rounds;
CREATE TABLE request_rounds_v6 (
    id                  INTEGER PRIMARY KEY,
    case_id             INTEGER NOT NULL REFERENCES cases (id),
    round_no            INTEGER NOT NULL CHECK (round_no >= 1),
    sent_at             INTEGER NOT NULL,
    sent_by             INTEGER NOT NULL,
    ref                 TEXT    NOT NULL DEFAULT '',
    outcome             TEXT    CHECK (outcome IS NULL
                                       OR outcome IN ('removed', 'restricted', 'rejected',
                                                      'no_response', 'withdrawn')),
    outcome_at          INTEGER,                 -- when the round was decided (first recorded)
    outcome_by          INTEGER,
    outcome_note        TEXT    NOT NULL DEFAULT '',
    restored_at         INTEGER,                 -- an actioned account came back
    platform            TEXT,
    grp                 TEXT,
    followers_at_action INTEGER,                 -- the account's followers when actioned
    UNIQUE (case_id, round_no),
    CHECK ((outcome IS NULL) = (outcome_at IS NULL))
);
-- Rounds actioned before this version: their followers at action are the last known ones.
INSERT INTO request_rounds_v6
SELECT r.id, r.case_id, r.round_no, r.sent_at, r.sent_by, r.ref, r.outcome, r.outcome_at,
       r.outcome_by, r.outcome_note, r.restored_at, r.platform, r.grp,
       IIF(r.outcome IN ('removed', 'restricted'), c.followers, NULL)
  FROM request_rounds AS r JOIN cases AS c ON c.id = r.case_id;
DROP TABLE request_rounds;
ALTER TABLE request_rounds_v6 RENAME TO request_rounds;

-- Dismissing a case now withdraws its open round; a round left open by an earlier dismissal
-- is withdrawn at the time of that dismissal (its audit entry, else the case's last change).
UPDATE request_rounds
   SET outcome = 'withdrawn',
       outcome_at = max(sent_at, coalesce(
           (SELECT max(a.at) FROM audit AS a
             WHERE a.case_id = request_rounds.case_id AND a.action = 'dismiss'),
           (SELECT c.updated_at FROM cases AS c WHERE c.id = request_rounds.case_id))),
       outcome_note = 'case dismissed'
 WHERE outcome IS NULL
   AND case_id IN (SELECT id FROM cases WHERE state = 'dismissed');

-- Version 3's index, with what the reach needs (followers at action, restored) so that no
-- figure reads `cases`.
CREATE INDEX rounds_by_sent ON request_rounds
    (sent_at, platform, grp, outcome, outcome_at, case_id, followers_at_action, restored_at);
CREATE INDEX rounds_open ON request_rounds (sent_at) WHERE outcome IS NULL;
CREATE UNIQUE INDEX rounds_one_open_per_case ON request_rounds (case_id) WHERE outcome IS NULL;
CREATE INDEX rounds_by_outcome ON request_rounds (outcome_at, outcome)
    WHERE outcome_at IS NOT NULL;
-- Restorations by time, for figures as of an earlier time.
CREATE INDEX rounds_by_restored ON request_rounds (restored_at) WHERE restored_at IS NOT NULL;

CREATE TRIGGER rounds_copy_case_platform_group AFTER INSERT ON request_rounds
WHEN NEW.platform IS NOT (SELECT platform FROM cases WHERE id = NEW.case_id)
  OR NEW.grp IS NOT (SELECT grp FROM cases WHERE id = NEW.case_id)
BEGIN
    UPDATE request_rounds
       SET (platform, grp) = (SELECT c.platform, c.grp FROM cases AS c WHERE c.id = NEW.case_id)
     WHERE id = NEW.id;
END;

CREATE TRIGGER cases_platform_group_to_rounds AFTER UPDATE OF platform, grp ON cases
BEGIN
    UPDATE request_rounds SET platform = NEW.platform, grp = NEW.grp WHERE case_id = NEW.id;
END;

-- An actioned round written without its followers at action (plain sqlite3 loaders, old
-- code) gets its case's last known followers, as the migration gave the old ones.
CREATE TRIGGER rounds_followers_at_action AFTER INSERT ON request_rounds
WHEN NEW.outcome IN ('removed', 'restricted') AND NEW.followers_at_action IS NULL
BEGIN
    UPDATE request_rounds
       SET followers_at_action = (SELECT followers FROM cases WHERE id = NEW.case_id)
     WHERE id = NEW.id;
END;

-- Every outcome recorded for a round, in order; the last one recorded at or before a time is
-- the one in force then. A correction (/correct) is a version with its reason.
CREATE TABLE outcome_versions (
    id                  INTEGER PRIMARY KEY,
    case_id             INTEGER NOT NULL,
    round_no            INTEGER NOT NULL,
    outcome             TEXT    NOT NULL
                        CHECK (outcome IN ('removed', 'restricted', 'rejected', 'no_response',
                                           'withdrawn')),
    outcome_at          INTEGER NOT NULL,        -- when the round was decided
    recorded_at         INTEGER NOT NULL,        -- when this version was recorded
    recorded_by         INTEGER NOT NULL,
    followers_at_action INTEGER,
    note                TEXT    NOT NULL DEFAULT '',
    reason              TEXT    NOT NULL DEFAULT '',   -- why a correction was made
    FOREIGN KEY (case_id, round_no) REFERENCES request_rounds (case_id, round_no)
);
CREATE INDEX outcome_versions_by_round ON outcome_versions (case_id, round_no, recorded_at, id);
CREATE INDEX outcome_versions_by_recorded ON outcome_versions (recorded_at);
INSERT INTO outcome_versions (case_id, round_no, outcome, outcome_at, recorded_at, recorded_by,
                              followers_at_action, note)
SELECT case_id, round_no, outcome, outcome_at, outcome_at, coalesce(outcome_by, sent_by),
       followers_at_action, outcome_note
  FROM request_rounds WHERE outcome IS NOT NULL ORDER BY outcome_at, id;

-- Follower counts as they were seen: by a report (/flag, /import) or an /edit.
CREATE TABLE follower_counts (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    followers INTEGER NOT NULL CHECK (followers >= 0),
    seen_at   INTEGER NOT NULL,
    seen_by   INTEGER NOT NULL,
    source    TEXT    NOT NULL              -- flag, import, edit, migrated
);
CREATE INDEX follower_counts_by_case ON follower_counts (case_id, seen_at, id);
-- What earlier versions kept: each report's followers= and the case's last known count.
INSERT INTO follower_counts (case_id, followers, seen_at, seen_by, source)
SELECT case_id, followers, reported_at, reporter_id, 'migrated'
  FROM reports WHERE followers IS NOT NULL ORDER BY reported_at, id;
INSERT INTO follower_counts (case_id, followers, seen_at, seen_by, source)
SELECT c.id, c.followers, c.updated_at, c.created_by, 'migrated'
  FROM cases AS c
 WHERE c.followers IS NOT NULL
   AND c.followers IS NOT (SELECT f.followers FROM follower_counts AS f WHERE f.case_id = c.id
                            ORDER BY f.seen_at DESC, f.id DESC LIMIT 1);

-- Dated notes on a case (/note), shown on the card.
CREATE TABLE case_notes (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    note     TEXT    NOT NULL,
    noted_at INTEGER NOT NULL,
    noted_by INTEGER NOT NULL
);
CREATE INDEX case_notes_by_case ON case_notes (case_id, noted_at, id);
