-- +goose Up
-- Medborgarlöften (citizen promises): a municipality and its police area(s), sometimes
-- with other parties, promise commitments for a period; activities (patrols, controls,
-- school visits, walks, lighting fixes) count toward the commitments they link. Every
-- table is municipality-scoped under row-level security, as walk is; the children
-- carry their parent's municipality, held equal by composite foreign keys, so the
-- policies and the tile versions read it without a join. The public reads published
-- promises through views (no notes, no authors, no activities in the future).

CREATE TABLE promise (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    title             text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    police_areas      text[] NOT NULL DEFAULT '{}',
    other_parties     text[] NOT NULL DEFAULT '{}',
    period_start      date NOT NULL,
    period_end        date NOT NULL,
    signed_on         date,
    signatories       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(signatories) = 'array'),
    focus_areas       text[] NOT NULL DEFAULT '{}' CHECK (focus_areas <@ ARRAY['traffic', 'drugs', 'unsafe-places',
                          'relationship-violence', 'vandalism', 'youth']),
    summary           text NOT NULL DEFAULT '' CHECK (length(summary) <= 10000),
    situation         text NOT NULL DEFAULT '' CHECK (length(situation) <= 10000),
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'ended')),
    published         boolean NOT NULL DEFAULT false CHECK (NOT published OR status <> 'draft'),
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT promise_period_end_check CHECK (period_end >= period_start),
    UNIQUE (id, municipality_code)
);
CREATE INDEX promise_municipality_idx ON promise (municipality_code, period_start DESC);
ALTER TABLE promise ENABLE ROW LEVEL SECURITY;
CREATE POLICY promise_staff ON promise USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON promise TO trygg_app;

CREATE TABLE commitment (
    id                uuid PRIMARY KEY,
    promise_id        uuid NOT NULL,
    municipality_code text NOT NULL,
    position          int NOT NULL DEFAULT 0 CHECK (position >= 0),
    party             text NOT NULL CHECK (party IN ('police', 'municipality', 'joint', 'other')),
    party_name        text NOT NULL DEFAULT '' CHECK (length(party_name) <= 200),
    focus_area        text CHECK (focus_area IN ('traffic', 'drugs', 'unsafe-places', 'relationship-violence', 'vandalism', 'youth')),
    activity_kind     text NOT NULL CHECK (activity_kind IN ('foot-patrol', 'traffic-control', 'vehicle-inspection',
                          'drug-intervention', 'school-visit', 'youth-centre-visit', 'safety-walk', 'dialogue-meeting',
                          'camera-surveillance', 'lighting', 'information-campaign', 'concern-talk', 'meeting', 'other')),
    text              text NOT NULL CHECK (btrim(text) <> '' AND length(text) <= 4000),
    target_count      int CHECK (target_count IS NULL OR target_count BETWEEN 1 AND 100000),
    done              boolean NOT NULL DEFAULT false,
    outdoors_only     boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, municipality_code),
    FOREIGN KEY (promise_id, municipality_code) REFERENCES promise (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX commitment_promise_idx ON commitment (promise_id, position);
ALTER TABLE commitment ENABLE ROW LEVEL SECURITY;
CREATE POLICY commitment_staff ON commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON commitment TO trygg_app;

-- A named place (migration 8) of the same municipality, by a composite key.
CREATE UNIQUE INDEX place_id_municipality_key ON place (id, municipality_code);

CREATE TABLE commitment_place (
    id                uuid PRIMARY KEY,
    commitment_id     uuid NOT NULL,
    municipality_code text NOT NULL,
    position          int NOT NULL DEFAULT 0,
    name              text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    geom              geometry(Geometry, 4326) CHECK (geom IS NULL OR (ST_IsValid(geom)
                          AND GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON'))),
    place_id          uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (geom IS NOT NULL OR place_id IS NOT NULL),
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (place_id, municipality_code) REFERENCES place (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX commitment_place_commitment_idx ON commitment_place (commitment_id);
CREATE INDEX commitment_place_place_idx ON commitment_place (place_id) WHERE place_id IS NOT NULL;
CREATE INDEX commitment_place_geom_gix ON commitment_place USING gist (geom);
ALTER TABLE commitment_place ENABLE ROW LEVEL SECURITY;
CREATE POLICY commitment_place_staff ON commitment_place USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON commitment_place TO trygg_app;

CREATE TABLE activity (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    kind              text NOT NULL CHECK (kind IN ('foot-patrol', 'traffic-control', 'vehicle-inspection',
                          'drug-intervention', 'school-visit', 'youth-centre-visit', 'safety-walk', 'dialogue-meeting',
                          'camera-surveillance', 'lighting', 'information-campaign', 'concern-talk', 'meeting', 'other')),
    party             text NOT NULL CHECK (party IN ('police', 'municipality', 'joint', 'other')),
    starts_at         timestamptz NOT NULL,
    duration_minutes  int NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 10080),
    geom              geometry(Geometry, 4326) CHECK (geom IS NULL OR (ST_IsValid(geom)
                          AND GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON'))),
    place_id          uuid,
    notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, municipality_code),
    FOREIGN KEY (place_id, municipality_code) REFERENCES place (id, municipality_code) ON DELETE SET NULL (place_id)
);
CREATE INDEX activity_municipality_idx ON activity (municipality_code, starts_at);
CREATE INDEX activity_geom_gix ON activity USING gist (geom);
ALTER TABLE activity ENABLE ROW LEVEL SECURITY;
CREATE POLICY activity_staff ON activity USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON activity TO trygg_app;

-- An activity counts toward the commitments it links, of its own municipality.
CREATE TABLE activity_commitment (
    activity_id       uuid NOT NULL,
    commitment_id     uuid NOT NULL,
    municipality_code text NOT NULL,
    PRIMARY KEY (activity_id, commitment_id),
    FOREIGN KEY (activity_id, municipality_code) REFERENCES activity (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX activity_commitment_commitment_idx ON activity_commitment (commitment_id);
ALTER TABLE activity_commitment ENABLE ROW LEVEL SECURITY;
CREATE POLICY activity_commitment_staff ON activity_commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON activity_commitment TO trygg_app;

-- The public's view: published promises, their commitments and places, and the
-- activities linked to them that have started (no notes, no author). The views run
-- with their owner's rights, so the public reads them without a scope.
CREATE VIEW public_promise AS
SELECT p.id, p.municipality_code, p.title, p.police_areas, p.other_parties, p.period_start, p.period_end,
       p.signed_on, p.signatories, p.focus_areas, p.summary, p.situation, p.status, p.created_at, p.updated_at
FROM promise p WHERE p.published;

CREATE VIEW public_commitment AS
SELECT c.id, c.promise_id, c.municipality_code, c.position, c.party, c.party_name, c.focus_area, c.activity_kind,
       c.text, c.target_count, c.done, c.outdoors_only, c.created_at, c.updated_at
FROM commitment c JOIN promise p ON p.id = c.promise_id WHERE p.published;

CREATE VIEW public_promise_place AS
SELECT cp.id, cp.commitment_id, c.promise_id, cp.municipality_code, cp.position, coalesce(nullif(cp.name, ''), pl.name, '') AS name,
       coalesce(cp.geom, pl.geom) AS geom, c.focus_area, c.activity_kind, p.title AS promise_title, cp.created_at
FROM commitment_place cp
JOIN commitment c ON c.id = cp.commitment_id
JOIN promise p ON p.id = c.promise_id
LEFT JOIN place pl ON pl.id = cp.place_id
WHERE p.published;

CREATE VIEW public_activity AS
SELECT a.id, a.municipality_code, a.kind, a.party, a.starts_at, a.duration_minutes, a.geom, ac.commitment_id
FROM activity a
JOIN activity_commitment ac ON ac.activity_id = a.id
JOIN commitment c ON c.id = ac.commitment_id
JOIN promise p ON p.id = c.promise_id
WHERE p.published AND a.starts_at <= now();

GRANT SELECT ON public_promise, public_commitment, public_promise_place, public_activity TO trygg_app;

-- Tile versions (migration 00005): activities are layer activities, commitment places
-- layer promise-places; a promise or a commitment changes what its places show (and
-- whether the public sees them), so they bump promise-places too.
CREATE TRIGGER activity_tile_ins AFTER INSERT ON activity REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''activities''', 'municipality_code');
CREATE TRIGGER activity_tile_upd AFTER UPDATE ON activity REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''activities''', 'municipality_code');
CREATE TRIGGER activity_tile_del AFTER DELETE ON activity REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''activities''', 'municipality_code');
CREATE TRIGGER commitment_place_tile_ins AFTER INSERT ON commitment_place REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''promise-places''', 'municipality_code');
CREATE TRIGGER commitment_place_tile_upd AFTER UPDATE ON commitment_place REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''promise-places''', 'municipality_code');
CREATE TRIGGER commitment_place_tile_del AFTER DELETE ON commitment_place REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''promise-places''', 'municipality_code');
CREATE TRIGGER promise_tile_upd AFTER UPDATE ON promise REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''promise-places''', 'municipality_code');
CREATE TRIGGER promise_tile_del AFTER DELETE ON promise REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''promise-places''', 'municipality_code');
CREATE TRIGGER commitment_tile_upd AFTER UPDATE ON commitment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''promise-places''', 'municipality_code');

-- +goose Down
DROP VIEW public_activity;
DROP VIEW public_promise_place;
DROP VIEW public_commitment;
DROP VIEW public_promise;
DROP TABLE activity_commitment;
DROP TABLE activity;
DROP TABLE commitment_place;
DROP INDEX place_id_municipality_key;
DROP TABLE commitment;
DROP TABLE promise;
