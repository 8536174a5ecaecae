-- Version 11 (twin of ../011_report_indexes.sql): each round carries its case's category, and
-- the indexes the periodic report reads in order.
ALTER TABLE request_rounds ADD COLUMN category TEXT;
UPDATE request_rounds AS r SET category = c.category FROM cases AS c WHERE c.id = r.case_id;

-- Version 3's triggers, with the category: a new round gets its case's keys, and an /edit of
-- a case's platform, group or category moves its rounds with it.
CREATE OR REPLACE FUNCTION rounds_copy_case_platform_group() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    SELECT c.platform, c.grp, c.category INTO NEW.platform, NEW.grp, NEW.category
      FROM cases AS c WHERE c.id = NEW.case_id;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION cases_platform_group_to_rounds() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE request_rounds SET platform = NEW.platform, grp = NEW.grp, category = NEW.category
     WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER cases_platform_group_to_rounds ON cases;
CREATE TRIGGER cases_platform_group_to_rounds AFTER UPDATE OF platform, grp, category ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_platform_group_to_rounds();

CREATE INDEX rounds_by_key ON request_rounds
    (platform, grp, category, sent_at, outcome, outcome_at, followers_at_action, restored_at);
-- max(a, b) is version 1's function (greatest), so the report's text matches this expression.
CREATE INDEX rounds_by_action_time ON request_rounds
    (platform, grp, category, (max(outcome_at - sent_at, 0) / 7200), sent_at, outcome_at)
    WHERE outcome IN ('removed', 'restricted');
CREATE INDEX rounds_by_ref ON request_rounds (platform, ref, sent_at) WHERE ref <> '';
CREATE INDEX cases_by_group ON cases (grp, created_at);
