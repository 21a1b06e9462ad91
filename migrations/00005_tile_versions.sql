-- +goose Up
-- Versions of the vector tiles' data (package tiles): one counter per tile layer and
-- municipality. Statement-level triggers on report, walk and municipality bump the
-- counter of every (layer, municipality) a statement touched, once per statement
-- however many rows it wrote (imports of many rows cost one upsert per municipality),
-- and notify channel trygg_tiles with 'layer:municipality'. Servers LISTEN and key
-- their tile caches on the versions, so a write by any process (the API, the CLI
-- importers, psql) makes the next request build the affected tiles again.
CREATE TABLE tile_version (
    layer             text NOT NULL,
    municipality_code text NOT NULL,
    version           bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (layer, municipality_code)
);
GRANT SELECT ON tile_version TO trygg_app;

-- tile_bump bumps and notifies the pairs in changed (layer, municipality_code).
-- +goose StatementBegin
CREATE FUNCTION tile_bump(p_layers text[], p_munis text[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    rec record;
BEGIN
    FOR rec IN SELECT DISTINCT l, m FROM unnest(p_layers, p_munis) AS u(l, m) WHERE m IS NOT NULL ORDER BY l, m LOOP
        INSERT INTO tile_version AS t (layer, municipality_code) VALUES (rec.l, rec.m)
        ON CONFLICT (layer, municipality_code) DO UPDATE SET version = t.version + 1;
        PERFORM pg_notify('trygg_tiles', rec.l || ':' || rec.m);
    END LOOP;
END
$$;
-- +goose StatementEnd


-- tile_bump_rows is the one trigger function of every table: TG_ARGV[0] is the SQL
-- expression of a row's layer, TG_ARGV[1] its municipality column. It reads the
-- statement's transition tables (an update bumps the old and the new municipality). A
-- trigger with transition tables has one event, so each table has three triggers.
-- +goose StatementBegin
CREATE FUNCTION tile_bump_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    q text := 'SELECT array_agg(l), array_agg(m) FROM (SELECT DISTINCT %s AS l, %I AS m FROM %I) c';
    layers text[];
    munis text[];
BEGIN
    IF TG_OP <> 'DELETE' THEN
        EXECUTE format(q, TG_ARGV[0], TG_ARGV[1], 'new_rows') INTO layers, munis;
        PERFORM tile_bump(layers, munis);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format(q, TG_ARGV[0], TG_ARGV[1], 'old_rows') INTO layers, munis;
        PERFORM tile_bump(layers, munis);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER report_tile_ins AFTER INSERT ON report REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('CASE WHEN source = ''police-event'' THEN ''police-events'' ELSE ''reports'' END', 'municipality_code');
CREATE TRIGGER report_tile_upd AFTER UPDATE ON report REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('CASE WHEN source = ''police-event'' THEN ''police-events'' ELSE ''reports'' END', 'municipality_code');
CREATE TRIGGER report_tile_del AFTER DELETE ON report REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('CASE WHEN source = ''police-event'' THEN ''police-events'' ELSE ''reports'' END', 'municipality_code');
CREATE TRIGGER walk_tile_ins AFTER INSERT ON walk REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''walks''', 'municipality_code');
CREATE TRIGGER walk_tile_upd AFTER UPDATE ON walk REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''walks''', 'municipality_code');
CREATE TRIGGER walk_tile_del AFTER DELETE ON walk REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''walks''', 'municipality_code');
CREATE TRIGGER municipality_tile_ins AFTER INSERT ON municipality REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''municipalities''', 'code');
CREATE TRIGGER municipality_tile_upd AFTER UPDATE ON municipality REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''municipalities''', 'code');
CREATE TRIGGER municipality_tile_del AFTER DELETE ON municipality REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tile_bump_rows('''municipalities''', 'code');

-- +goose Down
DROP TRIGGER municipality_tile_del ON municipality;
DROP TRIGGER municipality_tile_upd ON municipality;
DROP TRIGGER municipality_tile_ins ON municipality;
DROP TRIGGER walk_tile_del ON walk;
DROP TRIGGER walk_tile_upd ON walk;
DROP TRIGGER walk_tile_ins ON walk;
DROP TRIGGER report_tile_del ON report;
DROP TRIGGER report_tile_upd ON report;
DROP TRIGGER report_tile_ins ON report;
DROP FUNCTION tile_bump_rows();
DROP FUNCTION tile_bump(text[], text[]);
DROP TABLE tile_version;
