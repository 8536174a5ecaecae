-- Version 4 (twin of ../004_rounds_by_outcome.sql): rounds by outcome time, for the digest.
CREATE INDEX rounds_by_outcome ON request_rounds (outcome_at, outcome)
    WHERE outcome_at IS NOT NULL;
