-- Version 3: each request round carries its case's platform and group, so the compliance
-- figures (storage/stats.py) read one covering index over the window instead of looking up
-- the case of every round sent in it (1M cases, 78k rounds in 30 days: most of the time).

-- A case's platform and group are set when it is created; nothing in the bot changes them.
-- The triggers below keep the copies equal to the case anyway, whoever writes the rows.
ALTER TABLE request_rounds ADD COLUMN platform TEXT;
ALTER TABLE request_rounds ADD COLUMN grp TEXT;
UPDATE request_rounds
   SET (platform, grp) = (SELECT c.platform, c.grp FROM cases AS c
                           WHERE c.id = request_rounds.case_id);

-- Replaces version 1's rounds_by_sent (sent_at, case_id, outcome, outcome_at), same name:
-- the window's rounds by sent time with everything the figures group, count and rank on.
DROP INDEX rounds_by_sent;
CREATE INDEX rounds_by_sent
    ON request_rounds (sent_at, platform, grp, outcome, outcome_at, case_id);

-- A round written without them (or with others) gets its case's platform and group.
CREATE TRIGGER rounds_copy_case_platform_group AFTER INSERT ON request_rounds
WHEN NEW.platform IS NOT (SELECT platform FROM cases WHERE id = NEW.case_id)
  OR NEW.grp IS NOT (SELECT grp FROM cases WHERE id = NEW.case_id)
BEGIN
    UPDATE request_rounds
       SET (platform, grp) = (SELECT c.platform, c.grp FROM cases AS c WHERE c.id = NEW.case_id)
     WHERE id = NEW.id;
END;

-- Should a case ever move to another group (or platform), its rounds move with it.
CREATE TRIGGER cases_platform_group_to_rounds AFTER UPDATE OF platform, grp ON cases
BEGIN
    UPDATE request_rounds SET platform = NEW.platform, grp = NEW.grp WHERE case_id = NEW.id;
END;
