-- +goose Up
-- Patrol plans (package patrol): a shift's foot-patrol stops at hotspots, chosen from
-- the hotspots active in the shift's hours and ordered as a walking route, with planned
-- arrival and departure; officers record the actual ones, which become foot-patrol
-- activities on the plan's commitment (migration 00010). Both tables are
-- municipality-scoped under row-level security, as walk is; a stop carries its plan's
-- municipality (a composite foreign key keeps them equal) so the policy and the tile
-- versions read it without a join.

CREATE TABLE patrol_plan (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    shift_start       timestamptz NOT NULL,
    shift_end         timestamptz NOT NULL,
    start_geom        geometry(Point, 4326) NOT NULL,
    params            jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object'),
    seed              bigint NOT NULL,
    notes             text[] NOT NULL DEFAULT '{}',
    route_m           float8 NOT NULL DEFAULT 0 CHECK (route_m >= 0),
    commitment_id     uuid,
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (shift_end > shift_start AND shift_end - shift_start <= interval '12 hours'),
    UNIQUE (id, municipality_code),
    -- The commitment is one of the plan's municipality.
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE SET NULL (commitment_id)
);
CREATE INDEX patrol_plan_shift_idx ON patrol_plan (municipality_code, shift_start);
CREATE INDEX patrol_plan_commitment_idx ON patrol_plan (commitment_id) WHERE commitment_id IS NOT NULL;
ALTER TABLE patrol_plan ENABLE ROW LEVEL SECURITY;
CREATE POLICY patrol_plan_staff ON patrol_plan USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT, UPDATE, DELETE ON patrol_plan TO trygg_app;

-- A stop: where (the hotspot's area and the point to walk to), what the hotspot was
-- when planned (its statistics as the analysis gave them), when (planned) and when
-- done (actual, recorded by the officers; activity_id is the activity it became).
-- target_key names the place across plans: a named place ("place:<id>"), else the
-- hotspot cell ("cell:<grid>:<size>:<i>:<j>") or cluster; the patrol dose groups by it.
CREATE TABLE patrol_stop (
    plan_id           uuid NOT NULL,
    municipality_code text NOT NULL,
    seq               int NOT NULL CHECK (seq BETWEEN 1 AND 8),
    target_key        text NOT NULL CHECK (length(target_key) BETWEEN 1 AND 200),
    name              text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    place_id          uuid REFERENCES place (id) ON DELETE SET NULL,
    geom              geometry(Polygon, 4326) CHECK (geom IS NULL OR ST_IsValid(geom)),
    pt                geometry(Point, 4326) NOT NULL,
    hotspot           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(hotspot) = 'object'),
    planned_arrival   timestamptz NOT NULL,
    planned_departure timestamptz NOT NULL CHECK (planned_departure > planned_arrival),
    arrived_at        timestamptz,
    departed_at       timestamptz CHECK (departed_at IS NULL OR (arrived_at IS NOT NULL AND departed_at > arrived_at)),
    activity_id       uuid REFERENCES activity (id) ON DELETE SET NULL,
    visit_recorded_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
    PRIMARY KEY (plan_id, seq),
    FOREIGN KEY (plan_id, municipality_code) REFERENCES patrol_plan (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX patrol_stop_target_idx ON patrol_stop (municipality_code, target_key, planned_arrival);
CREATE INDEX patrol_stop_visit_idx ON patrol_stop (municipality_code, arrived_at) WHERE arrived_at IS NOT NULL;
CREATE INDEX patrol_stop_pt_gix ON patrol_stop USING gist (pt);
CREATE INDEX patrol_stop_geom_gix ON patrol_stop USING gist (geom);
ALTER TABLE patrol_stop ENABLE ROW LEVEL SECURITY;
CREATE POLICY patrol_stop_staff ON patrol_stop USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT, UPDATE, DELETE ON patrol_stop TO trygg_app;

-- Tile versions (migration 00005): the stops are layer patrol-targets (staff).
CREATE TRIGGER patrol_stop_tile_ins AFTER INSERT ON patrol_stop REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''patrol-targets''', 'municipality_code');
CREATE TRIGGER patrol_stop_tile_upd AFTER UPDATE ON patrol_stop REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''patrol-targets''', 'municipality_code');
CREATE TRIGGER patrol_stop_tile_del AFTER DELETE ON patrol_stop REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''patrol-targets''', 'municipality_code');

-- +goose Down
DROP TABLE patrol_stop;
DROP TABLE patrol_plan;
DELETE FROM tile_version WHERE layer = 'patrol-targets';
