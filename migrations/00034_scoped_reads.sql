-- Staff reads that keep their indexes (issue 20.1), and one policy form.
--
-- Under row-level security PostgreSQL evaluates a policy's condition before any of the
-- query's own conditions that are not LEAKPROOF, and only a leakproof condition may be
-- an index condition ahead of it. PostGIS's &&, ST_Intersects and ST_DWithin are not
-- leakproof (nor could they honestly be: a GEOS exception names coordinates), so for
-- trygg_app every staff tile, bbox page and planner query over report scanned the whole
-- table and tested the policy on each row (a bounding-box count: 617 ms as trygg_app,
-- 1.8 ms as the owner, at 1M reports).
--
-- Staff reads therefore go through scoped views: scoped_report, scoped_walk,
-- scoped_action and scoped_camera_site are their table's rows whose municipality the
-- caller serves, written as the one policy form below, or all of them for a role that
-- row-level security does not apply to (the owner: operator commands, tests), exactly as
-- the table itself (row_security_active, read once per statement like the scope). A
-- view runs with its owner's rights and its owner is the tables' owner, which row-level
-- security does not apply to (no table FORCEs it), so inside the view the scope is an
-- ordinary condition beside the query's own; the views are not security_barrier, so the
-- planner pushes the query's spatial condition down to the GiST index. Trygg's
-- statements are fixed text with parameters (no caller-chosen function runs on a row
-- outside the scope) and trygg_app can create no function. Writes and locking reads
-- (FOR UPDATE) stay on the tables, whose policies remain the backstop: a statement that
-- names the table instead of the view still sees only the caller's municipalities.
--
-- The one policy form: a table with a municipality_code is scoped by
--     municipality_code = ANY ((SELECT trygg_scope())::text[])
-- (the scope read once per statement, an InitPlan, so the B-tree index on
-- municipality_code serves it); rows that hang off a report (its status history,
-- contact, confirmations, photos) by their report's visibility; users and tokens by the
-- caller's organisation (migration 14). trygg_sees() wrapped the
-- test in coalesce, which no index can serve (the moderation queue: 54–84 ms against
-- 11–19 ms); it stays for functions that test one known row.

-- +goose Up
ALTER POLICY report_staff ON report
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
ALTER POLICY walk_staff ON walk
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
ALTER POLICY dialogue_staff ON dialogue
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
ALTER POLICY action_staff ON action
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
ALTER POLICY patrol_plan_staff ON patrol_plan
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
ALTER POLICY patrol_stop_staff ON patrol_stop
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
ALTER POLICY observation_idempotency_key_staff ON observation_idempotency_key
    USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));

CREATE VIEW scoped_report AS
    SELECT * FROM report
    WHERE municipality_code = ANY ((SELECT trygg_scope())::text[]) OR NOT (SELECT row_security_active('report'));
CREATE VIEW scoped_walk AS
    SELECT * FROM walk
    WHERE municipality_code = ANY ((SELECT trygg_scope())::text[]) OR NOT (SELECT row_security_active('walk'));
CREATE VIEW scoped_action AS
    SELECT * FROM action
    WHERE municipality_code = ANY ((SELECT trygg_scope())::text[]) OR NOT (SELECT row_security_active('action'));
CREATE VIEW scoped_camera_site AS
    SELECT * FROM camera_site
    WHERE municipality_code = ANY ((SELECT trygg_scope())::text[]) OR NOT (SELECT row_security_active('camera_site'));
GRANT SELECT ON scoped_report, scoped_walk, scoped_action, scoped_camera_site TO trygg_app;

-- The moderation queue (received reports, oldest first) read in order from a small
-- partial index instead of sorting every received report of the scope.
CREATE INDEX report_received_idx ON report (created_at, id) WHERE status = 'received';

-- +goose Down
DROP INDEX report_received_idx;
DROP VIEW scoped_camera_site;
DROP VIEW scoped_action;
DROP VIEW scoped_walk;
DROP VIEW scoped_report;
ALTER POLICY observation_idempotency_key_staff ON observation_idempotency_key
    USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
ALTER POLICY patrol_stop_staff ON patrol_stop USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
ALTER POLICY patrol_plan_staff ON patrol_plan USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
ALTER POLICY action_staff ON action USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
ALTER POLICY dialogue_staff ON dialogue USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
ALTER POLICY walk_staff ON walk USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
ALTER POLICY report_staff ON report USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
