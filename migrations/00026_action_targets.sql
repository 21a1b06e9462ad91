-- Actions (åtgärder) for the åtgärdsplan (issue 18.4): besides an observation (report)
-- or a walk, an action can hang on a hot area (hotspot_id: a saved run's hotspot), a
-- named place (place_id) or commitments (action_commitment), and says what effect is
-- expected and when it is followed up. The hot area and the place must be in the
-- action's municipality (checked by the store, which reads them under row-level
-- security). A deleted hot area or place leaves the action with its other targets.

-- +goose Up
ALTER TABLE action
    ADD COLUMN hotspot_id uuid REFERENCES hotspot (id) ON DELETE SET NULL,
    ADD COLUMN place_id uuid REFERENCES place (id) ON DELETE SET NULL,
    ADD COLUMN expected_effect text NOT NULL DEFAULT '' CONSTRAINT action_expected_effect_check CHECK (length(expected_effect) <= 2000),
    ADD COLUMN follow_up_on date;
CREATE INDEX action_hotspot_idx ON action (hotspot_id) WHERE hotspot_id IS NOT NULL;
CREATE INDEX action_place_idx ON action (place_id) WHERE place_id IS NOT NULL;

-- +goose Down
DROP INDEX action_place_idx;
DROP INDEX action_hotspot_idx;
ALTER TABLE action DROP COLUMN hotspot_id, DROP COLUMN place_id, DROP COLUMN expected_effect, DROP COLUMN follow_up_on;
