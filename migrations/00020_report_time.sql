-- The time of a report (issue 16): what a report says about when its place is unsafe,
-- as hour × weekday slots of a week in Swedish time (slot = (ISO weekday − 1)·24 + hour,
-- 0–167). A report with observed_at occupies its one slot; a report with only times
-- (the times of day and kinds of day people named) spreads over their product: night
-- is 22–06, evening 18–22, day 06–18 of every weekday (or of the kinds of day named:
-- weekday Monday–Friday, weekend Saturday–Sunday), a kind of day alone is all its 24
-- hours; a report with neither has no time (no slot). created_at is never a time of day.
--
-- Named slots are always a product of hours and weekdays, and an observed slot is one
-- hour of one weekday, so a report's time is two masks: report_hours (bit h: hour h)
-- and report_days (bit d − 1: ISO weekday d); report_slots lists the slots. The
-- analyses' hour and day filters are masks too: a report counts with the share of its
-- slots inside them (bit_count of the masks' intersections).

-- +goose Up
-- time_hours: the hours (bit h) of the times of day named in times; 0 when none is named.
CREATE FUNCTION time_hours(times text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN 'day' = ANY(times) THEN 262080 ELSE 0 END)           -- 06–18: bits 6–17
         | (CASE WHEN 'evening' = ANY(times) THEN 3932160 ELSE 0 END)      -- 18–22: bits 18–21
         | (CASE WHEN 'night' = ANY(times) THEN 12582975 ELSE 0 END)       -- 22–06: bits 22, 23, 0–5
$$;

-- time_days: the weekdays (bit d − 1 for ISO weekday d) of the kinds of day named in
-- times; 0 when none is named.
CREATE FUNCTION time_days(times text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE WHEN 'weekday' = ANY(times) THEN 31 ELSE 0 END)           -- Monday–Friday
         | (CASE WHEN 'weekend' = ANY(times) THEN 96 ELSE 0 END)           -- Saturday, Sunday
$$;

-- report_hours: the hours of a report's slots: its observed hour (Swedish time), else
-- the hours of its named times of day (all 24 when it named only kinds of day); 0 when
-- it has no time.
CREATE FUNCTION report_hours(observed_at timestamptz, times text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN observed_at IS NOT NULL THEN 1 << extract(hour FROM observed_at AT TIME ZONE 'Europe/Stockholm')::int
        WHEN times IS NULL OR cardinality(times) = 0 THEN 0
        WHEN time_hours(times) = 0 THEN 16777215
        ELSE time_hours(times) END
$$;

-- report_days: the weekdays of a report's slots: its observed ISO weekday (Swedish
-- time), else its named kinds of day (all 7 when it named only times of day); 0 when
-- it has no time.
CREATE FUNCTION report_days(observed_at timestamptz, times text[]) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN observed_at IS NOT NULL THEN 1 << (extract(isodow FROM observed_at AT TIME ZONE 'Europe/Stockholm')::int - 1)
        WHEN times IS NULL OR cardinality(times) = 0 THEN 0
        WHEN time_days(times) = 0 THEN 127
        ELSE time_days(times) END
$$;

-- mask_slots: the slots (ascending) of the product of an hour mask and a day mask.
CREATE FUNCTION mask_slots(hours int, days int) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(s::smallint ORDER BY s), '{}')
    FROM generate_series(0, 167) s
    WHERE (hours >> (s % 24)) & 1 = 1 AND (days >> (s / 24)) & 1 = 1
$$;

-- report_slots: a report's slots, ascending: one for an observed report, the product
-- of its named hours and days otherwise, none without a time.
CREATE FUNCTION report_slots(observed_at timestamptz, times text[]) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT mask_slots(report_hours(observed_at, times), report_days(observed_at, times))
$$;

-- time_share: the share of the slots of hour mask hours × day mask days that lie in
-- the allowed hours × allowed days (NULL: all); 0 for a report without a time.
CREATE FUNCTION time_share(hours int, days int, allowed_hours int, allowed_days int) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN hours = 0 OR days = 0 THEN 0::float8 ELSE
        bit_count((hours & coalesce(allowed_hours, 16777215))::bit(24))::float8 / bit_count(hours::bit(24))
        * bit_count((days & coalesce(allowed_days, 127))::bit(7))::float8 / bit_count(days::bit(7)) END
$$;

-- time_matches: whether a report matches a when filter: it named one of the filter's
-- times, or its observed slot lies in one of them (an observed hour in a named time of
-- day, or an observed weekday in a named kind of day).
CREATE FUNCTION time_matches(observed_at timestamptz, times text[], filter text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT times && filter OR (observed_at IS NOT NULL AND (
        report_hours(observed_at, '{}') & time_hours(filter) <> 0 OR report_days(observed_at, '{}') & time_days(filter) <> 0))
$$;

-- The reports without a time, counted beside every analysis (HotspotUnknownTime): few,
-- so the count reads this index instead of every report.
CREATE INDEX report_unknown_time_idx ON report (municipality_code) WHERE observed_at IS NULL AND times = '{}'::text[];

-- +goose Down
DROP INDEX report_unknown_time_idx;
DROP FUNCTION time_matches(timestamptz, text[], text[]);
DROP FUNCTION time_share(int, int, int, int);
DROP FUNCTION report_slots(timestamptz, text[]);
DROP FUNCTION mask_slots(int, int);
DROP FUNCTION report_days(timestamptz, text[]);
DROP FUNCTION report_hours(timestamptz, text[]);
DROP FUNCTION time_days(text[]);
DROP FUNCTION time_hours(text[]);
