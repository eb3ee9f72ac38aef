-- A previous signing key stays published for one day after it stops signing (KeyRotation.RetirementDelay), so no
-- token it signed may live longer: access and ID token lifetimes are capped at 86,400 seconds here as well as in the
-- admin API and the client store, so that not even an UPDATE by hand can break the retirement guarantee.
--
-- NOT VALID: rows written before this migration are not re-checked (the admin API never accepted more than a day),
-- so an upgrade cannot fail on them; every insert and update from now on is checked.

ALTER TABLE clients
    ADD CONSTRAINT clients_signed_token_lifetimes_at_most_a_day
    CHECK (access_token_lifetime_seconds <= 86400 AND id_token_lifetime_seconds <= 86400) NOT VALID;
