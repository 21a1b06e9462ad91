-- +goose Up
-- Saved hotspot analyses (runs) with their grid cells and hotspots, and named places
-- ("Resecentrum") that commitments and patrols link to, often kept from a hotspot.
-- Every table is municipality-scoped under row-level security, as walk is. A cell and
-- a hotspot carry their run's municipality (a composite foreign key keeps them equal),
-- so row-level security and the tile versions read it without a join.
--
-- The policies are trygg_sees(municipality_code) with the scope read once per statement
-- (a scalar subquery is an InitPlan) rather than once per row: 35 000 cells are
-- checked on every save and read by every staff tile. A NULL scope (the public)
-- matches nothing, as with trygg_sees.
--
-- The map shows the latest run of each municipality: staff the latest of the runs they
-- see (through the tables), the public the latest public run (views public_hotspot_cell
-- and public_hotspot). A public run is computed from the public's view of the reports
-- and its classes are already suppressed below its minimum count when saved.

CREATE TABLE hotspot_run (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    name              text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    method            text NOT NULL CHECK (method IN ('gi', 'dbscan')),
    public            boolean NOT NULL,
    query             jsonb NOT NULL CHECK (jsonb_typeof(query) = 'object'),
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, municipality_code)
);
CREATE INDEX hotspot_run_latest_idx ON hotspot_run (municipality_code, created_at DESC, id DESC);
CREATE INDEX hotspot_run_public_idx ON hotspot_run (municipality_code, created_at DESC, id DESC) WHERE public;
ALTER TABLE hotspot_run ENABLE ROW LEVEL SECURITY;
CREATE POLICY hotspot_run_staff ON hotspot_run USING (municipality_code = ANY ((SELECT trygg_scope())::text[])) WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON hotspot_run TO trygg_app;

CREATE TABLE hotspot_cell (
    run_id            uuid NOT NULL,
    municipality_code text NOT NULL,
    i                 int NOT NULL,
    j                 int NOT NULL,
    geom              geometry(Polygon, 4326) NOT NULL,
    value             float8 NOT NULL DEFAULT 0,
    count             int NOT NULL DEFAULT 0 CHECK (count >= 0),
    z                 float8,
    p                 float8,
    class             smallint NOT NULL DEFAULT 0 CHECK (class BETWEEN -3 AND 3),
    PRIMARY KEY (run_id, i, j)
    -- (run_id, municipality_code) references hotspot_run (id, municipality_code) ON
    -- DELETE CASCADE, kept by the statement-level triggers below.
);
CREATE INDEX hotspot_cell_geom_gix ON hotspot_cell USING gist (geom);
ALTER TABLE hotspot_cell ENABLE ROW LEVEL SECURITY;
CREATE POLICY hotspot_cell_staff ON hotspot_cell USING (municipality_code = ANY ((SELECT trygg_scope())::text[])) WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON hotspot_cell TO trygg_app;

-- hotspot_cell's foreign key, one check per statement: a foreign key checks each row
-- with a query of its own, which was 40 % of saving a run of 35 000 cells. The check
-- locks the runs FOR KEY SHARE, as a foreign key does, so a run deleted meanwhile
-- waits for the cells' transaction and its cascade then deletes them.
-- +goose StatementBegin
CREATE FUNCTION hotspot_cell_run_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    runs bigint;
    found bigint;
BEGIN
    SELECT count(*) INTO runs FROM (SELECT DISTINCT run_id, municipality_code FROM new_rows) n;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM hotspot_run r
        WHERE (r.id, r.municipality_code) IN (SELECT run_id, municipality_code FROM new_rows)
        FOR KEY SHARE OF r) l;
    IF found <> runs THEN
        RAISE EXCEPTION 'insert or update on table "hotspot_cell" violates foreign key constraint "hotspot_cell_run_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'hotspot_cell', CONSTRAINT = 'hotspot_cell_run_fkey',
                  DETAIL = 'A cell''s (run_id, municipality_code) is not a run''s (id, municipality_code).';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER hotspot_cell_run_ins AFTER INSERT ON hotspot_cell REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION hotspot_cell_run_check();
CREATE TRIGGER hotspot_cell_run_upd AFTER UPDATE ON hotspot_cell REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION hotspot_cell_run_check();

-- +goose StatementBegin
CREATE FUNCTION hotspot_run_cascade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM hotspot_cell c USING old_rows o WHERE c.run_id = o.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER hotspot_run_cascade AFTER DELETE ON hotspot_run REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION hotspot_run_cascade();

-- A run's key never changes (its cells' references would dangle).
-- +goose StatementBegin
CREATE FUNCTION hotspot_run_key_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a hotspot run''s id and municipality cannot change' USING ERRCODE = 'foreign_key_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER hotspot_run_key_fixed BEFORE UPDATE OF id, municipality_code ON hotspot_run FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.municipality_code IS DISTINCT FROM NEW.municipality_code)
    EXECUTE FUNCTION hotspot_run_key_fixed();

CREATE TABLE hotspot (
    id                uuid PRIMARY KEY,
    run_id            uuid NOT NULL,
    municipality_code text NOT NULL,
    rank              int NOT NULL CHECK (rank >= 1),
    geom              geometry(Polygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    score             float8 NOT NULL DEFAULT 0,
    z                 float8,
    value             float8 NOT NULL DEFAULT 0,
    count             int NOT NULL DEFAULT 0 CHECK (count >= 0),
    pattern           text NOT NULL DEFAULT '' CHECK (length(pattern) <= 100),
    stats             jsonb,
    UNIQUE (run_id, rank),
    FOREIGN KEY (run_id, municipality_code) REFERENCES hotspot_run (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX hotspot_geom_gix ON hotspot USING gist (geom);
ALTER TABLE hotspot ENABLE ROW LEVEL SECURITY;
CREATE POLICY hotspot_staff ON hotspot USING (municipality_code = ANY ((SELECT trygg_scope())::text[])) WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON hotspot TO trygg_app;

CREATE TABLE place (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    name              text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    geom              geometry(Polygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    hotspot_id        uuid REFERENCES hotspot (id) ON DELETE SET NULL,
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX place_name_key ON place (municipality_code, lower(name));
CREATE INDEX place_hotspot_idx ON place (hotspot_id) WHERE hotspot_id IS NOT NULL;
CREATE INDEX place_geom_gix ON place USING gist (geom);
ALTER TABLE place ENABLE ROW LEVEL SECURITY;
CREATE POLICY place_staff ON place USING (municipality_code = ANY ((SELECT trygg_scope())::text[])) WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON place TO trygg_app;

-- The latest public run of each municipality, and its cells and hotspots. The views
-- run with their owner's rights, so the public reads them without a scope.
CREATE VIEW public_hotspot_run AS
SELECT DISTINCT ON (r.municipality_code) r.id, r.municipality_code, r.name, r.method, r.created_at
FROM hotspot_run r
WHERE r.public
ORDER BY r.municipality_code, r.created_at DESC, r.id DESC;

CREATE VIEW public_hotspot_cell AS
SELECT c.run_id, c.municipality_code, c.i, c.j, c.geom, c.value, c.count, c.z, c.p, c.class, r.created_at
FROM hotspot_cell c JOIN public_hotspot_run r ON r.id = c.run_id;

CREATE VIEW public_hotspot AS
SELECT h.id, h.run_id, h.municipality_code, h.rank, h.geom, h.score, h.z, h.value, h.count, h.pattern,
       r.created_at
FROM hotspot h JOIN public_hotspot_run r ON r.id = h.run_id;

GRANT SELECT ON public_hotspot_run, public_hotspot_cell, public_hotspot TO trygg_app;

-- Tile versions (migration 00005): cells are layer hexcells, hotspots and places layer
-- hotspots; a run changes which run is the latest, so it bumps both.
CREATE TRIGGER hotspot_run_tile_ins AFTER INSERT ON hotspot_run REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('unnest(ARRAY[''hexcells'', ''hotspots''])', 'municipality_code');
CREATE TRIGGER hotspot_run_tile_upd AFTER UPDATE ON hotspot_run REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('unnest(ARRAY[''hexcells'', ''hotspots''])', 'municipality_code');
CREATE TRIGGER hotspot_run_tile_del AFTER DELETE ON hotspot_run REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('unnest(ARRAY[''hexcells'', ''hotspots''])', 'municipality_code');
CREATE TRIGGER hotspot_cell_tile_ins AFTER INSERT ON hotspot_cell REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hexcells''', 'municipality_code');
CREATE TRIGGER hotspot_cell_tile_upd AFTER UPDATE ON hotspot_cell REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hexcells''', 'municipality_code');
CREATE TRIGGER hotspot_cell_tile_del AFTER DELETE ON hotspot_cell REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hexcells''', 'municipality_code');
CREATE TRIGGER hotspot_tile_ins AFTER INSERT ON hotspot REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hotspots''', 'municipality_code');
CREATE TRIGGER hotspot_tile_upd AFTER UPDATE ON hotspot REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hotspots''', 'municipality_code');
CREATE TRIGGER hotspot_tile_del AFTER DELETE ON hotspot REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hotspots''', 'municipality_code');
CREATE TRIGGER place_tile_ins AFTER INSERT ON place REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hotspots''', 'municipality_code');
CREATE TRIGGER place_tile_upd AFTER UPDATE ON place REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hotspots''', 'municipality_code');
CREATE TRIGGER place_tile_del AFTER DELETE ON place REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''hotspots''', 'municipality_code');

-- +goose Down
DROP VIEW public_hotspot;
DROP VIEW public_hotspot_cell;
DROP VIEW public_hotspot_run;
DROP TABLE place;
DROP TABLE hotspot;
DROP TABLE hotspot_cell;
DROP TABLE hotspot_run;
DROP FUNCTION hotspot_run_key_fixed();
DROP FUNCTION hotspot_run_cascade();
DROP FUNCTION hotspot_cell_run_check();
DELETE FROM tile_version WHERE layer IN ('hexcells', 'hotspots');
