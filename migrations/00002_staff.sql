-- +goose Up
-- Staff: organisations, users, sessions, API tokens, sign-in failures and the audit log,
-- and the database role the server connects as.
--
-- Isolation: the server connects as trygg_app, which owns nothing and cannot bypass
-- row-level security. Each transaction sets trygg.municipalities (comma-separated SCB
-- codes the caller serves) and trygg.user_id; policies read them through trygg_sees().
-- Sign-in and session checks, which must find a user before any scope exists, go through
-- SECURITY DEFINER functions that return only what authentication needs.

-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'trygg_app') THEN
        CREATE ROLE trygg_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    -- Roles belong to the cluster: a migration of another database made it just now.
    NULL;
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO trygg_app;
GRANT SELECT ON goose_db_version TO trygg_app;
GRANT SELECT ON municipality, police_area, police_area_municipality, police_area_boundary TO trygg_app;

-- trygg_scope returns the caller's municipalities, set per transaction by the store.
CREATE FUNCTION trygg_scope() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT string_to_array(nullif(current_setting('trygg.municipalities', true), ''), ',')
$$;

-- trygg_sees reports whether the caller serves the municipality with this code.
CREATE FUNCTION trygg_sees(code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(code = ANY (trygg_scope()), false)
$$;

-- trygg_user_id is the signed-in caller, or NULL.
CREATE FUNCTION trygg_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('trygg.user_id', true), '')::uuid
$$;

CREATE TABLE organisation (
    id                text PRIMARY KEY CHECK (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind              text NOT NULL CHECK (kind IN ('municipality', 'police_area')),
    name              text NOT NULL CHECK (btrim(name) <> ''),
    municipality_code text REFERENCES municipality (code),
    police_area_id    text REFERENCES police_area (id),
    CHECK ((kind = 'municipality') = (municipality_code IS NOT NULL)),
    CHECK ((kind = 'police_area') = (police_area_id IS NOT NULL))
);

-- The municipalities each organisation serves: its own, or every one of its police area.
CREATE VIEW organisation_municipality AS
SELECT o.id AS organisation_id, o.municipality_code
FROM organisation o WHERE o.kind = 'municipality'
UNION ALL
SELECT o.id, pam.municipality_code
FROM organisation o JOIN police_area_municipality pam ON pam.police_area_id = o.police_area_id
WHERE o.kind = 'police_area';

CREATE TABLE app_user (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL CHECK (email = lower(btrim(email)) AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role            text NOT NULL CHECK (role IN ('admin', 'planner', 'police', 'moderator')),
    organisation_id text NOT NULL REFERENCES organisation (id),
    demo            boolean NOT NULL DEFAULT false,
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (email)
);
CREATE INDEX app_user_organisation_idx ON app_user (organisation_id);

-- Users are visible to callers who serve a municipality their organisation serves.
ALTER TABLE app_user ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_user_scope ON app_user
    USING (id = trygg_user_id() OR EXISTS (
        SELECT 1 FROM organisation_municipality om
        WHERE om.organisation_id = app_user.organisation_id AND trygg_sees(om.municipality_code)));
GRANT SELECT, UPDATE ON app_user TO trygg_app;
GRANT SELECT ON organisation, organisation_municipality TO trygg_app;

-- trygg_manages reports whether the caller serves every municipality the user serves.
CREATE FUNCTION trygg_manages(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(om.municipality_code), '{}') <@ coalesce(trygg_scope(), '{}')
    FROM app_user u JOIN organisation_municipality om ON om.organisation_id = u.organisation_id
    WHERE u.id = p_user
$$;

CREATE TABLE session (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX session_user_idx ON session (user_id);
GRANT SELECT, INSERT, DELETE ON session TO trygg_app;

CREATE TABLE api_token (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_token_user_idx ON api_token (user_id);
-- Tokens are visible where their user is; they can be made or revoked only by callers
-- who serve every municipality the user serves (a token must not reach further than its
-- maker).
ALTER TABLE api_token ENABLE ROW LEVEL SECURITY;
CREATE POLICY api_token_read ON api_token FOR SELECT
    USING (EXISTS (SELECT 1 FROM app_user u WHERE u.id = api_token.user_id));
CREATE POLICY api_token_insert ON api_token FOR INSERT
    WITH CHECK (trygg_manages(user_id));
CREATE POLICY api_token_update ON api_token FOR UPDATE
    USING (trygg_manages(user_id)) WITH CHECK (trygg_manages(user_id));
GRANT SELECT, INSERT, UPDATE ON api_token TO trygg_app;

CREATE TABLE login_failure (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip    inet,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failure_email_idx ON login_failure (email, at);
CREATE INDEX login_failure_ip_idx ON login_failure (ip, at);
GRANT SELECT, INSERT, DELETE ON login_failure TO trygg_app;

-- Append-only record of every staff write.
CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       uuid,
    actor          text NOT NULL,
    action         text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    entity         text NOT NULL,
    entity_id      text NOT NULL,
    municipalities text[] NOT NULL DEFAULT '{}',
    before         jsonb,
    after          jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_municipalities_idx ON audit_log USING gin (municipalities);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING (municipalities && trygg_scope() OR (municipalities = '{}' AND actor_id = trygg_user_id()));
CREATE POLICY audit_log_write ON audit_log FOR INSERT
    WITH CHECK (actor_id IS NOT DISTINCT FROM trygg_user_id()
                AND (municipalities <@ coalesce(trygg_scope(), '{}') OR municipalities = '{}'));
GRANT SELECT, INSERT ON audit_log TO trygg_app;

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- auth_user finds a user by e-mail for sign-in, whatever the caller's scope.
CREATE FUNCTION auth_user(p_email text)
RETURNS TABLE (id uuid, password_hash text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.password_hash, u.disabled_at IS NOT NULL FROM app_user u WHERE u.email = lower(btrim(p_email))
$$;

-- auth_principal describes a user for a request: role, organisation and the
-- municipalities it serves.
CREATE FUNCTION auth_principal(p_user uuid)
RETURNS TABLE (id uuid, email text, role text, organisation_id text, organisation_name text,
               organisation_kind text, municipalities text[], demo boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.role, o.id, o.name, o.kind,
           coalesce((SELECT array_agg(om.municipality_code ORDER BY om.municipality_code)
                     FROM organisation_municipality om WHERE om.organisation_id = o.id), '{}'),
           u.demo
    FROM app_user u JOIN organisation o ON o.id = u.organisation_id
    WHERE u.id = p_user AND u.disabled_at IS NULL
$$;

-- auth_session checks a session token's hash: it must exist, be used within p_idle and
-- not be past its absolute expiry. It refreshes last_seen_at at most once a minute and
-- returns the user and the CSRF token.
-- +goose StatementBegin
CREATE FUNCTION auth_session(p_hash bytea, p_idle interval)
RETURNS TABLE (user_id uuid, csrf_token text, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    UPDATE session s SET last_seen_at = now()
    WHERE s.token_hash = p_hash AND s.last_seen_at > now() - p_idle AND s.expires_at > now()
      AND s.last_seen_at < now() - interval '1 minute'
    RETURNING s.user_id, s.csrf_token, s.expires_at;
    IF NOT FOUND THEN
        RETURN QUERY
        SELECT s.user_id, s.csrf_token, s.expires_at FROM session s
        WHERE s.token_hash = p_hash AND s.last_seen_at > now() - p_idle AND s.expires_at > now();
    END IF;
END
$$;
-- +goose StatementEnd

-- auth_token checks an API token's hash and records its use (at most once a minute).
CREATE FUNCTION auth_token(p_hash bytea)
RETURNS TABLE (token_id uuid, user_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH t AS (
        SELECT id, user_id, last_used_at FROM api_token
        WHERE token_hash = p_hash AND revoked_at IS NULL
    ), touch AS (
        UPDATE api_token a SET last_used_at = now() FROM t
        WHERE a.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
    )
    SELECT id, user_id FROM t
$$;

REVOKE ALL ON FUNCTION auth_user(text), auth_principal(uuid), auth_session(bytea, interval), auth_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_user(text), auth_principal(uuid), auth_session(bytea, interval), auth_token(bytea) TO trygg_app;

-- +goose Down
DROP FUNCTION auth_token(bytea);
DROP FUNCTION auth_session(bytea, interval);
DROP FUNCTION auth_principal(uuid);
DROP FUNCTION auth_user(text);
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE login_failure;
DROP TABLE api_token;
DROP TABLE session;
DROP TABLE app_user;
DROP VIEW organisation_municipality;
DROP TABLE organisation;
DROP FUNCTION trygg_manages(uuid);
DROP FUNCTION trygg_user_id();
DROP FUNCTION trygg_sees(text);
DROP FUNCTION trygg_scope();
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM trygg_app;
REVOKE USAGE ON SCHEMA public FROM trygg_app;
