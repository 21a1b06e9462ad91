-- +goose Up
-- Resident reports: places where people feel unsafe (or safe), from residents, walks,
-- dialogues, EST, the Police and surveys.
--
-- Privacy: the public reads only through public_report (published reports, positions
-- snapped to a grid in SWEREF 99 TM at submission, masked text, no contact data). Staff
-- read report under row-level security. Residents submit through submit_report(), a
-- SECURITY DEFINER function that derives the municipality from the position and writes
-- the report, its first status, its contact data and its idempotency key in one call.

CREATE TABLE category (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z]+(-[a-z]+)*$'),
    label_sv text NOT NULL,
    label_en text NOT NULL,
    grp      text NOT NULL CHECK (grp IN ('miljo', 'beteende', 'trafik', 'ovrigt')),
    icon     text NOT NULL,
    sort     int NOT NULL
);
INSERT INTO category (code, label_sv, label_en, grp, icon, sort) VALUES
    ('belysning',        'Dålig belysning',                         'Poor lighting',                                'miljo',    'lightbulb',      10),
    ('vegetation',       'Igenvuxen vegetation',                    'Overgrown vegetation',                         'miljo',    'tree',           20),
    ('skymd-sikt',       'Skymd sikt, tunnel, dålig överblick',     'Hidden corners, tunnels, poor overview',       'miljo',    'eye-off',        30),
    ('ode-plats',        'Öde plats',                               'Deserted place',                               'miljo',    'user-x',         40),
    ('nedskrapning',     'Nedskräpning',                            'Litter',                                       'miljo',    'trash',          50),
    ('klotter',          'Klotter',                                 'Graffiti',                                     'miljo',    'spray-can',      60),
    ('skadegorelse',     'Skadegörelse',                            'Vandalism',                                    'miljo',    'hammer',         70),
    ('forfall',          'Förfall, dåligt underhåll',               'Neglect, poor maintenance',                    'miljo',    'wrench',         80),
    ('gangvag',          'Otrygg gångväg',                          'Unsafe walking path',                          'miljo',    'footprints',     90),
    ('hallplats',        'Otrygg hållplats',                        'Unsafe public-transport stop',                 'miljo',    'bus',           100),
    ('stokiga-grupper',  'Stökiga grupper',                         'Disruptive groups',                            'beteende', 'users',         110),
    ('narkotika',        'Narkotikahandel eller narkotikabruk',     'Drug dealing or use',                          'beteende', 'pill',          120),
    ('alkohol',          'Offentligt drickande',                    'Public drinking',                              'beteende', 'beer',          130),
    ('hot-trakasserier', 'Hot, trakasserier',                       'Threats, harassment',                          'beteende', 'alert-triangle',140),
    ('vald',             'Våld',                                    'Violence',                                     'beteende', 'fist',          150),
    ('inbrott-stold',    'Inbrott, stöld',                          'Burglary, theft',                              'beteende', 'lock-open',     160),
    ('hastighet',        'Höga hastigheter',                        'Speeding',                                     'trafik',   'gauge',         170),
    ('farlig-korning',   'Farlig körning (även A- och EPA-traktorer)', 'Reckless driving (incl. A- and EPA-tractors)', 'trafik', 'car',          180),
    ('farlig-korsning',  'Farlig korsning',                         'Dangerous crossing',                           'trafik',   'crossing',      190),
    ('annat',            'Annat',                                   'Other',                                        'ovrigt',   'help-circle',   200),
    ('trygg-plats',      'Trygg plats',                             'A place that feels safe',                      'ovrigt',   'shield-check',  210);
GRANT SELECT ON category TO trygg_app;

CREATE TABLE report (
    id                 uuid PRIMARY KEY,
    municipality_code  text NOT NULL REFERENCES municipality (code),
    geom               geometry(Geometry, 4326) NOT NULL
                       CHECK (GeometryType(geom) IN ('POINT', 'POLYGON') AND ST_IsValid(geom)
                              AND (GeometryType(geom) = 'POINT' OR ST_Area(geom::geography) <= 1000000)),
    public_geom        geometry(Geometry, 4326) NOT NULL CHECK (GeometryType(public_geom) IN ('POINT', 'POLYGON')),
    category           text NOT NULL REFERENCES category (code),
    feeling            smallint NOT NULL CHECK (feeling BETWEEN 1 AND 4),
    times              text[] NOT NULL DEFAULT '{}'
                       CHECK (times <@ ARRAY['day', 'evening', 'night', 'weekday', 'weekend']),
    description        text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    public_description text NOT NULL DEFAULT '' CHECK (length(public_description) <= 2000),
    source             text NOT NULL
                       CHECK (source IN ('resident', 'walk', 'dialogue', 'est', 'police', 'police-event', 'survey')),
    precision          text NOT NULL CHECK (precision IN ('exact', 'approximate', 'area')),
    status             text NOT NULL CHECK (status IN ('received', 'published', 'rejected', 'resolved')),
    reject_reason      text,
    observed_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    erasure_hash       bytea,
    created_by         uuid REFERENCES app_user (id) ON DELETE SET NULL,
    CHECK ((precision = 'area') = (GeometryType(geom) = 'POLYGON') OR source = 'police-event')
);
CREATE INDEX report_geom_gix ON report USING gist (geom);
CREATE INDEX report_public_geom_gix ON report USING gist (public_geom) WHERE status IN ('published', 'resolved');
CREATE INDEX report_municipality_status_idx ON report (municipality_code, status, created_at);
CREATE INDEX report_created_idx ON report (created_at);

ALTER TABLE report ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_staff ON report USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT, UPDATE, DELETE ON report TO trygg_app;

CREATE TABLE report_status (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id uuid NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    status    text NOT NULL CHECK (status IN ('received', 'published', 'rejected', 'resolved')),
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  uuid,
    actor     text NOT NULL,
    note      text
);
CREATE INDEX report_status_report_idx ON report_status (report_id, at);
ALTER TABLE report_status ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_status_staff ON report_status
    USING (EXISTS (SELECT 1 FROM report r WHERE r.id = report_id));
GRANT SELECT, INSERT ON report_status TO trygg_app;

-- Contact data is private and has a retention period (trygg maintenance retention).
CREATE TABLE report_contact (
    report_id  uuid PRIMARY KEY REFERENCES report (id) ON DELETE CASCADE,
    email      text CHECK (length(email) <= 254),
    phone      text CHECK (length(phone) <= 30),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX report_contact_created_idx ON report_contact (created_at);
ALTER TABLE report_contact ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_contact_staff ON report_contact
    USING (EXISTS (SELECT 1 FROM report r WHERE r.id = report_id));
GRANT SELECT, DELETE ON report_contact TO trygg_app;

CREATE TABLE report_confirmation (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id uuid NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_confirmation_report_idx ON report_confirmation (report_id);
ALTER TABLE report_confirmation ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_confirmation_staff ON report_confirmation
    USING (EXISTS (SELECT 1 FROM report r WHERE r.id = report_id));
GRANT SELECT ON report_confirmation TO trygg_app;

-- A retried submission with the same Idempotency-Key gets the first answer again
-- (including its erasure token, so the key row is private and kept 24 hours).
CREATE TABLE idempotency_key (
    key          text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    report_id    uuid NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    erasure      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);

-- What the public may see: published and resolved reports, coarsened, masked, no contact.
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations
FROM report r
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;

-- report_municipality is the municipality whose boundary covers a report's place (a
-- polygon's point on surface), or NULL. submit_report and trygg import reports use it.
CREATE FUNCTION report_municipality(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT m.code FROM public.municipality m
    WHERE ST_Covers(m.boundary, ST_PointOnSurface(g)) ORDER BY m.code LIMIT 1
$$;

-- report_public_geom is a report's place as the public sees it: a point snapped to the
-- centre of a p_snap metre cell of SWEREF 99 TM, an area as it is.
CREATE FUNCTION report_public_geom(g geometry, p_snap double precision) RETURNS geometry
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN GeometryType(g) = 'POINT' AND p_snap > 0
        THEN ST_Transform(ST_SnapToGrid(ST_Transform(g, 3006), p_snap / 2, p_snap / 2, p_snap, p_snap), 4326)
        ELSE g END
$$;

-- submit_report stores a new report: the municipality is the one whose boundary covers
-- the position (a polygon's point on surface); none raises 'outside' (SQLSTATE TR001).
-- Points are snapped for the public to the centre of a p_snap metre cell in SWEREF 99
-- TM. With an idempotency key already used, nothing is written and the first report's
-- id and erasure token are returned (replayed = true), or SQLSTATE TR002 if the request
-- differs.
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
        SELECT * INTO prev FROM idempotency_key k WHERE k.key = p_idem_key;
        IF FOUND THEN
            IF prev.request_hash <> p_request_hash THEN
                RAISE EXCEPTION 'idempotency key reused with another request' USING ERRCODE = 'TR002';
            END IF;
            RETURN QUERY SELECT r.id, r.municipality_code, r.status, r.created_at, prev.erasure, true
                FROM report r WHERE r.id = prev.report_id;
            RETURN;
        END IF;
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
    IF p_idem_key IS NOT NULL THEN
        INSERT INTO idempotency_key (key, request_hash, report_id, erasure)
        VALUES (p_idem_key, p_request_hash, p_id, p_erasure);
    END IF;
    RETURN QUERY SELECT result.id, result.municipality_code, result.status, result.created_at, p_erasure, false;
END
$$;
-- +goose StatementEnd

-- erase_report deletes a report and everything personal about it, given the hash of
-- the erasure token handed out at submission. It returns whether one was deleted.
CREATE FUNCTION erase_report(p_id uuid, p_erasure_hash bytea) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH d AS (DELETE FROM report WHERE id = p_id AND erasure_hash = p_erasure_hash RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM d)
$$;

-- report_for_reporter shows the reporter, who holds the erasure token, the status of a
-- report not yet public.
CREATE FUNCTION report_for_reporter(p_id uuid, p_erasure_hash bytea)
RETURNS TABLE (id uuid, municipality_code text, status text, created_at timestamptz, updated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.municipality_code, r.status, r.created_at, r.updated_at FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash
$$;

-- confirm_report adds a "me too" to a public report; false if there is none.
-- +goose StatementBegin
CREATE FUNCTION confirm_report(p_id uuid) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM public_report WHERE id = p_id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO report_confirmation (report_id) VALUES (p_id);
    RETURN (SELECT count(*) FROM report_confirmation WHERE report_id = p_id);
END
$$;
-- +goose StatementEnd

-- retention deletes contact data older than p_contact, idempotency keys older than a day
-- and sign-in failures older than a day; it returns how many contact rows went.
-- +goose StatementBegin
CREATE FUNCTION retention(p_contact interval) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n bigint;
BEGIN
    DELETE FROM report_contact WHERE created_at < now() - p_contact;
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM idempotency_key WHERE created_at < now() - interval '1 day';
    DELETE FROM login_failure WHERE at < now() - interval '1 day';
    RETURN n;
END
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz, bytea, text, text, double precision, text, bytea, text, uuid, text),
    erase_report(uuid, bytea), confirm_report(uuid), retention(interval), report_for_reporter(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz, bytea, text, text, double precision, text, bytea, text, uuid, text),
    erase_report(uuid, bytea), confirm_report(uuid), retention(interval), report_for_reporter(uuid, bytea) TO trygg_app;

-- +goose Down
DROP FUNCTION report_for_reporter(uuid, bytea);
DROP FUNCTION retention(interval);
DROP FUNCTION confirm_report(uuid);
DROP FUNCTION erase_report(uuid, bytea);
DROP FUNCTION submit_report(uuid, bytea, text, int, text[], text, text, text, text, text, timestamptz, bytea, text, text, double precision, text, bytea, text, uuid, text);
DROP FUNCTION report_public_geom(geometry, double precision);
DROP FUNCTION report_municipality(geometry);
DROP VIEW public_report;
DROP TABLE idempotency_key;
DROP TABLE report_confirmation;
DROP TABLE report_contact;
DROP TABLE report_status;
DROP TABLE report;
DROP TABLE category;
