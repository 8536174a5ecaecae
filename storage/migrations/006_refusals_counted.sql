-- Version 6: one stranger's refusals are audited at most once an hour, as one entry whose
-- `attempts` counts them (a stranger could otherwise push the real entries out of /audit).
-- Every other entry is one attempt.
ALTER TABLE audit ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1);
-- The refusal entry of the last hour of one user.
CREATE INDEX audit_refusals ON audit (user_id, at) WHERE action = 'refused';
