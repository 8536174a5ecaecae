-- Version 10 (twin of ../010_people.sql): the Telegram name of each member.
CREATE TABLE people (
    user_id    BIGINT PRIMARY KEY,
    first_name TEXT   NOT NULL,
    last_name  TEXT   NOT NULL DEFAULT '',
    username   TEXT   NOT NULL DEFAULT '',
    seen_at    BIGINT NOT NULL
);
