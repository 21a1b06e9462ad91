-- E-mail to the reporter (issue 19.1): a receipt, and a notice when the report is
-- published or rejected (with the reason), when an action is planned for it and when
-- the action is done (with its feedback), in the language the report was made in.
--
-- The outbox: every mail is a row of mail_outbox, written in the same transaction as
-- the change that causes it (the submission, the moderation, the action), so a change
-- that commits always has its mail and one rolled back has none. The row holds what
-- rendering needs (report, kind, language, the reason or feedback, for a receipt the
-- erasure token of the follow-up link until it is sent) but never the address: the
-- sender reads report_contact at send time, so erasure, retention and unsubscribing
-- remove it. Rows are written only when the session says mail is on
-- (trygg.mail = 'on', which postgis.Open sets when TRYGG_SMTP_URL is configured), and
-- only for a report with a contact e-mail that was not unsubscribed.
--
-- The sender (mail.Worker) takes one due row at a time with FOR UPDATE SKIP LOCKED
-- (mail_claim), sends it, and marks it sent (mail_sent) or to retry later
-- (mail_failed) in the transaction that holds the row's lock: a row is never sent by
-- two senders at once nor again after its mark commits. trygg_app has no rights on the
-- tables: everything goes through the SECURITY DEFINER functions below.

-- +goose Up
ALTER TABLE report ADD COLUMN lang text NOT NULL DEFAULT 'sv'
    CONSTRAINT report_lang_check CHECK (lang IN ('sv', 'en', 'ar', 'so', 'fi'));

CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id       uuid NOT NULL REFERENCES report (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('receipt', 'published', 'rejected', 'planned', 'done')),
    lang            text NOT NULL CHECK (lang IN ('sv', 'en', 'ar', 'so', 'fi')),
    body            text NOT NULL DEFAULT '' CHECK (length(body) <= 2000), -- the reason or the feedback
    erasure         text, -- a receipt's erasure token (the follow-up link), until it is sent
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    failed_at       timestamptz, -- given up: a permanent refusal, too many attempts, or no address any more
    CHECK (sent_at IS NULL OR failed_at IS NULL)
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_report_idx ON mail_outbox (report_id);
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY; -- no policy, no grant: functions only

-- A report's unsubscribe token, made with its first mail; unsubscribed_at once used.
CREATE TABLE mail_subscription (
    report_id       uuid PRIMARY KEY REFERENCES report (id) ON DELETE CASCADE,
    token           text NOT NULL UNIQUE,
    unsubscribed_at timestamptz
);
ALTER TABLE mail_subscription ENABLE ROW LEVEL SECURITY;

-- mail_enqueue queues a mail of kind for report p_id when mail is on and the report has
-- a contact e-mail not unsubscribed. Internal: the functions below call it.
-- +goose StatementBegin
CREATE FUNCTION mail_enqueue(p_id uuid, p_kind text, p_body text, p_erasure text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('trygg.mail', true), '') <> 'on' THEN
        RETURN false;
    END IF;
    INSERT INTO mail_outbox (report_id, kind, lang, body, erasure)
    SELECT r.id, p_kind, r.lang, left(coalesce(p_body, ''), 2000), p_erasure
    FROM report r JOIN report_contact c ON c.report_id = r.id
    WHERE r.id = p_id AND c.email IS NOT NULL AND r.source <> 'police-event'
      AND NOT EXISTS (SELECT 1 FROM mail_subscription s WHERE s.report_id = r.id AND s.unsubscribed_at IS NOT NULL);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO mail_subscription (report_id, token)
    VALUES (p_id, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))
    ON CONFLICT (report_id) DO NOTHING;
    RETURN true;
END
$$;
-- +goose StatementEnd

-- mail_report_submitted gives a report just submitted in this transaction its language
-- and queues its receipt, whose follow-up link carries the erasure token p_erasure (it
-- must be the report's). It does nothing for any other report (one made before this
-- transaction, or without that token), so trygg_app cannot use it to mail reporters.
-- +goose StatementBegin
CREATE FUNCTION mail_report_submitted(p_id uuid, p_lang text, p_erasure text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM report r WHERE r.id = p_id AND r.created_at = now()) THEN -- this transaction's
        RETURN false;
    END IF;
    IF coalesce(p_lang, 'sv') <> 'sv' THEN
        UPDATE report SET lang = p_lang WHERE id = p_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM report r WHERE r.id = p_id AND r.erasure_hash = sha256(convert_to(p_erasure, 'UTF8'))) THEN
        RETURN false;
    END IF;
    RETURN mail_enqueue(p_id, 'receipt', NULL, p_erasure);
END
$$;
-- +goose StatementEnd

-- mail_receipt_queued says whether a receipt was queued for report p_id, given its
-- erasure token: a replayed submission answers as the first did.
CREATE FUNCTION mail_receipt_queued(p_id uuid, p_erasure text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM mail_outbox o JOIN report r ON r.id = o.report_id
                   WHERE o.report_id = p_id AND o.kind = 'receipt'
                     AND r.erasure_hash = sha256(convert_to(p_erasure, 'UTF8')))
$$;

-- mail_report_moderated queues the notice of a report's new status, published or
-- rejected (with the reason), for staff who see the report (the caller's scope).
-- +goose StatementBegin
CREATE FUNCTION mail_report_moderated(p_id uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r report%ROWTYPE;
BEGIN
    SELECT * INTO r FROM report WHERE id = p_id AND trygg_sees(municipality_code);
    IF NOT FOUND OR r.status NOT IN ('published', 'rejected') THEN
        RETURN false;
    END IF;
    RETURN mail_enqueue(p_id, r.status, CASE WHEN r.status = 'rejected' THEN r.reject_reason END, NULL);
END
$$;
-- +goose StatementEnd

-- mail_action_changed queues the notice of an action on a report: planned (open or in
-- progress) or done (with the action's feedback, which is public), for staff who see
-- the action.
-- +goose StatementBegin
CREATE FUNCTION mail_action_changed(p_action uuid, p_kind text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a action%ROWTYPE;
BEGIN
    SELECT * INTO a FROM action WHERE id = p_action AND trygg_sees(municipality_code) AND report_id IS NOT NULL;
    IF NOT FOUND OR NOT ((p_kind = 'planned' AND a.status IN ('open', 'in_progress'))
                         OR (p_kind = 'done' AND a.status = 'done')) THEN
        RETURN false;
    END IF;
    RETURN mail_enqueue(a.report_id, p_kind, CASE WHEN p_kind = 'done' THEN a.feedback END, NULL);
END
$$;
-- +goose StatementEnd

-- mail_claim locks the next due mail, skipping those another sender holds, with what
-- rendering it needs: the address (NULL when it is gone), the unsubscribe token, the
-- municipality's name and the report's place label. The lock lasts until the caller's
-- transaction ends, which mail_sent or mail_failed does.
-- +goose StatementBegin
CREATE FUNCTION mail_claim()
RETURNS TABLE (id bigint, report_id uuid, kind text, lang text, body text, erasure text, attempts int,
               created_at timestamptz, email text, token text, municipality text, place_label text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH o AS (
        SELECT o.* FROM mail_outbox o
        WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= now()
        ORDER BY o.next_attempt_at, o.id LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    SELECT o.id, o.report_id, o.kind, o.lang, o.body, o.erasure, o.attempts, o.created_at,
           c.email, s.token, m.name, r.place_label
    FROM o JOIN report r ON r.id = o.report_id
    JOIN municipality m ON m.code = r.municipality_code
    LEFT JOIN report_contact c ON c.report_id = o.report_id
    LEFT JOIN mail_subscription s ON s.report_id = o.report_id AND s.unsubscribed_at IS NULL
$$;
-- +goose StatementEnd

-- mail_sent marks a claimed mail sent and forgets its erasure token.
CREATE FUNCTION mail_sent(p_id bigint) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, erasure = NULL, last_error = NULL
               WHERE id = p_id AND sent_at IS NULL AND failed_at IS NULL RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

-- mail_failed records a failed attempt: tried again after p_retry_in, or given up
-- (p_give_up, e.g. a permanent refusal or no address any more; its token is forgotten).
CREATE FUNCTION mail_failed(p_id bigint, p_error text, p_retry_in interval, p_give_up boolean) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH u AS (UPDATE mail_outbox SET attempts = attempts + 1, last_error = left(p_error, 1000),
                   next_attempt_at = now() + p_retry_in,
                   failed_at = CASE WHEN p_give_up THEN now() END,
                   erasure = CASE WHEN p_give_up THEN NULL ELSE erasure END
               WHERE id = p_id AND sent_at IS NULL AND failed_at IS NULL RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM u)
$$;

-- mail_pending counts mails waiting to be sent (due or not), for the metrics; and
-- deletes sent and given-up rows older than p_keep.
-- +goose StatementBegin
CREATE FUNCTION mail_pending(p_keep interval) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM mail_outbox WHERE (sent_at < now() - p_keep) OR (failed_at < now() - p_keep);
    RETURN (SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL);
END
$$;
-- +goose StatementEnd

-- mail_unsubscribe finds the report of an unsubscribe token and, with p_apply, stops its
-- mails: the subscription is marked, unsent mails are deleted and the contact e-mail
-- goes (the contact row too when it had no phone number). It returns the report's
-- language and whether it was already unsubscribed; no row for an unknown token.
-- +goose StatementBegin
CREATE FUNCTION mail_unsubscribe(p_token text, p_apply boolean)
RETURNS TABLE (lang text, already boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s mail_subscription%ROWTYPE;
BEGIN
    SELECT * INTO s FROM mail_subscription WHERE token = p_token FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_apply AND s.unsubscribed_at IS NULL THEN
        UPDATE mail_subscription SET unsubscribed_at = now() WHERE report_id = s.report_id;
        DELETE FROM mail_outbox WHERE report_id = s.report_id AND sent_at IS NULL AND failed_at IS NULL;
        DELETE FROM report_contact WHERE report_id = s.report_id AND phone IS NULL;
        UPDATE report_contact SET email = NULL WHERE report_id = s.report_id;
    END IF;
    RETURN QUERY SELECT r.lang, s.unsubscribed_at IS NOT NULL FROM report r WHERE r.id = s.report_id;
END
$$;
-- +goose StatementEnd

REVOKE ALL ON FUNCTION mail_enqueue(uuid, text, text, text), mail_report_submitted(uuid, text, text), mail_receipt_queued(uuid, text),
    mail_report_moderated(uuid), mail_action_changed(uuid, text), mail_claim(), mail_sent(bigint),
    mail_failed(bigint, text, interval, boolean), mail_pending(interval), mail_unsubscribe(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_report_submitted(uuid, text, text), mail_receipt_queued(uuid, text),
    mail_report_moderated(uuid), mail_action_changed(uuid, text), mail_claim(), mail_sent(bigint),
    mail_failed(bigint, text, interval, boolean), mail_pending(interval), mail_unsubscribe(text, boolean) TO trygg_app;

-- +goose Down
DROP FUNCTION mail_unsubscribe(text, boolean);
DROP FUNCTION mail_pending(interval);
DROP FUNCTION mail_failed(bigint, text, interval, boolean);
DROP FUNCTION mail_sent(bigint);
DROP FUNCTION mail_claim();
DROP FUNCTION mail_action_changed(uuid, text);
DROP FUNCTION mail_report_moderated(uuid);
DROP FUNCTION mail_receipt_queued(uuid, text);
DROP FUNCTION mail_report_submitted(uuid, text, text);
DROP FUNCTION mail_enqueue(uuid, text, text, text);
DROP TABLE mail_subscription;
DROP TABLE mail_outbox;
ALTER TABLE report DROP COLUMN lang;
