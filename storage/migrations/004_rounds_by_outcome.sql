-- Version 4: the digest's "outcomes recorded in the last 24 h" reads the rounds by outcome
-- time (it scanned every round of rounds_by_sent: 50 ms at 1.2M rounds, every digest).
CREATE INDEX rounds_by_outcome ON request_rounds (outcome_at, outcome)
    WHERE outcome_at IS NOT NULL;
