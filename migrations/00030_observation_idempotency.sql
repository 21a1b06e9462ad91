-- A walk leader's phone without coverage queues observations and sends them when the
-- connection returns, perhaps more than once (the first answer may have been lost), so
-- POST /api/v1/walks/{id}/observations takes an Idempotency-Key, as reports do
-- (migrations 3 and 17): the store claims the key in the observations' own transaction
-- (INSERT … ON CONFLICT DO NOTHING) before it writes them, with the ids it will give
-- them, so a second request with the key waits on the primary key for the first to
-- commit and then answers the first's ids; if the first rolled back the key is free.
-- A key belongs to one walk (the primary key is walk and key) and lives as long as the
-- walk: a phone may sync days later, and a walk has few requests. Staff see and write
-- the keys of the walks they see, by the walk's municipality, copied here.

-- +goose Up
CREATE TABLE observation_idempotency_key (
    walk_id           uuid NOT NULL REFERENCES walk (id) ON DELETE CASCADE,
    key               text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    municipality_code text NOT NULL REFERENCES municipality (code),
    request_hash      bytea NOT NULL,
    report_ids        uuid[] NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (walk_id, key)
);
ALTER TABLE observation_idempotency_key ENABLE ROW LEVEL SECURITY;
CREATE POLICY observation_idempotency_key_staff ON observation_idempotency_key
    USING (trygg_sees(municipality_code)) WITH CHECK (trygg_sees(municipality_code));
GRANT SELECT, INSERT ON observation_idempotency_key TO trygg_app;

-- +goose Down
DROP TABLE observation_idempotency_key;
