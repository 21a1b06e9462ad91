-- +goose Up
-- Safety walks (trygghetsvandringar) and their observations and actions (åtgärder),
-- citizen dialogues (medborgardialoger) and the places named in them, EST incidents,
-- and the Police's public event feed. Observations, dialogue places, EST incidents and
-- police events are reports (table report) with their source and a link; every new
-- table is municipality-scoped under row-level security.

CREATE TABLE walk (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    title             text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    area              geometry(Polygon, 4326) CHECK (area IS NULL OR ST_IsValid(area)),
    -- No typmod: geometry(Geometry, 4326) refuses the M of a LINESTRINGM (times).
    route             geometry
                      CHECK (route IS NULL OR (ST_SRID(route) = 4326 AND GeometryType(route) IN ('LINESTRING', 'LINESTRINGM')
                                               AND ST_NPoints(route) >= 2)),
    starts_at         timestamptz,
    ends_at           timestamptz CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at),
    dark              boolean,
    organisers        text[] NOT NULL DEFAULT '{}',
    participants      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(participants) = 'object'),
    status            text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'followed-up')),
    notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX walk_municipality_idx ON walk (municipality_code, starts_at);
CREATE INDEX walk_route_gix ON walk USING gist (route);
ALTER TABLE walk ENABLE ROW LEVEL SECURITY;
CREATE POLICY walk_staff ON walk USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT, UPDATE, DELETE ON walk TO trygg_app;

CREATE TABLE dialogue (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    title             text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    held_on           date NOT NULL,
    place             text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    format            text NOT NULL DEFAULT '' CHECK (length(format) <= 100),
    conversations     int NOT NULL DEFAULT 0 CHECK (conversations >= 0),
    notes             text NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dialogue_municipality_idx ON dialogue (municipality_code, held_on);
ALTER TABLE dialogue ENABLE ROW LEVEL SECURITY;
CREATE POLICY dialogue_staff ON dialogue USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT, UPDATE, DELETE ON dialogue TO trygg_app;

-- Links and details of reports from walks, dialogues, EST and the Police.
ALTER TABLE report
    ADD COLUMN walk_id uuid REFERENCES walk (id) ON DELETE CASCADE,
    ADD COLUMN dialogue_id uuid REFERENCES dialogue (id) ON DELETE CASCADE,
    ADD COLUMN est_type text CHECK (est_type IN ('skadegorelse', 'klotter', 'nedskrapning', 'stokiga-grupper',
        'narkotika', 'farlig-korning', 'vald', 'inbrott-stold', 'mot-personal', 'annat')),
    ADD COLUMN est_area text CHECK (length(est_area) <= 200),
    ADD COLUMN reported_by_org text REFERENCES organisation (id),
    ADD COLUMN police_event_id bigint UNIQUE,
    ADD COLUMN police_event_type text,
    ADD CONSTRAINT report_est_check CHECK ((source = 'est') = (est_type IS NOT NULL)),
    ADD CONSTRAINT report_police_event_check CHECK ((source = 'police-event') = (police_event_id IS NOT NULL));
CREATE INDEX report_walk_idx ON report (walk_id) WHERE walk_id IS NOT NULL;
CREATE INDEX report_dialogue_idx ON report (dialogue_id) WHERE dialogue_id IS NOT NULL;
CREATE INDEX report_est_idx ON report (municipality_code, observed_at) WHERE source = 'est';

-- Actions (åtgärder): a fix with an owner and a deadline, from an observation (a report)
-- or a walk; feedback (återkoppling) is what residents are told.
CREATE TABLE action (
    id                uuid PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipality (code),
    report_id         uuid REFERENCES report (id) ON DELETE SET NULL,
    walk_id           uuid REFERENCES walk (id) ON DELETE CASCADE,
    description       text NOT NULL CHECK (btrim(description) <> '' AND length(description) <= 2000),
    owner_org         text REFERENCES organisation (id),
    owner_text        text CHECK (length(owner_text) <= 200),
    due_on            date,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'rejected')),
    feedback          text NOT NULL DEFAULT '' CHECK (length(feedback) <= 2000),
    done_at           timestamptz,
    created_by        uuid REFERENCES app_user (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (owner_org IS NOT NULL OR nullif(btrim(owner_text), '') IS NOT NULL)
);
CREATE INDEX action_report_idx ON action (report_id);
CREATE INDEX action_walk_idx ON action (walk_id);
CREATE INDEX action_due_idx ON action (municipality_code, due_on) WHERE status IN ('open', 'in_progress');
ALTER TABLE action ENABLE ROW LEVEL SECURITY;
CREATE POLICY action_staff ON action USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT, UPDATE, DELETE ON action TO trygg_app;
GRANT SELECT ON organisation TO trygg_app;

-- The public report shows the status and feedback of its latest action.
CREATE OR REPLACE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations,
       a.status AS action_status, a.feedback AS action_feedback
FROM report r
LEFT JOIN LATERAL (SELECT a.status, a.feedback FROM action a WHERE a.report_id = r.id
                   ORDER BY a.updated_at DESC LIMIT 1) a ON true
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';

-- +goose Down
DROP VIEW public_report;
CREATE VIEW public_report AS
SELECT r.id, r.municipality_code, r.public_geom AS geom, r.category, r.feeling, r.times,
       r.public_description AS description, r.source, r.precision, r.status,
       r.observed_at, r.created_at, r.updated_at,
       (SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id) AS confirmations
FROM report r
WHERE r.status IN ('published', 'resolved') AND r.source <> 'police-event';
GRANT SELECT ON public_report TO trygg_app;
DROP TABLE action;
ALTER TABLE report DROP COLUMN walk_id, DROP COLUMN dialogue_id, DROP COLUMN est_type, DROP COLUMN est_area,
    DROP COLUMN reported_by_org, DROP COLUMN police_event_id, DROP COLUMN police_event_type;
DROP TABLE dialogue;
DROP TABLE walk;
