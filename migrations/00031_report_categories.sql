-- Several reasons per report, and optional anonymous demographics.
--
-- A report has categories: one to five distinct codes of the taxonomy, the first the
-- main one, which category keeps for old clients and every path that writes only
-- category (imports, walks, dialogues, EST, Police events): a trigger fills categories
-- from category when an insert leaves it empty, category from categories[1] when only
-- categories is given, and keeps the two in step on updates (a moderator's new main
-- category moves to the front, the other reasons stay). A CHECK holds the shape (first =
-- category, distinct, 1–5); the trigger checks each code against the taxonomy (an array
-- has no foreign key) and raises 23503 like the column's foreign key.
--
-- Demographics (age band, gender) live in their own table, report_demographics, which
-- trygg_app may not read or write at all: submit_report (owner's rights) writes a row
-- when the reporter stated either, and only demographics_stats reads them, in aggregate
-- over published residents' reports per municipality, with counts below 5 suppressed.
-- So no single-report read, staff's included, can show them. They go with the report
-- (ON DELETE CASCADE), so erasure takes them too.

-- +goose Up

-- categories_ok: a report's reasons have the shape the report table needs: one to five,
-- no code twice, no NULL.
CREATE FUNCTION categories_ok(c text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT c IS NOT NULL AND cardinality(c) BETWEEN 1 AND 5 AND array_position(c, NULL) IS NULL
       AND (SELECT count(DISTINCT x) FROM unnest(c) x) = cardinality(c)
$$;

ALTER TABLE report ADD COLUMN categories text[];
UPDATE report SET categories = ARRAY[category];
ALTER TABLE report ALTER COLUMN categories SET NOT NULL,
    ADD CONSTRAINT report_categories_check CHECK (categories_ok(categories) AND category = categories[1]);
CREATE INDEX report_categories_gix ON report USING gin (categories);

-- report_categories_set keeps category and categories in step and every code in the
-- taxonomy.
-- +goose StatementBegin
CREATE FUNCTION report_categories_set() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.categories IS NULL OR cardinality(NEW.categories) = 0 THEN
            NEW.categories := ARRAY[NEW.category];
        ELSIF NEW.category IS NULL THEN
            NEW.category := NEW.categories[1];
        END IF;
    ELSIF NEW.category IS DISTINCT FROM OLD.category AND NEW.categories IS NOT DISTINCT FROM OLD.categories THEN
        NEW.categories := ARRAY[NEW.category] || array_remove(OLD.categories[2:], NEW.category);
    ELSIF NEW.categories IS DISTINCT FROM OLD.categories AND NEW.category IS NOT DISTINCT FROM OLD.category
          AND cardinality(NEW.categories) > 0 THEN
        NEW.category := NEW.categories[1];
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(NEW.categories) x WHERE x IS NOT NULL AND NOT EXISTS (SELECT 1 FROM category c WHERE c.code = x)) THEN
        RAISE EXCEPTION 'unknown category in %', NEW.categories
            USING ERRCODE = '23503', CONSTRAINT = 'report_categories_fkey', COLUMN = 'categories';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER report_categories BEFORE INSERT OR UPDATE OF category, categories ON report
    FOR EACH ROW EXECUTE FUNCTION report_categories_set();

CREATE TABLE report_demographics (
    report_id uuid PRIMARY KEY REFERENCES report (id) ON DELETE CASCADE,
    age_band  text NOT NULL DEFAULT 'unstated'
              CHECK (age_band IN ('under-18', '18-29', '30-49', '50-64', '65+', 'unstated')),
    gender    text NOT NULL DEFAULT 'unstated' CHECK (gender IN ('woman', 'man', 'other', 'unstated'))
);
ALTER TABLE report_demographics ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON report_demographics FROM PUBLIC, trygg_app;

-- submit_report (last defined in 00017) with the report's categories (NULL: category
-- alone) and the reporter's age band and gender (NULL or 'unstated': not stated).
DROP FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz,
    bytea, text, text, double precision, text, bytea, text, uuid, text);
-- +goose StatementBegin
CREATE FUNCTION submit_report(
    p_id uuid, p_geom_wkb bytea, p_category text, p_feeling int, p_times text[], p_description text,
    p_public_description text, p_source text, p_precision text, p_status text, p_observed_at timestamptz,
    p_erasure_hash bytea, p_email text, p_phone text, p_snap double precision,
    p_idem_key text, p_request_hash bytea, p_erasure text, p_actor_id uuid, p_actor text,
    p_categories text[] DEFAULT NULL, p_age_band text DEFAULT NULL, p_gender text DEFAULT NULL)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, erasure text, replayed boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    g      geometry := ST_SetSRID(ST_GeomFromWKB(p_geom_wkb), 4326);
    muni   text;
    pub    geometry;
    prev   idempotency_key%ROWTYPE;
    result report%ROWTYPE;
BEGIN
    IF p_idem_key IS NOT NULL THEN
        LOOP
            -- Claim the key (00017): a submission holding it uncommitted makes this wait.
            INSERT INTO idempotency_key (key, request_hash, report_id, erasure)
            VALUES (p_idem_key, p_request_hash, p_id, p_erasure)
            ON CONFLICT (key) DO NOTHING;
            EXIT WHEN FOUND;
            SELECT * INTO prev FROM idempotency_key k WHERE k.key = p_idem_key;
            IF FOUND THEN
                IF prev.request_hash <> p_request_hash THEN
                    RAISE EXCEPTION 'idempotency key reused with another request' USING ERRCODE = 'TR002';
                END IF;
                RETURN QUERY SELECT r.id, r.municipality_code, r.status, r.created_at, prev.erasure, true
                    FROM report r WHERE r.id = prev.report_id;
                RETURN;
            END IF;
        END LOOP;
    END IF;

    muni := report_municipality(g);
    IF muni IS NULL THEN
        RAISE EXCEPTION 'outside every municipality' USING ERRCODE = 'TR001';
    END IF;

    pub := report_public_geom(g, p_snap);

    INSERT INTO report AS r (id, municipality_code, geom, public_geom, category, categories, feeling, times, description,
        public_description, source, precision, status, observed_at, erasure_hash, created_by)
    VALUES (p_id, muni, g, pub, p_category, p_categories, p_feeling, coalesce(p_times, '{}'), coalesce(p_description, ''),
        coalesce(p_public_description, ''), p_source, p_precision, p_status, p_observed_at, p_erasure_hash, p_actor_id)
    RETURNING * INTO result;

    INSERT INTO report_status (report_id, status, actor_id, actor) VALUES (p_id, p_status, p_actor_id, p_actor);
    IF p_email IS NOT NULL OR p_phone IS NOT NULL THEN
        INSERT INTO report_contact (report_id, email, phone) VALUES (p_id, p_email, p_phone);
    END IF;
    IF coalesce(p_age_band, 'unstated') <> 'unstated' OR coalesce(p_gender, 'unstated') <> 'unstated' THEN
        INSERT INTO report_demographics (report_id, age_band, gender)
        VALUES (p_id, coalesce(p_age_band, 'unstated'), coalesce(p_gender, 'unstated'));
    END IF;
    RETURN QUERY SELECT result.id, result.municipality_code, result.status, result.created_at, p_erasure, false;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz,
    bytea, text, text, double precision, text, bytea, text, uuid, text, text[], text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz,
    bytea, text, text, double precision, text, bytea, text, uuid, text, text[], text, text) TO trygg_app;

-- The public view (last defined in 00022) with the report's categories.
CREATE OR REPLACE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       CASE WHEN report_staff_sourced(r.source) THEN ''::text ELSE r.public_description END AS description,
       r.source,
       CASE WHEN r.precision = 'area' THEN 'area' WHEN r.public_grid_m IS NOT NULL THEN 'snapped' ELSE r.precision END AS precision,
       r.status, r.public_observed_at AS observed_at, r.public_created_at AS created_at,
       CASE WHEN report_staff_sourced(r.source) THEN date_bin('1 hour', r.updated_at, timestamptz '2000-01-01 00:00+00')
            ELSE r.updated_at END AS updated_at,
       coalesce(cc.n, 0)::bigint AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt,
       r.public_xy AS xy,
       CASE WHEN r.precision <> 'area' THEN r.public_grid_m END AS precision_m,
       r.place_label,
       r.categories
FROM report r
LEFT JOIN report_confirmation_count cc ON cc.report_id = r.id
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';

-- report_for_reporter (last defined in 00022) with the categories and the public
-- position (the coarsened one the public will see), for the reporter's status page of a
-- report not yet public.
DROP FUNCTION report_for_reporter(uuid, bytea);
CREATE FUNCTION report_for_reporter(p_id uuid, p_erasure_hash bytea)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, updated_at timestamptz,
               place_label text, categories text[], public_geom geometry)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.municipality_code, r.status, r.created_at, r.updated_at, r.place_label, r.categories, r.public_geom
    FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash
$$;
REVOKE ALL ON FUNCTION report_for_reporter(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_for_reporter(uuid, bytea) TO trygg_app;

-- demographics_stats: how many published residents' reports (of municipality
-- p_municipality, NULL for all; naming the category p_category among their reasons,
-- NULL for any) were made by each age band, and separately by each gender (never
-- crossed with each other or with a place finer than the municipality), and their
-- total. Every count below 5 is NULL with suppressed; when exactly one cell of a
-- marginal is suppressed, the next smallest of that marginal (the first in order among
-- equals) is suppressed too, so the total minus the others cannot give it back; a total
-- below 5 is suppressed (and then so is every cell). Reports without a stated band or
-- gender count as unstated.
-- +goose StatementBegin
CREATE FUNCTION demographics_stats(p_municipality text, p_category text)
RETURNS TABLE (dimension text, value text, n bigint, suppressed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH r AS (
        SELECT coalesce(d.age_band, 'unstated') AS age_band, coalesce(d.gender, 'unstated') AS gender
        FROM report r LEFT JOIN report_demographics d ON d.report_id = r.id
        WHERE r.status IN ('published', 'resolved') AND r.source = 'resident'
          AND (p_municipality IS NULL OR r.municipality_code = p_municipality)
          AND (p_category IS NULL OR r.categories @> ARRAY[p_category])
    ), cells AS (
        SELECT 'age_band' AS dimension, v.value, v.ord, count(r.age_band) AS n
        FROM unnest(ARRAY['under-18', '18-29', '30-49', '50-64', '65+', 'unstated']) WITH ORDINALITY AS v(value, ord)
        LEFT JOIN r ON r.age_band = v.value GROUP BY v.value, v.ord
        UNION ALL
        SELECT 'gender', v.value, v.ord, count(r.gender)
        FROM unnest(ARRAY['woman', 'man', 'other', 'unstated']) WITH ORDINALITY AS v(value, ord)
        LEFT JOIN r ON r.gender = v.value GROUP BY v.value, v.ord
        UNION ALL
        SELECT 'total', 'total', 0, (SELECT count(*) FROM r)
    ), ranked AS (
        SELECT c.*, c.n < 5 AS small,
               count(*) FILTER (WHERE c.n < 5) OVER (PARTITION BY c.dimension) AS smalls,
               row_number() OVER (PARTITION BY c.dimension, c.n < 5 ORDER BY c.n, c.ord) AS rank
        FROM cells c
    ), judged AS (
        SELECT x.*, x.small OR (x.dimension <> 'total' AND x.smalls = 1 AND NOT x.small AND x.rank = 1) AS sup FROM ranked x
    )
    SELECT j.dimension, j.value, CASE WHEN j.sup THEN NULL ELSE j.n END, j.sup
    FROM judged j
    ORDER BY array_position(ARRAY['total', 'age_band', 'gender'], j.dimension), j.ord
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION demographics_stats(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION demographics_stats(text, text) TO trygg_app;

-- +goose Down
DROP FUNCTION demographics_stats(text, text);
DROP FUNCTION report_for_reporter(uuid, bytea);
CREATE FUNCTION report_for_reporter(p_id uuid, p_erasure_hash bytea)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, updated_at timestamptz, place_label text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.municipality_code, r.status, r.created_at, r.updated_at, r.place_label FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash
$$;
REVOKE ALL ON FUNCTION report_for_reporter(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_for_reporter(uuid, bytea) TO trygg_app;
DROP VIEW public_report;
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       CASE WHEN report_staff_sourced(r.source) THEN ''::text ELSE r.public_description END AS description,
       r.source,
       CASE WHEN r.precision = 'area' THEN 'area' WHEN r.public_grid_m IS NOT NULL THEN 'snapped' ELSE r.precision END AS precision,
       r.status, r.public_observed_at AS observed_at, r.public_created_at AS created_at,
       CASE WHEN report_staff_sourced(r.source) THEN date_bin('1 hour', r.updated_at, timestamptz '2000-01-01 00:00+00')
            ELSE r.updated_at END AS updated_at,
       coalesce(cc.n, 0)::bigint AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt,
       r.public_xy AS xy,
       CASE WHEN r.precision <> 'area' THEN r.public_grid_m END AS precision_m,
       r.place_label
FROM report r
LEFT JOIN report_confirmation_count cc ON cc.report_id = r.id
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;
DROP FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz,
    bytea, text, text, double precision, text, bytea, text, uuid, text, text[], text, text);
-- +goose StatementBegin
CREATE FUNCTION submit_report(
    p_id uuid, p_geom_wkb bytea, p_category text, p_feeling int, p_times text[], p_description text,
    p_public_description text, p_source text, p_precision text, p_status text, p_observed_at timestamptz,
    p_erasure_hash bytea, p_email text, p_phone text, p_snap double precision,
    p_idem_key text, p_request_hash bytea, p_erasure text, p_actor_id uuid, p_actor text)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, erasure text, replayed boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    g      geometry := ST_SetSRID(ST_GeomFromWKB(p_geom_wkb), 4326);
    muni   text;
    pub    geometry;
    prev   idempotency_key%ROWTYPE;
    result report%ROWTYPE;
BEGIN
    IF p_idem_key IS NOT NULL THEN
        LOOP
            INSERT INTO idempotency_key (key, request_hash, report_id, erasure)
            VALUES (p_idem_key, p_request_hash, p_id, p_erasure)
            ON CONFLICT (key) DO NOTHING;
            EXIT WHEN FOUND;
            SELECT * INTO prev FROM idempotency_key k WHERE k.key = p_idem_key;
            IF FOUND THEN
                IF prev.request_hash <> p_request_hash THEN
                    RAISE EXCEPTION 'idempotency key reused with another request' USING ERRCODE = 'TR002';
                END IF;
                RETURN QUERY SELECT r.id, r.municipality_code, r.status, r.created_at, prev.erasure, true
                    FROM report r WHERE r.id = prev.report_id;
                RETURN;
            END IF;
        END LOOP;
    END IF;

    muni := report_municipality(g);
    IF muni IS NULL THEN
        RAISE EXCEPTION 'outside every municipality' USING ERRCODE = 'TR001';
    END IF;

    pub := report_public_geom(g, p_snap);

    INSERT INTO report AS r (id, municipality_code, geom, public_geom, category, feeling, times, description,
        public_description, source, precision, status, observed_at, erasure_hash, created_by)
    VALUES (p_id, muni, g, pub, p_category, p_feeling, coalesce(p_times, '{}'), coalesce(p_description, ''),
        coalesce(p_public_description, ''), p_source, p_precision, p_status, p_observed_at, p_erasure_hash, p_actor_id)
    RETURNING * INTO result;

    INSERT INTO report_status (report_id, status, actor_id, actor) VALUES (p_id, p_status, p_actor_id, p_actor);
    IF p_email IS NOT NULL OR p_phone IS NOT NULL THEN
        INSERT INTO report_contact (report_id, email, phone) VALUES (p_id, p_email, p_phone);
    END IF;
    RETURN QUERY SELECT result.id, result.municipality_code, result.status, result.created_at, p_erasure, false;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz,
    bytea, text, text, double precision, text, bytea, text, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz,
    bytea, text, text, double precision, text, bytea, text, uuid, text) TO trygg_app;
DROP TABLE report_demographics;
DROP TRIGGER report_categories ON report;
DROP FUNCTION report_categories_set();
DROP INDEX report_categories_gix;
ALTER TABLE report DROP COLUMN categories;
DROP FUNCTION categories_ok(text[]);
