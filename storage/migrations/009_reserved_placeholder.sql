-- Placeholder for the migration 009 reserved for another branch (not committed).
SELECT 1;
