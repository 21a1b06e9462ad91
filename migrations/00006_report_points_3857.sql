-- Report points in EPSG:3857 for the clustered vector tiles (postgis/tiles.go): a stored
-- point on surface of the place (staff) and of its public position, so a low-zoom tile
-- over a million reports groups stored coordinates instead of transforming every row.
-- The public view computes its action columns only when they are read (scalar
-- subqueries instead of a lateral join), so a query that needs neither pays for neither.

-- +goose Up
ALTER TABLE report
    ADD COLUMN pt geometry(Point, 3857) NOT NULL
        GENERATED ALWAYS AS (ST_Transform(ST_PointOnSurface(geom), 3857)) STORED,
    ADD COLUMN public_pt geometry(Point, 3857) NOT NULL
        GENERATED ALWAYS AS (ST_Transform(ST_PointOnSurface(public_geom), 3857)) STORED;
CREATE INDEX report_pt_gix ON report USING gist (pt);
CREATE INDEX report_public_pt_gix ON report USING gist (public_pt) WHERE status IN ('published', 'resolved');

CREATE OR REPLACE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations,
       (SELECT a.status FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_status,
       (SELECT a.feedback FROM action a WHERE a.report_id = r.id ORDER BY a.updated_at DESC, a.id LIMIT 1) AS action_feedback,
       r.public_pt AS pt
FROM report r
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';

-- +goose Down
DROP VIEW public_report;
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations,
       a.status AS action_status, a.feedback AS action_feedback
FROM report r
LEFT JOIN LATERAL (SELECT a.status, a.feedback FROM action a WHERE a.report_id = r.id
                   ORDER BY a.updated_at DESC LIMIT 1) a ON true
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;
ALTER TABLE report DROP COLUMN public_pt, DROP COLUMN pt;
