-- Photos of reports (issue 19.2): at most three a report, stored re-encoded (package
-- photo: no EXIF, scaled, a thumbnail) in PostgreSQL, named by the SHA-256 of the JPEG,
-- which is also their ETag. In the database rather than on disk: one backup, replicas
-- have them, row-level security covers them like the report, and erasing a report
-- takes its photos in the same transaction (ON DELETE CASCADE from erase_report's
-- DELETE). The reporter adds and removes photos with the erasure token, only while the
-- report is received (add_report_photo, remove_report_photo); staff add and remove them
-- under row-level security.
-- The public reads them only of published and resolved reports (report_photo_image,
-- report_photo_list), as it reads public_report.

-- +goose Up
CREATE TABLE report_photo (
    report_id  uuid NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    image      bytea NOT NULL CHECK (length(image) BETWEEN 1 AND 8388608),
    width      int NOT NULL CHECK (width BETWEEN 1 AND 4096),
    height     int NOT NULL CHECK (height BETWEEN 1 AND 4096),
    thumbnail  bytea NOT NULL CHECK (length(thumbnail) BETWEEN 1 AND 1048576),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
    PRIMARY KEY (report_id, hash)
);
-- JPEG does not compress: stored out of line without TOAST trying to.
ALTER TABLE report_photo ALTER COLUMN image SET STORAGE EXTERNAL, ALTER COLUMN thumbnail SET STORAGE EXTERNAL;
ALTER TABLE report_photo ENABLE ROW LEVEL SECURITY;
CREATE POLICY report_photo_staff ON report_photo
    USING (EXISTS (SELECT 1 FROM report r WHERE r.id = report_id))
    WITH CHECK (EXISTS (SELECT 1 FROM report r WHERE r.id = report_id));
GRANT SELECT, INSERT, DELETE ON report_photo TO trygg_app;

-- report_photo_limit holds every path to three photos a report: it locks the report's
-- row, so two uploads at once count one after the other (SQLSTATE TRP03 when full).
-- +goose StatementBegin
CREATE FUNCTION report_photo_limit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM report WHERE id = NEW.report_id FOR UPDATE;
    IF (SELECT count(*) FROM report_photo WHERE report_id = NEW.report_id) >= 3 THEN
        RAISE EXCEPTION 'a report has at most 3 photos' USING ERRCODE = 'TRP03';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER report_photo_limit BEFORE INSERT ON report_photo FOR EACH ROW EXECUTE FUNCTION report_photo_limit();

-- add_report_photo adds a photo for the reporter, who holds the erasure token (its
-- hash p_erasure_hash): 'added', 'exists' (this photo is already there: nothing
-- changes), 'moderated' (the report is no longer received: nothing is added), or NULL
-- when no report has this id and token.
-- +goose StatementBegin
CREATE FUNCTION add_report_photo(p_id uuid, p_erasure_hash bytea, p_hash text, p_image bytea,
    p_width int, p_height int, p_thumbnail bytea) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    st text;
BEGIN
    SELECT r.status INTO st FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash AND r.source <> 'police-event' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM report_photo p WHERE p.report_id = p_id AND p.hash = p_hash) THEN
        RETURN 'exists';
    END IF;
    IF st <> 'received' THEN
        RETURN 'moderated';
    END IF;
    INSERT INTO report_photo (report_id, hash, image, width, height, thumbnail)
    VALUES (p_id, p_hash, p_image, p_width, p_height, p_thumbnail);
    RETURN 'added';
END
$$;
-- +goose StatementEnd

-- remove_report_photo removes a photo for the reporter (the erasure token's hash),
-- only while the report is received: 'removed', 'missing' (no such photo), 'moderated'
-- (nothing is removed), or NULL when no report has this id and token.
-- +goose StatementBegin
CREATE FUNCTION remove_report_photo(p_id uuid, p_erasure_hash bytea, p_hash text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    st text;
BEGIN
    SELECT r.status INTO st FROM report r
    WHERE r.id = p_id AND r.erasure_hash = p_erasure_hash AND r.source <> 'police-event' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF st <> 'received' THEN
        RETURN 'moderated';
    END IF;
    DELETE FROM report_photo p WHERE p.report_id = p_id AND p.hash = p_hash;
    RETURN CASE WHEN FOUND THEN 'removed' ELSE 'missing' END;
END
$$;
-- +goose StatementEnd

-- report_photo_list lists the photos of the reports p_ids that the public may see
-- (published or resolved), and with an erasure token's hash those of the report it
-- belongs to, whatever its status: oldest first.
CREATE FUNCTION report_photo_list(p_ids uuid[], p_erasure_hash bytea)
RETURNS TABLE (report_id uuid, hash text, width int, height int)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p.report_id, p.hash, p.width, p.height
    FROM report_photo p JOIN report r ON r.id = p.report_id
    WHERE p.report_id = ANY (p_ids) AND r.source <> 'police-event'
      AND (r.status IN ('published', 'resolved') OR (p_erasure_hash IS NOT NULL AND r.erasure_hash = p_erasure_hash))
    ORDER BY p.report_id, p.created_at, p.hash
$$;

-- report_photo_image is one photo (or its thumbnail) for the public or the reporter,
-- as report_photo_list lists them, and whether it is public.
CREATE FUNCTION report_photo_image(p_id uuid, p_hash text, p_thumbnail boolean, p_erasure_hash bytea)
RETURNS TABLE (image bytea, public boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN p_thumbnail THEN p.thumbnail ELSE p.image END, r.status IN ('published', 'resolved')
    FROM report_photo p JOIN report r ON r.id = p.report_id
    WHERE p.report_id = p_id AND p.hash = p_hash AND r.source <> 'police-event'
      AND (r.status IN ('published', 'resolved') OR (p_erasure_hash IS NOT NULL AND r.erasure_hash = p_erasure_hash))
$$;

REVOKE ALL ON FUNCTION report_photo_limit(), add_report_photo(uuid, bytea, text, bytea, int, int, bytea), remove_report_photo(uuid, bytea, text),
    report_photo_list(uuid[], bytea), report_photo_image(uuid, text, boolean, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION add_report_photo(uuid, bytea, text, bytea, int, int, bytea), remove_report_photo(uuid, bytea, text),
    report_photo_list(uuid[], bytea), report_photo_image(uuid, text, boolean, bytea) TO trygg_app;

-- +goose Down
DROP FUNCTION report_photo_image(uuid, text, boolean, bytea);
DROP FUNCTION report_photo_list(uuid[], bytea);
DROP FUNCTION remove_report_photo(uuid, bytea, text);
DROP FUNCTION add_report_photo(uuid, bytea, text, bytea, int, int, bytea);
DROP TABLE report_photo;
DROP FUNCTION report_photo_limit();
