-- Version 7: the daily digest is sent once per chat and day (PRODUCT.md "What the bot
-- promises"). A row is written before the first message goes out and counts the messages
-- delivered, so a restart after a partial send goes on from the next one instead of sending
-- the digest again; sent_at is set once every message is out.
CREATE TABLE digests_sent (
    chat_id INTEGER NOT NULL,
    digest_day TEXT NOT NULL,           -- the local date (TIMEZONE) of the DIGEST_TIME it is for
    as_of INTEGER NOT NULL,             -- the figures' time, so a resumed digest reads the same
    late INTEGER NOT NULL DEFAULT 0,    -- 1: sent on start after the bot was down at DIGEST_TIME
    parts_sent INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER,                    -- NULL until every message of the digest is delivered
    PRIMARY KEY (chat_id, digest_day)
);
