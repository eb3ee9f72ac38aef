-- OIDC Dynamic Client Registration §2 id_token_signed_response_alg: a client may pin the one algorithm its relying
-- party accepts for ID tokens (Atlassian's built-in SSO expects RS256). Null: not pinned, the organisation's algorithm.
-- The admin API only accepts a pin equal to the organisation's signing_algorithm and refuses to change the
-- organisation's algorithm away from any pin, so the organisation's keys always have the pinned algorithm.

ALTER TABLE clients
    ADD COLUMN id_token_signed_response_alg text
        CONSTRAINT clients_id_token_signed_response_alg_known CHECK (id_token_signed_response_alg IN ('RS256', 'PS256', 'ES256'));
