-- Version 6 (twin of ../006_refusals_counted.sql): one stranger's refusals counted.
ALTER TABLE audit ADD COLUMN attempts BIGINT NOT NULL DEFAULT 1 CHECK (attempts >= 1);
CREATE INDEX audit_refusals ON audit (user_id, at) WHERE action = 'refused';
