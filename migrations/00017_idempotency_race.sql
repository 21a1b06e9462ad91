-- Concurrent submissions with one Idempotency-Key: submit_report claims the key
-- before it writes the report (INSERT … ON CONFLICT DO NOTHING), so the unique index
-- makes a second submission wait until the first commits and then read the first's
-- answer, instead of both writing a report and the second failing on the key's unique
-- index at the end. The key row now comes before its report, so its foreign key is
-- checked at commit.

-- +goose Up
ALTER TABLE idempotency_key ALTER CONSTRAINT idempotency_key_report_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION submit_report(
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
            -- Claim the key. A submission holding it uncommitted makes this wait on the
            -- unique index until it commits (then nothing is inserted and its answer is
            -- read below) or rolls back (then the key is ours).
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
            -- The key's report was erased in between: claim the key again.
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION submit_report(
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

ALTER TABLE idempotency_key ALTER CONSTRAINT idempotency_key_report_id_fkey NOT DEFERRABLE INITIALLY IMMEDIATE;
