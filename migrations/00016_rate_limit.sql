-- +goose Up
-- Per-address rate limits (reports, confirmations, public hotspot analyses) live here,
-- not in each server's memory, so that every server shares them and a restart does not
-- reset them. Each (bucket, key) is a token bucket of p_n requests refilled evenly over
-- p_window, kept as GCRA's theoretical arrival time: tat is when the bucket is full
-- again, so a row with tat in the past says nothing and may go. UNLOGGED: no WAL per
-- request; a PostgreSQL crash (not a clean restart) empties the table, which only
-- forgives some requests. Keys are client addresses, which Trygg does not store: the
-- table holds their SHA-256 keyed with a random secret of this database instead.
CREATE UNLOGGED TABLE rate_limit (
    bucket text        NOT NULL,
    key    bytea       NOT NULL,
    tat    timestamptz NOT NULL,
    PRIMARY KEY (bucket, key)
);

CREATE TABLE rate_limit_secret (secret bytea NOT NULL);
INSERT INTO rate_limit_secret SELECT sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8'));

-- rate_take takes one request of p_key from bucket p_bucket (p_n per p_window) in one
-- statement: allowed, or not and retry_after seconds until one more would be. A zero
-- or negative p_n or p_window is no limit. Now and then (1 call in 512) it deletes the
-- rows whose buckets are full again.
-- +goose StatementBegin
CREATE FUNCTION rate_take(p_bucket text, p_key text, p_n int, p_window interval)
RETURNS TABLE (allowed boolean, retry_after double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t     interval;
    k     bytea;
    v_tat timestamptz;
BEGIN
    IF p_n <= 0 OR p_window <= interval '0' THEN
        RETURN QUERY SELECT true, 0::double precision;
        RETURN;
    END IF;
    t := p_window / p_n;
    k := sha256(convert_to(p_key, 'UTF8') || (SELECT secret FROM rate_limit_secret));
    -- ON CONFLICT locks the row even when the WHERE refuses, so the SELECT below sees it.
    INSERT INTO rate_limit AS r (bucket, key, tat) VALUES (p_bucket, k, now() + t)
    ON CONFLICT (bucket, key) DO UPDATE SET tat = greatest(r.tat, now()) + t
        WHERE greatest(r.tat, now()) + t <= now() + p_window
    RETURNING r.tat INTO v_tat;
    IF FOUND THEN
        IF random() < 1.0 / 512 THEN
            DELETE FROM rate_limit r WHERE r.tat < now();
        END IF;
        RETURN QUERY SELECT true, 0::double precision;
        RETURN;
    END IF;
    SELECT r.tat INTO v_tat FROM rate_limit r WHERE r.bucket = p_bucket AND r.key = k;
    RETURN QUERY SELECT false, greatest(extract(epoch FROM coalesce(v_tat, now()) + t - p_window - now())::double precision, 0.001);
END
$$;
-- +goose StatementEnd

-- rate_check is rate_take that raises SQLSTATE TR429 when refused, with the seconds to
-- wait as the DETAIL: sent in the same pipeline (one implicit transaction) before a
-- write, a refusal skips the write, and a write that fails gives the request back.
-- +goose StatementBegin
CREATE FUNCTION rate_check(p_bucket text, p_key text, p_n int, p_window interval) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    res record;
BEGIN
    SELECT * INTO res FROM rate_take(p_bucket, p_key, p_n, p_window);
    IF NOT res.allowed THEN
        RAISE EXCEPTION 'rate limit % refused', p_bucket USING ERRCODE = 'TR429', DETAIL = res.retry_after::text;
    END IF;
END
$$;
-- +goose StatementEnd

-- report_rate_check is rate_check for a report submission: a retry with an
-- Idempotency-Key whose report is stored is a replay, not a new report, and takes
-- nothing (a client whose answer got lost can always fetch it).
-- +goose StatementBegin
CREATE FUNCTION report_rate_check(p_bucket text, p_key text, p_n int, p_window interval, p_idem_key text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_idem_key IS NOT NULL AND EXISTS (SELECT 1 FROM idempotency_key k WHERE k.key = p_idem_key) THEN
        RETURN;
    END IF;
    PERFORM rate_check(p_bucket, p_key, p_n, p_window);
END
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION rate_take(text, text, int, interval), rate_check(text, text, int, interval),
    report_rate_check(text, text, int, interval, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION rate_take(text, text, int, interval), rate_check(text, text, int, interval),
    report_rate_check(text, text, int, interval, text) TO trygg_app;

-- +goose Down
DROP FUNCTION report_rate_check(text, text, int, interval, text);
DROP FUNCTION rate_check(text, text, int, interval);
DROP FUNCTION rate_take(text, text, int, interval);
DROP TABLE rate_limit_secret;
DROP TABLE rate_limit;
