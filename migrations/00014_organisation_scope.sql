-- +goose Up
-- Users and API tokens are managed within one organisation. Before, an admin whose
-- municipalities covered a user's organisation could see that user and mint tokens for
-- them (a police area's admin serves every municipality of the area, so it could act as
-- any of their kommun's moderators). Now each transaction also carries the caller's
-- organisation (trygg.organisation_id, set by the store beside trygg.municipalities), and
-- a user is visible, and its tokens manageable, only within the caller's organisation.

-- trygg_org is the caller's organisation, or NULL for the public.
CREATE FUNCTION trygg_org() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('trygg.organisation_id', true), '')
$$;

DROP POLICY app_user_scope ON app_user;
CREATE POLICY app_user_scope ON app_user
    USING (id = trygg_user_id() OR organisation_id = trygg_org());

-- trygg_manages reports whether the caller may manage the user: same organisation.
CREATE OR REPLACE FUNCTION trygg_manages(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT u.organisation_id = trygg_org() FROM app_user u WHERE u.id = p_user), false)
$$;

-- +goose Down
CREATE OR REPLACE FUNCTION trygg_manages(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(om.municipality_code), '{}') <@ coalesce(trygg_scope(), '{}')
    FROM app_user u JOIN organisation_municipality om ON om.organisation_id = u.organisation_id
    WHERE u.id = p_user
$$;
DROP POLICY app_user_scope ON app_user;
CREATE POLICY app_user_scope ON app_user
    USING (id = trygg_user_id() OR EXISTS (
        SELECT 1 FROM organisation_municipality om
        WHERE om.organisation_id = app_user.organisation_id AND trygg_sees(om.municipality_code)));
DROP FUNCTION trygg_org();
