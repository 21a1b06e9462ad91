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

-- +goose Down
DROP FUNCTION report_ids_in_range(uuid, uuid);
