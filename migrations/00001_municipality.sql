-- +goose Up
-- Municipalities (kommuner) are the tenants of Trygg; police areas (lokalpolisområden)
-- serve one or more of them.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE municipality (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    boundary    geometry(MultiPolygon, 4326) NOT NULL
                CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX municipality_boundary_gix ON municipality USING gist (boundary);

CREATE TABLE police_area (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]+$'),
    name        text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    region      text NOT NULL CHECK (btrim(region) <> '')
);

CREATE TABLE police_area_municipality (
    police_area_id    text NOT NULL REFERENCES police_area (id) ON DELETE CASCADE,
    municipality_code text NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    PRIMARY KEY (police_area_id, municipality_code)
);
CREATE INDEX police_area_municipality_code_idx ON police_area_municipality (municipality_code);

-- The area a police area serves is the union of its municipalities.
CREATE VIEW police_area_boundary AS
SELECT pa.id, pa.name, pa.region,
       ST_Multi(ST_Union(m.boundary))::geometry(MultiPolygon, 4326) AS boundary
FROM police_area pa
JOIN police_area_municipality pam ON pam.police_area_id = pa.id
JOIN municipality m ON m.code = pam.municipality_code
GROUP BY pa.id, pa.name, pa.region;

-- +goose Down
DROP VIEW police_area_boundary;
DROP TABLE police_area_municipality;
DROP TABLE police_area;
DROP TABLE municipality;
