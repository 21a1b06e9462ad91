-- +goose Up
-- A municipality's own windows of the local risk dates (trygg.LocalRiskKeys:
-- skolavslutning, studentdagar, påsklov) per year; a year without one takes
-- trygg.DefaultLocalDates. The calendar is public, so the public reads them through a
-- view; the municipality's staff write them under row-level security.
CREATE TABLE risk_date_local (
    municipality_code text NOT NULL REFERENCES municipality (code) ON DELETE CASCADE,
    year      int  NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    key       text NOT NULL CHECK (key IN ('skolavslutning', 'student', 'pasklov')),
    starts_on date NOT NULL,
    ends_on   date NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_code, year, key),
    CONSTRAINT risk_date_local_window CHECK (ends_on >= starts_on AND ends_on - starts_on <= 31
        AND extract(year FROM starts_on) = year AND extract(year FROM ends_on) = year)
);
ALTER TABLE risk_date_local ENABLE ROW LEVEL SECURITY;
CREATE POLICY risk_date_local_staff ON risk_date_local USING (municipality_code = ANY ((SELECT trygg_scope())::text[]))
    WITH CHECK (municipality_code = ANY ((SELECT trygg_scope())::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON risk_date_local TO trygg_app;

-- The public's view (with its owner's rights, like public_promise): dates, nothing else.
CREATE VIEW public_risk_date_local AS
SELECT municipality_code, year, key, starts_on, ends_on FROM risk_date_local;
GRANT SELECT ON public_risk_date_local TO trygg_app;

-- +goose Down
DROP VIEW public_risk_date_local;
DROP TABLE risk_date_local;
