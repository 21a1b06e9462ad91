-- +goose Up
-- Erasure is total: when a resident erases a report with its erasure token, the report,
-- its status history (notes), contact data, confirmations and idempotency records go
-- (ON DELETE CASCADE), and the audit log's copies of its text (the before/after of
-- moderation entries: public text, reject reason) are redacted in the same transaction.
--
-- The audit log stays append-only for everything else. trygg_app has no UPDATE or
-- DELETE on it; the owner's DELETE and TRUNCATE are refused, and so is an UPDATE unless
-- the transaction-local setting trygg.audit_redaction names the entity of every row it
-- changes ('report:<id>') and it changes nothing but before and after. Only
-- audit_log_redact_report sets it, and only erase_report (which checks the erasure
-- token and deletes the report first) calls it: trygg_app may not execute it itself.

-- audit_redact_jsonb replaces every non-empty string in j with "[raderad]" except those of
-- the keys in keep (codes such as status and category), in nested objects and arrays too.
-- +goose StatementBegin
CREATE FUNCTION audit_redact_jsonb(j jsonb, keep text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN CASE jsonb_typeof(j)
        WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(e.key,
                CASE WHEN e.key = ANY (keep) AND jsonb_typeof(e.value) NOT IN ('object', 'array') THEN e.value
                     ELSE audit_redact_jsonb(e.value, keep) END), '{}'::jsonb)
            FROM jsonb_each(j) AS e)
        WHEN 'array' THEN (SELECT coalesce(jsonb_agg(audit_redact_jsonb(e.value, keep) ORDER BY e.i), '[]'::jsonb)
            FROM jsonb_array_elements(j) WITH ORDINALITY AS e(value, i))
        WHEN 'string' THEN CASE WHEN j = '""'::jsonb THEN j ELSE to_jsonb('[raderad]'::text) END
        ELSE j END;
END
$$;
-- +goose StatementEnd

-- audit_log_append_only refuses DELETE and TRUNCATE, and an UPDATE statement outside a
-- redaction (audit_log_redact_report); audit_log_redaction checks each row of one.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND coalesce(current_setting('trygg.audit_redaction', true), '') <> '' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_log_redaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('trygg.audit_redaction', true), '') <> OLD.entity || ':' || OLD.entity_id
       OR (NEW.id, NEW.at, NEW.actor_id, NEW.actor, NEW.action, NEW.entity, NEW.entity_id, NEW.municipalities)
          IS DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor, OLD.action, OLD.entity, OLD.entity_id, OLD.municipalities) THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_redaction BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_redaction();

-- audit_log_redact_report redacts the audit log's copies of an erased report's text.
-- The report must be gone (erase_report deletes it first, in the same transaction).
-- +goose StatementBegin
CREATE FUNCTION audit_log_redact_report(p_id uuid) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM report WHERE id = p_id) THEN
        RAISE EXCEPTION 'report % is not erased', p_id;
    END IF;
    PERFORM set_config('trygg.audit_redaction', 'report:' || p_id, true);
    UPDATE audit_log SET before = audit_redact_jsonb(before, ARRAY['status', 'category']),
                         after = audit_redact_jsonb(after, ARRAY['status', 'category'])
    WHERE entity = 'report' AND entity_id = p_id::text;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('trygg.audit_redaction', '', true);
    RETURN n;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION audit_log_redact_report(uuid), audit_redact_jsonb(jsonb, text[]) FROM PUBLIC;

-- erase_report deletes a report and everything personal about it, given the hash of
-- the erasure token handed out at submission, and redacts the audit log's copies of
-- its text. It returns whether one was erased.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION erase_report(p_id uuid, p_erasure_hash bytea) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM report WHERE id = p_id AND erasure_hash = p_erasure_hash;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM audit_log_redact_report(p_id);
    RETURN true;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION erase_report(p_id uuid, p_erasure_hash bytea) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM report WHERE id = p_id AND erasure_hash = p_erasure_hash;
    RETURN FOUND;
END
$$;
-- +goose StatementEnd
DROP FUNCTION audit_log_redact_report(uuid);
DROP TRIGGER audit_log_redaction ON audit_log;
DROP FUNCTION audit_log_redaction();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
-- +goose StatementEnd
DROP FUNCTION audit_redact_jsonb(jsonb, text[]);
