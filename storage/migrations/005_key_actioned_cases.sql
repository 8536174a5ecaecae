-- Version 5: the comeback probes read the match key of actioned cases only, and no longer
-- key the unkeyed cases first (an /import writes its new cases without a key and keys them
-- after replying; recording an outcome keys the case). Versions 2 to 4 keyed lazily before
-- every probe, so a database from them may hold unkeyed cases: key them all here once.
UPDATE cases SET match_key = coalesce(comeback_key(platform, handle), '')
 WHERE match_key IS NULL;
