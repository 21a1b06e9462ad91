-- A patrol plan without stops says why: a reason code (start_outside, no_reports,
-- no_candidates, none_active, all_visited, does_not_fit) and its Swedish message, so
-- the plan read back later still explains itself.

-- +goose Up
ALTER TABLE patrol_plan ADD COLUMN no_stops_code text, ADD COLUMN no_stops_message text;

-- +goose Down
ALTER TABLE patrol_plan DROP COLUMN no_stops_code, DROP COLUMN no_stops_message;
