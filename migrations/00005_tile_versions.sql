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


-- Transition tables cannot be passed to a helper, so each trigger function reads its
-- own (a trigger with transition tables has one event: three triggers per table).
-- +goose StatementBegin
CREATE FUNCTION tile_bump_report_ins() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg(CASE WHEN n.source = 'police-event' THEN 'police-events' ELSE 'reports' END),
                      array_agg(n.municipality_code))
    FROM (SELECT DISTINCT source, municipality_code FROM new_rows) n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_report_del() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg(CASE WHEN o.source = 'police-event' THEN 'police-events' ELSE 'reports' END),
                      array_agg(o.municipality_code))
    FROM (SELECT DISTINCT source, municipality_code FROM old_rows) o;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_report_upd() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- The old and the new municipality (and layer) both change.
    PERFORM tile_bump(array_agg(CASE WHEN c.source = 'police-event' THEN 'police-events' ELSE 'reports' END),
                      array_agg(c.municipality_code))
    FROM (SELECT source, municipality_code FROM new_rows
          UNION SELECT source, municipality_code FROM old_rows) c;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_walk_ins() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg('walks'::text), array_agg(n.municipality_code))
    FROM (SELECT DISTINCT municipality_code FROM new_rows) n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_walk_del() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg('walks'::text), array_agg(o.municipality_code))
    FROM (SELECT DISTINCT municipality_code FROM old_rows) o;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_walk_upd() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg('walks'::text), array_agg(c.municipality_code))
    FROM (SELECT municipality_code FROM new_rows UNION SELECT municipality_code FROM old_rows) c;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_municipality_ins() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg('municipalities'::text), array_agg(n.code)) FROM new_rows n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_municipality_del() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg('municipalities'::text), array_agg(o.code)) FROM old_rows o;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION tile_bump_municipality_upd() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tile_bump(array_agg('municipalities'::text), array_agg(c.code))
    FROM (SELECT code FROM new_rows UNION SELECT code FROM old_rows) c;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER report_tile_ins AFTER INSERT ON report REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_report_ins();
CREATE TRIGGER report_tile_upd AFTER UPDATE ON report REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_report_upd();
CREATE TRIGGER report_tile_del AFTER DELETE ON report REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_report_del();
CREATE TRIGGER walk_tile_ins AFTER INSERT ON walk REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_walk_ins();
CREATE TRIGGER walk_tile_upd AFTER UPDATE ON walk REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_walk_upd();
CREATE TRIGGER walk_tile_del AFTER DELETE ON walk REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_walk_del();
CREATE TRIGGER municipality_tile_ins AFTER INSERT ON municipality REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_municipality_ins();
CREATE TRIGGER municipality_tile_upd AFTER UPDATE ON municipality REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_municipality_upd();
CREATE TRIGGER municipality_tile_del AFTER DELETE ON municipality REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tile_bump_municipality_del();

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
DROP FUNCTION tile_bump_municipality_upd(), tile_bump_municipality_del(), tile_bump_municipality_ins(),
    tile_bump_walk_upd(), tile_bump_walk_del(), tile_bump_walk_ins(),
    tile_bump_report_upd(), tile_bump_report_del(), tile_bump_report_ins();
DROP FUNCTION tile_bump(text[], text[]);
DROP TABLE tile_version;
