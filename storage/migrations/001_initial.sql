-- Takedown Desk schema, version 1. Timestamps are UTC epoch seconds.

CREATE TABLE members (
    user_id      INTEGER PRIMARY KEY,
    role         TEXT    NOT NULL CHECK (role IN ('viewer', 'reporter', 'reviewer', 'admin')),
    display_name TEXT    NOT NULL DEFAULT '',
    granted_by   INTEGER NOT NULL,
    granted_at   INTEGER NOT NULL
);

-- One row per real account: (platform, canonical handle). Its id is the case number (#17).
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    platform         TEXT    NOT NULL,
    handle           TEXT    NOT NULL,
    grp              TEXT    NOT NULL,
    category         TEXT    NOT NULL,
    followers        INTEGER CHECK (followers IS NULL OR followers >= 0),
    state            TEXT    NOT NULL
                     CHECK (state IN ('flagged', 'requested', 'actioned', 'refused', 'dismissed')),
    created_at       INTEGER NOT NULL,
    created_by       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    dismissed_reason TEXT,
    UNIQUE (platform, handle)
);
CREATE INDEX cases_by_state ON cases (state, platform);
CREATE INDEX cases_by_created ON cases (created_at);

-- One member flagging one case once; a second /flag by the same member is not a new report.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    reporter_id INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    source      TEXT    NOT NULL,            -- the URL or handle as typed
    category    TEXT    NOT NULL,
    followers   INTEGER,
    note        TEXT    NOT NULL DEFAULT '',
    UNIQUE (case_id, reporter_id)
);
CREATE INDEX reports_by_time ON reports (reported_at);

-- A message kept as evidence (the message a /flag replied to).
CREATE TABLE evidence (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    report_id      INTEGER REFERENCES reports (id),
    added_by       INTEGER NOT NULL,
    added_at       INTEGER NOT NULL,
    chat_id        INTEGER,
    message_id     INTEGER,
    text           TEXT    NOT NULL DEFAULT '',
    forward_origin TEXT    NOT NULL DEFAULT '',
    file_id        TEXT,
    file_kind      TEXT
);
CREATE INDEX evidence_by_case ON evidence (case_id);

-- One removal request sent to the case's platform, and what the platform did with it.
CREATE TABLE request_rounds (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    round_no     INTEGER NOT NULL CHECK (round_no >= 1),
    sent_at      INTEGER NOT NULL,
    sent_by      INTEGER NOT NULL,
    ref          TEXT    NOT NULL DEFAULT '',
    outcome      TEXT    CHECK (outcome IS NULL
                                OR outcome IN ('removed', 'restricted', 'rejected', 'no_response')),
    outcome_at   INTEGER,
    outcome_by   INTEGER,
    outcome_note TEXT    NOT NULL DEFAULT '',
    restored_at  INTEGER,                    -- an actioned account came back (case reopened)
    UNIQUE (case_id, round_no),
    CHECK ((outcome IS NULL) = (outcome_at IS NULL))
);
-- Compliance windows scan rounds by sent time; the covering columns spare a table lookup.
CREATE INDEX rounds_by_sent ON request_rounds (sent_at, case_id, outcome, outcome_at);
-- /pending and the overdue list: open rounds, oldest first.
CREATE INDEX rounds_open ON request_rounds (sent_at) WHERE outcome IS NULL;
-- At most one open round per case.
CREATE UNIQUE INDEX rounds_one_open_per_case ON request_rounds (case_id) WHERE outcome IS NULL;

-- Every change of state: who, when, before/after.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    action  TEXT    NOT NULL,
    case_id INTEGER REFERENCES cases (id),
    before  TEXT,
    after   TEXT,
    detail  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_case ON audit (case_id, id);

-- Update ids already handled, so a redelivered update is not recorded twice.
CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at INTEGER NOT NULL
);
