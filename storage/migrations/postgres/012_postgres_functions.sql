-- Version 12 (twin of ../012_postgres_functions.sql, which changes nothing on SQLite): version
-- 1's stand-ins for SQLite's scalar functions, as the planner can use them (issue 19).
-- - max(a, b) and min(a, b) were STRICT over greatest/least, which are not: PostgreSQL does
--   not inline a strict function whose body is not strict, so each call ran as a function
--   call of its own (3 s over the 1.2M rounds of the bench, 0.1 s inlined). Here they are
--   CASEs, NULL when either argument is (as SQLite's max and min of several arguments, and
--   as before), which the planner inlines. The values are the same as before for every
--   argument, so rounds_by_action_time (version 11), whose expression calls max, holds.
-- - None was PARALLEL SAFE, so no statement that called one ran in parallel.
CREATE OR REPLACE FUNCTION iif(boolean, anycompatible, anycompatible) RETURNS anycompatible
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT CASE WHEN $1 THEN $2 ELSE $3 END';
CREATE OR REPLACE FUNCTION max(bigint, bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT CASE WHEN $1 >= $2 THEN $1 WHEN $1 < $2 THEN $2 END';
CREATE OR REPLACE FUNCTION min(bigint, bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT CASE WHEN $1 <= $2 THEN $1 WHEN $1 > $2 THEN $2 END';
CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT strpos($1, $2)';
CREATE OR REPLACE FUNCTION json_array(VARIADIC text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT array_to_json($1)::text';
CREATE OR REPLACE FUNCTION json_each(text) RETURNS TABLE (key integer, value bigint)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS 'SELECT (n - 1)::integer, v::bigint FROM json_array_elements_text($1::json) WITH ORDINALITY AS t (v, n)';
