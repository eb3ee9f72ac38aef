-- The abuse limits an organisation's admins changed from the defaults (rate limits of the token, userinfo and admin
-- endpoints, the sign-in failure throttle), as a JSON object of the changed members only: a limit added later needs no
-- migration, and a default changed in a release reaches every organisation that kept it. The server validates the
-- members; the check here only keeps the column an object.
ALTER TABLE organizations
    ADD COLUMN request_limits jsonb NOT NULL DEFAULT '{}',
    ADD CONSTRAINT organizations_request_limits_object CHECK (jsonb_typeof(request_limits) = 'object');
