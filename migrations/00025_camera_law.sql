-- +goose Up
-- Camera law by the day of operation (trygg.Camera.LawOn): before 2025-04-01 an IMY
-- permit was required of public authorities and of private operators performing a
-- public task, not of private property owners or shops; so the operator kinds say
-- which. The operating period (operated_from, the first day the camera filmed, and
-- operated_until, the day it was decommissioned) lets the attention list find filming
-- before 2025-04-01 without the permit it needed. An indoor camera linked to an
-- outdoors-only commitment is never public.

ALTER TABLE camera_site DROP CONSTRAINT camera_site_operator_kind_check;
ALTER TABLE camera_site ADD CONSTRAINT camera_site_operator_kind_check CHECK (operator_kind IN ('municipality',
    'public-authority', 'police', 'private-public-task', 'property-owner', 'shop', 'other'));

ALTER TABLE camera_site ADD COLUMN operated_from date, ADD COLUMN operated_until date,
    ADD CONSTRAINT camera_site_operated_check CHECK (operated_until IS NULL OR (operated_from IS NOT NULL AND operated_until >= operated_from));

-- Cameras that filmed already: from their first activation in the audit log.
UPDATE camera_site c SET operated_from = a.first
FROM (SELECT entity_id, min(coalesce(left(after ->> 'on', 10)::date, (at AT TIME ZONE 'Europe/Stockholm')::date)) AS first
      FROM audit_log WHERE entity = 'camera' AND action = 'camera.transition' AND after ->> 'state' = 'active'
      GROUP BY entity_id) a
WHERE a.entity_id = c.id::text AND c.operated_from IS NULL;
UPDATE camera_site c SET operated_until = greatest(c.operated_from, (c.updated_at AT TIME ZONE 'Europe/Stockholm')::date)
WHERE c.state = 'decommissioned' AND c.operated_from IS NOT NULL AND c.operated_until IS NULL;

CREATE OR REPLACE VIEW public_camera AS
SELECT c.id, c.municipality_code, c.name, c.position, CASE WHEN c.public_view THEN c.view END AS view,
       c.operator_kind, c.operator_name, c.place_type, c.purpose, c.state, c.indoor, c.audio,
       c.retention_days, c.updated_at
FROM camera_site c
WHERE c.state IN ('installed', 'active')
  AND NOT (c.indoor AND EXISTS (SELECT 1 FROM camera_commitment cc JOIN commitment cm ON cm.id = cc.commitment_id
                                WHERE cc.camera_id = c.id AND cm.outdoors_only));

-- +goose Down
CREATE OR REPLACE VIEW public_camera AS
SELECT c.id, c.municipality_code, c.name, c.position, CASE WHEN c.public_view THEN c.view END AS view,
       c.operator_kind, c.operator_name, c.place_type, c.purpose, c.state, c.indoor, c.audio,
       c.retention_days, c.updated_at
FROM camera_site c
WHERE c.state IN ('installed', 'active');
ALTER TABLE camera_site DROP COLUMN operated_until, DROP COLUMN operated_from;
ALTER TABLE camera_site DROP CONSTRAINT camera_site_operator_kind_check;
UPDATE camera_site SET operator_kind = CASE operator_kind WHEN 'public-authority' THEN 'municipality'
    WHEN 'private-public-task' THEN 'other' WHEN 'shop' THEN 'property-owner' ELSE operator_kind END;
ALTER TABLE camera_site ADD CONSTRAINT camera_site_operator_kind_check CHECK (operator_kind IN ('municipality', 'police',
    'property-owner', 'other'));
