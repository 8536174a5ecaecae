-- Version 5 (twin of ../005_key_actioned_cases.sql): SQLite's keys the cases versions 2 to 4
-- left unkeyed. A PostgreSQL database has none such (storage keys its cases, see 002).
SELECT 1;
