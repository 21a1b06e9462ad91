-- Actions (åtgärder) for the åtgärdsplan (issue 18.4): besides an observation (report)
-- or a walk, an action can hang on a hot area (hotspot_id: a saved run's hotspot), a
-- named place (place_id) or commitments (action_commitment), and says what effect is
-- expected and when it is followed up. The hot area and the place must be in the
-- action's municipality (checked by the store, which reads them under row-level
-- security). A deleted hot area or place leaves the action with its other targets.

-- +goose Up
-- BEGIN shared with 00023 (coordinator removes at merge)
ALTER TABLE action DROP CONSTRAINT IF EXISTS action_id_municipality_key;
ALTER TABLE action ADD CONSTRAINT action_id_municipality_key UNIQUE (id, municipality_code);
CREATE TABLE IF NOT EXISTS action_commitment (
    action_id uuid NOT NULL, commitment_id uuid NOT NULL, municipality_code text NOT NULL,
    PRIMARY KEY (action_id, commitment_id),
    FOREIGN KEY (action_id, municipality_code) REFERENCES action (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE);
ALTER TABLE action_commitment ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS action_commitment_staff ON action_commitment;
CREATE POLICY action_commitment_staff ON action_commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON action_commitment TO trygg_app;
-- END shared with 00023

CREATE INDEX IF NOT EXISTS action_commitment_commitment_idx ON action_commitment (commitment_id);
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
DROP INDEX IF EXISTS action_commitment_commitment_idx;
-- BEGIN shared with 00023 (coordinator removes at merge)
DROP TABLE IF EXISTS action_commitment;
ALTER TABLE action DROP CONSTRAINT IF EXISTS action_id_municipality_key;
-- END shared with 00023
