-- +goose Up
-- The follow-up counts the work it follows (issue 18): walks, dialogues (meetings),
-- camera sites and actions name commitments of their own municipality through link
-- tables like activity_commitment (camera_commitment exists, migration 12); one view,
-- commitment_work, is every piece of work that counts toward a commitment within its
-- promise's period, and the follow-up's count, pace and status read it. Activities
-- carry a count (a week's 40 controls as one entry); commitments a reason they were
-- marked done; camera sites the days they went into and out of service.

-- Activity kind neighbourhood-watch (grannsamverkan).
ALTER TABLE commitment DROP CONSTRAINT commitment_activity_kind_check;
ALTER TABLE commitment ADD CONSTRAINT commitment_activity_kind_check CHECK (activity_kind IN ('foot-patrol',
    'traffic-control', 'vehicle-inspection', 'drug-intervention', 'school-visit', 'youth-centre-visit', 'safety-walk',
    'dialogue-meeting', 'camera-surveillance', 'lighting', 'information-campaign', 'concern-talk', 'meeting',
    'neighbourhood-watch', 'other'));
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check CHECK (kind IN ('foot-patrol', 'traffic-control',
    'vehicle-inspection', 'drug-intervention', 'school-visit', 'youth-centre-visit', 'safety-walk', 'dialogue-meeting',
    'camera-surveillance', 'lighting', 'information-campaign', 'concern-talk', 'meeting', 'neighbourhood-watch', 'other'));

ALTER TABLE activity ADD COLUMN count int NOT NULL DEFAULT 1 CONSTRAINT activity_count_check CHECK (count BETWEEN 1 AND 10000);
ALTER TABLE commitment ADD COLUMN done_reason text NOT NULL DEFAULT ''
    CONSTRAINT commitment_done_reason_check CHECK (length(done_reason) <= 2000);

-- A commitment's place may be an entry of the gazetteer (its name and point copied).
ALTER TABLE commitment_place ADD COLUMN gazetteer_id bigint REFERENCES gazetteer (id) ON DELETE SET NULL;

-- When a walk was marked done (its date when it has no times), kept by a trigger.
ALTER TABLE walk ADD COLUMN done_at timestamptz;
UPDATE walk SET done_at = coalesce(ends_at, starts_at, updated_at) WHERE status IN ('done', 'followed-up');
-- +goose StatementBegin
CREATE FUNCTION walk_done_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('done', 'followed-up') THEN
        IF TG_OP = 'INSERT' OR OLD.status NOT IN ('done', 'followed-up') OR NEW.done_at IS NULL THEN
            NEW.done_at := coalesce(NEW.done_at, now());
        END IF;
    ELSE
        NEW.done_at := NULL;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER walk_done_at BEFORE INSERT OR UPDATE OF status ON walk FOR EACH ROW EXECUTE FUNCTION walk_done_at();

-- The days (Swedish) a camera went into service (installed or active) and out of it
-- (decommissioned), kept by a trigger on its state.
ALTER TABLE camera_site ADD COLUMN in_service_from date, ADD COLUMN in_service_to date;
UPDATE camera_site SET in_service_from = (updated_at AT TIME ZONE 'Europe/Stockholm')::date
    WHERE state IN ('installed', 'active');
-- +goose StatementBegin
CREATE FUNCTION camera_in_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IN ('installed', 'active') AND (TG_OP = 'INSERT' OR OLD.state NOT IN ('installed', 'active')) THEN
        NEW.in_service_from := coalesce(NEW.in_service_from, (now() AT TIME ZONE 'Europe/Stockholm')::date);
        NEW.in_service_to := NULL;
    ELSIF NEW.state = 'decommissioned' AND TG_OP = 'UPDATE' AND OLD.state IN ('installed', 'active') THEN
        NEW.in_service_to := (now() AT TIME ZONE 'Europe/Stockholm')::date;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER camera_in_service BEFORE INSERT OR UPDATE OF state ON camera_site FOR EACH ROW EXECUTE FUNCTION camera_in_service();

-- Links: the work names commitments of its own municipality (composite keys).
CREATE UNIQUE INDEX walk_id_municipality_key ON walk (id, municipality_code);
CREATE TABLE walk_commitment (
    walk_id           uuid NOT NULL,
    commitment_id     uuid NOT NULL,
    municipality_code text NOT NULL,
    PRIMARY KEY (walk_id, commitment_id),
    FOREIGN KEY (walk_id, municipality_code) REFERENCES walk (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX walk_commitment_commitment_idx ON walk_commitment (commitment_id);
ALTER TABLE walk_commitment ENABLE ROW LEVEL SECURITY;
CREATE POLICY walk_commitment_staff ON walk_commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON walk_commitment TO trygg_app;

CREATE UNIQUE INDEX dialogue_id_municipality_key ON dialogue (id, municipality_code);
CREATE TABLE dialogue_commitment (
    dialogue_id       uuid NOT NULL,
    commitment_id     uuid NOT NULL,
    municipality_code text NOT NULL,
    PRIMARY KEY (dialogue_id, commitment_id),
    FOREIGN KEY (dialogue_id, municipality_code) REFERENCES dialogue (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX dialogue_commitment_commitment_idx ON dialogue_commitment (commitment_id);
ALTER TABLE dialogue_commitment ENABLE ROW LEVEL SECURITY;
CREATE POLICY dialogue_commitment_staff ON dialogue_commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON dialogue_commitment TO trygg_app;

ALTER TABLE action ADD CONSTRAINT action_id_municipality_key UNIQUE (id, municipality_code);
CREATE TABLE action_commitment (
    action_id         uuid NOT NULL,
    commitment_id     uuid NOT NULL,
    municipality_code text NOT NULL,
    PRIMARY KEY (action_id, commitment_id),
    FOREIGN KEY (action_id, municipality_code) REFERENCES action (id, municipality_code) ON DELETE CASCADE,
    FOREIGN KEY (commitment_id, municipality_code) REFERENCES commitment (id, municipality_code) ON DELETE CASCADE
);
CREATE INDEX action_commitment_commitment_idx ON action_commitment (commitment_id);
ALTER TABLE action_commitment ENABLE ROW LEVEL SECURITY;
CREATE POLICY action_commitment_staff ON action_commitment USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON action_commitment TO trygg_app;

-- The work that counts toward each commitment within its promise's period, by now:
-- activities that have started (their count), walks marked done (their day: the
-- walk's start, else when marked done), dialogues held (held_on by today), camera
-- sites in service at any time within the period (installed or active), actions done
-- (done_at). Days are Swedish. commitment_work_all runs with its owner's rights and
-- only the two views below read it: the staff's commitment_work keeps the rows of the
-- caller's scope (the predicate of every policy on these tables; a link, its work and
-- its commitment share one municipality by their keys), and every row only for a role
-- that bypasses row-level security anyway (superuser or BYPASSRLS: operator tooling),
-- never by role name, so a login role that is a member of trygg_app is scoped too;
-- public_commitment_work those
-- of published promises, with public titles only.
CREATE VIEW commitment_work_all AS
WITH work AS (
    SELECT ac.commitment_id, 'activity'::text AS kind, a.id, (a.starts_at AT TIME ZONE 'Europe/Stockholm')::date AS on_date,
           NULL::date AS until_date, a.count, a.kind AS title, a.kind AS public_title, a.starts_at AS at
    FROM activity_commitment ac JOIN activity a ON a.id = ac.activity_id
    WHERE a.starts_at <= now()
    UNION ALL
    SELECT wc.commitment_id, 'walk', w.id, (coalesce(w.starts_at, w.done_at) AT TIME ZONE 'Europe/Stockholm')::date,
           NULL, 1, w.title, w.title, coalesce(w.starts_at, w.done_at)
    FROM walk_commitment wc JOIN walk w ON w.id = wc.walk_id
    WHERE w.status IN ('done', 'followed-up') AND coalesce(w.starts_at, w.done_at) <= now()
    UNION ALL
    SELECT dc.commitment_id, 'dialogue', d.id, d.held_on, NULL, 1, d.title, d.title, d.held_on::timestamp AT TIME ZONE 'Europe/Stockholm'
    FROM dialogue_commitment dc JOIN dialogue d ON d.id = dc.dialogue_id
    WHERE d.held_on <= (now() AT TIME ZONE 'Europe/Stockholm')::date
    UNION ALL
    SELECT cc.commitment_id, 'camera', cs.id, cs.in_service_from, cs.in_service_to, 1, cs.name, cs.name,
           cs.in_service_from::timestamp AT TIME ZONE 'Europe/Stockholm'
    FROM camera_commitment cc JOIN camera_site cs ON cs.id = cc.camera_id
    WHERE cs.in_service_from IS NOT NULL
    UNION ALL
    SELECT xc.commitment_id, 'action', x.id, (x.done_at AT TIME ZONE 'Europe/Stockholm')::date, NULL, 1, x.description,
           nullif(x.feedback, ''), x.done_at
    FROM action_commitment xc JOIN action x ON x.id = xc.action_id
    WHERE x.status = 'done' AND x.done_at IS NOT NULL
)
SELECT w.commitment_id, c.promise_id, c.municipality_code, w.kind, w.id, w.on_date, w.until_date, w.count,
       w.title, w.public_title, w.at
FROM work w
JOIN commitment c ON c.id = w.commitment_id
JOIN promise p ON p.id = c.promise_id
WHERE CASE WHEN w.kind = 'camera'
           THEN w.on_date <= p.period_end AND coalesce(w.until_date, p.period_end) >= p.period_start
           ELSE w.on_date BETWEEN p.period_start AND p.period_end END;

REVOKE ALL ON commitment_work_all FROM PUBLIC;

CREATE VIEW commitment_work AS
SELECT cw.commitment_id, cw.promise_id, cw.municipality_code, cw.kind, cw.id, cw.on_date, cw.until_date, cw.count,
       cw.title, cw.at
FROM commitment_work_all cw
WHERE cw.municipality_code = ANY ((SELECT trygg_scope())::text[])
   OR (SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user);

CREATE VIEW public_commitment_work AS
SELECT cw.commitment_id, cw.promise_id, cw.municipality_code, cw.kind, cw.id, cw.on_date, cw.until_date, cw.count,
       coalesce(cw.public_title, '') AS title, cw.at
FROM commitment_work_all cw JOIN promise p ON p.id = cw.promise_id
WHERE p.published;

GRANT SELECT ON commitment_work, public_commitment_work TO trygg_app;

-- The public sees what an activity counts for.
CREATE OR REPLACE VIEW public_activity AS
SELECT a.id, a.municipality_code, a.kind, a.party, a.starts_at, a.duration_minutes, a.geom, ac.commitment_id, a.count
FROM activity a
JOIN activity_commitment ac ON ac.activity_id = a.id
JOIN commitment c ON c.id = ac.commitment_id
JOIN promise p ON p.id = c.promise_id
WHERE p.published AND a.starts_at <= now();

-- The public sees why a commitment was marked done.
CREATE OR REPLACE VIEW public_commitment AS
SELECT c.id, c.promise_id, c.municipality_code, c.position, c.party, c.party_name, c.focus_area, c.activity_kind,
       c.text, c.target_count, c.done, c.outdoors_only, c.created_at, c.updated_at, c.done_reason
FROM commitment c JOIN promise p ON p.id = c.promise_id WHERE p.published;

-- +goose Down
DROP VIEW public_activity;
CREATE VIEW public_activity AS
SELECT a.id, a.municipality_code, a.kind, a.party, a.starts_at, a.duration_minutes, a.geom, ac.commitment_id
FROM activity a
JOIN activity_commitment ac ON ac.activity_id = a.id
JOIN commitment c ON c.id = ac.commitment_id
JOIN promise p ON p.id = c.promise_id
WHERE p.published AND a.starts_at <= now();
GRANT SELECT ON public_activity TO trygg_app;
DROP VIEW public_commitment;
CREATE VIEW public_commitment AS
SELECT c.id, c.promise_id, c.municipality_code, c.position, c.party, c.party_name, c.focus_area, c.activity_kind,
       c.text, c.target_count, c.done, c.outdoors_only, c.created_at, c.updated_at
FROM commitment c JOIN promise p ON p.id = c.promise_id WHERE p.published;
GRANT SELECT ON public_commitment TO trygg_app;
DROP VIEW public_commitment_work;
DROP VIEW commitment_work;
DROP VIEW commitment_work_all;
DROP TABLE action_commitment;
ALTER TABLE action DROP CONSTRAINT action_id_municipality_key;
DROP TABLE dialogue_commitment;
DROP INDEX dialogue_id_municipality_key;
DROP TABLE walk_commitment;
DROP INDEX walk_id_municipality_key;
DROP TRIGGER camera_in_service ON camera_site;
DROP FUNCTION camera_in_service();
ALTER TABLE camera_site DROP COLUMN in_service_from, DROP COLUMN in_service_to;
DROP TRIGGER walk_done_at ON walk;
DROP FUNCTION walk_done_at();
ALTER TABLE walk DROP COLUMN done_at;
ALTER TABLE commitment DROP COLUMN done_reason;
ALTER TABLE commitment_place DROP COLUMN gazetteer_id;
ALTER TABLE activity DROP COLUMN count;
DELETE FROM activity WHERE kind = 'neighbourhood-watch';
UPDATE commitment SET activity_kind = 'other' WHERE activity_kind = 'neighbourhood-watch';
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check CHECK (kind IN ('foot-patrol', 'traffic-control',
    'vehicle-inspection', 'drug-intervention', 'school-visit', 'youth-centre-visit', 'safety-walk', 'dialogue-meeting',
    'camera-surveillance', 'lighting', 'information-campaign', 'concern-talk', 'meeting', 'other'));
ALTER TABLE commitment DROP CONSTRAINT commitment_activity_kind_check;
ALTER TABLE commitment ADD CONSTRAINT commitment_activity_kind_check CHECK (activity_kind IN ('foot-patrol',
    'traffic-control', 'vehicle-inspection', 'drug-intervention', 'school-visit', 'youth-centre-visit', 'safety-walk',
    'dialogue-meeting', 'camera-surveillance', 'lighting', 'information-campaign', 'concern-talk', 'meeting', 'other'));
