-- Police events per municipality (the police-events tile layer counts them per
-- municipality in every tile): a partial index, so a low-zoom tile over a million
-- resident reports does not scan them all once per municipality.

-- +goose Up
CREATE INDEX report_police_event_idx ON report (municipality_code, (coalesce(observed_at, created_at)))
    WHERE source = 'police-event';

-- +goose Down
DROP INDEX report_police_event_idx;
