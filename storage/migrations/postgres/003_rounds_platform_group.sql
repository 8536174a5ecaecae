-- Version 3 (twin of ../003_rounds_platform_group.sql): each round carries its case's
-- platform and group, kept equal to the case's by triggers whoever writes the rows.
ALTER TABLE request_rounds ADD COLUMN platform TEXT;
ALTER TABLE request_rounds ADD COLUMN grp TEXT;
DROP INDEX rounds_by_sent;
CREATE INDEX rounds_by_sent
    ON request_rounds (sent_at, platform, grp, outcome, outcome_at, case_id);

CREATE FUNCTION rounds_copy_case_platform_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.platform, c.grp INTO NEW.platform, NEW.grp FROM cases AS c WHERE c.id = NEW.case_id;
    RETURN NEW;
END $$;
CREATE TRIGGER rounds_copy_case_platform_group BEFORE INSERT ON request_rounds
    FOR EACH ROW EXECUTE FUNCTION rounds_copy_case_platform_group();

CREATE FUNCTION cases_platform_group_to_rounds() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE request_rounds SET platform = NEW.platform, grp = NEW.grp WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_platform_group_to_rounds AFTER UPDATE OF platform, grp ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_platform_group_to_rounds();
