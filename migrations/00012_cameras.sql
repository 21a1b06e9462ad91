-- +goose Up
-- Camera surveillance (kamerabevakning, Kamerabevakningslagen 2018:1200): camera sites
-- with their view, operator, purpose, lifecycle and the decision they run under, and
-- their links to commitments (medborgarlöften, kind camera-surveillance) that may
-- impose rules such as "outdoors only". Municipality-scoped under row-level security,
-- as walk is. The view is computed in Go (geo.Sector in SWEREF 99 TM) or drawn by
-- hand, and stored in 4326 like every other geometry.

CREATE TABLE camera_site (
    id                 uuid PRIMARY KEY,
    municipality_code  text NOT NULL REFERENCES municipality (code),
    name               text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    position           geometry(Point, 4326) NOT NULL,
    height_m           float8 CHECK (height_m BETWEEN 0 AND 100),
    bearing            float8 CHECK (bearing BETWEEN 0 AND 360),
    fov                float8 CHECK (fov > 0 AND fov <= 360),
    range_m            float8 CHECK (range_m > 0 AND range_m <= 1000),
    view               geometry(Polygon, 4326) CHECK (view IS NULL OR ST_IsValid(view)),
    view_drawn         boolean NOT NULL DEFAULT false,
    public_view        boolean NOT NULL DEFAULT false,
    operator_kind      text NOT NULL CHECK (operator_kind IN ('municipality', 'police', 'property-owner', 'other')),
    operator_name      text NOT NULL CHECK (btrim(operator_name) <> '' AND length(operator_name) <= 200),
    purpose            text NOT NULL CHECK (btrim(purpose) <> '' AND length(purpose) <= 2000),
    place_type         text NOT NULL CHECK (place_type IN ('school', 'travel-centre', 'square', 'street', 'park', 'parking',
                           'public-transport', 'shop', 'sports', 'residential', 'other')),
    public_access      boolean NOT NULL DEFAULT true,
    indoor             boolean NOT NULL DEFAULT false,
    audio              boolean NOT NULL DEFAULT false,
    retention_days     int NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 0 AND 3650),
    signage_checked_on date,
    review_on          date,
    state              text NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'assessed', 'approved', 'installed',
                           'active', 'decommissioned')),
    decision_on        date,
    -- The regime of the decision: the IMY permit before 2025-04-01, the documented
    -- weighing from then (trygg.Regime).
    regime             text GENERATED ALWAYS AS (CASE WHEN decision_on IS NULL THEN NULL
                           WHEN decision_on < DATE '2025-04-01' THEN 'permit' ELSE 'weighing' END) STORED,
    permit_ref         text NOT NULL DEFAULT '' CHECK (length(permit_ref) <= 200),
    permit_conditions  text NOT NULL DEFAULT '' CHECK (length(permit_conditions) <= 2000),
    permit_expires_on  date,
    weighing_ref       text NOT NULL DEFAULT '' CHECK (length(weighing_ref) <= 2000),
    dpia_ref           text NOT NULL DEFAULT '' CHECK (length(dpia_ref) <= 200),
    created_by         uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, municipality_code),
    CHECK ((bearing IS NULL) = (fov IS NULL) AND (fov IS NULL) = (range_m IS NULL)),
    CHECK (NOT view_drawn OR (view IS NOT NULL AND bearing IS NULL))
);
CREATE INDEX camera_site_municipality_idx ON camera_site (municipality_code, state);
CREATE INDEX camera_site_position_gix ON camera_site USING gist (position);
CREATE INDEX camera_site_view_gix ON camera_site USING gist (view);
ALTER TABLE camera_site ENABLE ROW LEVEL SECURITY;
CREATE POLICY camera_site_staff ON camera_site USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON camera_site TO trygg_app;

-- A camera answers commitments of its own municipality (kind camera-surveillance,
-- checked by the store); their rules (outdoors_only) bind its activation.
CREATE TABLE camera_commitment (
    camera_id         uuid NOT NULL,
    commitment_id     uuid NOT NULL,
    municipality_code text NOT NULL,
    PRIMARY KEY (camera_id, commitment_id),
    FOREIGN KEY (camera_id, municipality_code) REFERENCES camera_site (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX camera_commitment_commitment_idx ON camera_commitment (commitment_id);
ALTER TABLE camera_commitment ENABLE ROW LEVEL SECURITY;
CREATE POLICY camera_commitment_staff ON camera_commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON camera_commitment TO trygg_app;

-- Public transparency: where cameras film and who runs them, for cameras installed or
-- active; the view only where the site says so. The view runs with its owner's rights,
-- so the public reads it without a scope.
CREATE VIEW public_camera AS
SELECT c.id, c.municipality_code, c.name, c.position, CASE WHEN c.public_view THEN c.view END AS view,
       c.operator_kind, c.operator_name, c.place_type, c.purpose, c.state, c.indoor, c.audio,
       c.retention_days, c.updated_at
FROM camera_site c
WHERE c.state IN ('installed', 'active');
GRANT SELECT ON public_camera TO trygg_app;

-- Tile versions (migration 00005): layer cameras.
CREATE TRIGGER camera_site_tile_ins AFTER INSERT ON camera_site REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''cameras''', 'municipality_code');
CREATE TRIGGER camera_site_tile_upd AFTER UPDATE ON camera_site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''cameras''', 'municipality_code');
CREATE TRIGGER camera_site_tile_del AFTER DELETE ON camera_site REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''cameras''', 'municipality_code');

-- +goose Down
DROP VIEW public_camera;
DROP TABLE camera_commitment;
DROP TABLE camera_site;
