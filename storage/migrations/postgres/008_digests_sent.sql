-- Version 8 (twin of ../008_digests_sent.sql): the daily digest once per chat and day.
CREATE TABLE digests_sent (
    chat_id    BIGINT NOT NULL,
    digest_day TEXT   NOT NULL,
    as_of      BIGINT NOT NULL,
    late       BIGINT NOT NULL DEFAULT 0,
    parts_sent BIGINT NOT NULL DEFAULT 0,
    sent_at    BIGINT,
    PRIMARY KEY (chat_id, digest_day)
);
