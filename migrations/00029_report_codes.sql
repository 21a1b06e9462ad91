-- A report's short code (trygg.ShortCode: the first 40 bits of its random id) finds
-- the report by the range of ids that begin with it, on the primary key. Anyone may ask
-- (the code is shown beside the follow-up link, like the id it stands for), so the
-- function answers only ids, at most two (two mean the code is ambiguous), and runs as
-- its owner because the public role sees unpublished reports only through
-- report_for_reporter.

-- +goose Up
CREATE FUNCTION report_ids_in_range(p_first uuid, p_last uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id FROM report r WHERE r.id BETWEEN p_first AND p_last AND r.source <> 'police-event'
    ORDER BY r.id LIMIT 2
$$;
REVOKE ALL ON FUNCTION report_ids_in_range(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_ids_in_range(uuid, uuid) TO trygg_app;

-- report_steps gives the status page the Swedish day of each step a report went through:
-- received, published or rejected, resolved, action planned, action done. Anyone may
-- read the steps of a public report; the reporter (with the erasure token's hash) also
-- those of one not public, and the moderator's reason for a rejection.
CREATE FUNCTION report_steps(p_id uuid, p_erasure_hash bytea) RETURNS TABLE (step text, day date, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH r AS (
        SELECT r.id, r.public_created_at, r.status, r.reject_reason,
               (p_erasure_hash IS NOT NULL AND r.erasure_hash = p_erasure_hash) AS reporter
        FROM report r
        WHERE r.id = p_id AND r.source <> 'police-event'
          AND (r.status IN ('published', 'resolved') OR (p_erasure_hash IS NOT NULL AND r.erasure_hash = p_erasure_hash))
    ), a AS (
        SELECT a.created_at, a.done_at, a.status FROM action a, r WHERE a.report_id = r.id
        ORDER BY a.updated_at DESC, a.id LIMIT 1
    )
    SELECT * FROM (
    SELECT 'received' AS step, (r.public_created_at AT TIME ZONE 'Europe/Stockholm')::date AS day, NULL AS reason FROM r
    UNION ALL
    SELECT s.status, (max(s.at) AT TIME ZONE 'Europe/Stockholm')::date,
           CASE WHEN s.status = 'rejected' AND bool_or(r.reporter) THEN max(r.reject_reason) END
    FROM report_status s JOIN r ON r.id = s.report_id
    WHERE s.status IN ('published', 'rejected', 'resolved') AND (s.status <> 'rejected' OR r.status = 'rejected')
    GROUP BY s.status
    UNION ALL
    SELECT 'planned', (a.created_at AT TIME ZONE 'Europe/Stockholm')::date, NULL FROM a WHERE a.status <> 'rejected'
    UNION ALL
    SELECT 'done', (a.done_at AT TIME ZONE 'Europe/Stockholm')::date, NULL FROM a WHERE a.status = 'done' AND a.done_at IS NOT NULL
    ) s ORDER BY s.day, array_position(ARRAY['received', 'published', 'rejected', 'planned', 'done', 'resolved'], s.step)
$$;
REVOKE ALL ON FUNCTION report_steps(uuid, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_steps(uuid, bytea) TO trygg_app;

-- +goose Down
DROP FUNCTION report_steps(uuid, bytea);
DROP FUNCTION report_ids_in_range(uuid, uuid);
