-- Version 11: the periodic report (/report) reads indexes in their own order instead of
-- sorting every round of its history (issue 18: a year at 1M cases took 10-12 s, nearly all
-- of it sorting 1.2M rounds into cells and looking up each round's category in `cases`).

-- Each round carries its case's category, as it carries its platform and group (version 3):
-- the category is the case's as it stands, so an /edit of a case's category moves its rounds
-- with it (as an /edit of its group does), and the figures are those read through `cases`.
ALTER TABLE request_rounds ADD COLUMN category TEXT;
UPDATE request_rounds
   SET category = (SELECT c.category FROM cases AS c WHERE c.id = request_rounds.case_id);

-- Version 7's triggers, with the category.
DROP TRIGGER rounds_copy_case_platform_group;
CREATE TRIGGER rounds_copy_case_keys AFTER INSERT ON request_rounds
WHEN NEW.platform IS NOT (SELECT platform FROM cases WHERE id = NEW.case_id)
  OR NEW.grp IS NOT (SELECT grp FROM cases WHERE id = NEW.case_id)
  OR NEW.category IS NOT (SELECT category FROM cases WHERE id = NEW.case_id)
BEGIN
    UPDATE request_rounds
       SET (platform, grp, category) = (SELECT c.platform, c.grp, c.category FROM cases AS c
                                         WHERE c.id = NEW.case_id)
     WHERE id = NEW.id;
END;

DROP TRIGGER cases_platform_group_to_rounds;
CREATE TRIGGER cases_keys_to_rounds AFTER UPDATE OF platform, grp, category ON cases
BEGIN
    UPDATE request_rounds SET platform = NEW.platform, grp = NEW.grp, category = NEW.category
     WHERE case_id = NEW.id;
END;

-- The report's counts: each (platform, group, category) and month of its history is one
-- range of this index, summed without a sort (storage/stats.py, _report_sql).
CREATE INDEX rounds_by_key ON request_rounds
    (platform, grp, category, sent_at, outcome, outcome_at, followers_at_action, restored_at);

-- The report's medians: the actioned rounds per (platform, group, category) and bucket of
-- time to action (2 hours: storage/stats.py _REPORT_BUCKET, the same expression), so the
-- buckets are counted in index order and the rounds of one bucket are one range.
CREATE INDEX rounds_by_action_time ON request_rounds
    (platform, grp, category, max(outcome_at - sent_at, 0) / 7200, sent_at, outcome_at)
    WHERE outcome IN ('removed', 'restricted');

-- Requests as the platforms count them (one per reference): the rounds with a reference,
-- by reference (storage/reports.py, _REQUESTS_SQL).
CREATE INDEX rounds_by_ref ON request_rounds (platform, ref, sent_at) WHERE ref <> '';

-- The report's cases by group (since the first case: all of them), counted per group as a
-- range of this index instead of sorting the cases by group.
CREATE INDEX cases_by_group ON cases (grp, created_at);
