-- Everything an organisation's issuer needs: clients, users and groups, sessions, codes, grants and refresh
-- tokens, consent, the replay cache, signing keys and the audit log.
--
-- Every row belongs to one organisation, and every key starts with organization_id: each lookup is scoped to
-- it, so the same client id, secret id or grant id in two organisations never meet. Bearer values (codes,
-- refresh tokens, session secrets, client secrets) are stored only as their SHA-256.

CREATE TABLE clients (
    organization_id                    bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id                          text        NOT NULL,
    client_name                        text,
    enabled                            boolean     NOT NULL DEFAULT true,
    token_endpoint_auth_method         text        NOT NULL
                                       CONSTRAINT clients_token_endpoint_auth_method_known
                                       CHECK (token_endpoint_auth_method IN
                                              ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
    redirect_uris                      text[]      NOT NULL DEFAULT '{}',
    post_logout_redirect_uris          text[]      NOT NULL DEFAULT '{}',
    grant_types                        text[]      NOT NULL,
    scopes                             text[]      NOT NULL,
    -- The client's public keys for private_key_jwt, as a JWK Set.
    jwks                               jsonb,
    -- RFC 8252 §7.3: native clients may use any port on a loopback redirect URI.
    application_type                   text        NOT NULL DEFAULT 'web'
                                       CONSTRAINT clients_application_type_known CHECK (application_type IN ('web', 'native')),
    require_pkce                       boolean     NOT NULL DEFAULT false,
    allow_plain_pkce                   boolean     NOT NULL DEFAULT false,
    require_consent                    boolean     NOT NULL DEFAULT false,
    always_issue_refresh_token         boolean     NOT NULL DEFAULT false,
    authorization_code_lifetime_seconds     int    NOT NULL CHECK (authorization_code_lifetime_seconds > 0),
    access_token_lifetime_seconds           int    NOT NULL CHECK (access_token_lifetime_seconds > 0),
    id_token_lifetime_seconds               int    NOT NULL CHECK (id_token_lifetime_seconds > 0),
    refresh_token_sliding_lifetime_seconds  int    NOT NULL CHECK (refresh_token_sliding_lifetime_seconds > 0),
    refresh_token_absolute_lifetime_seconds int    NOT NULL CHECK (refresh_token_absolute_lifetime_seconds > 0),
    claim_mapping                      jsonb       NOT NULL DEFAULT '{}',
    created_at                         timestamptz NOT NULL DEFAULT now(),
    updated_at                         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, client_id)
);

-- A secret's id is a label unique within its client ("s1", "s2" during a rotation), not globally.
CREATE TABLE client_secrets (
    organization_id bigint      NOT NULL,
    client_id       text        NOT NULL,
    id              text        NOT NULL,
    secret_hash     bytea       NOT NULL CHECK (octet_length(secret_hash) = 32),
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    last_used_at    timestamptz,
    PRIMARY KEY (organization_id, client_id, id),
    FOREIGN KEY (organization_id, client_id) REFERENCES clients (organization_id, client_id) ON DELETE CASCADE
);

-- The subject is assigned once and never reused; the username is what people type, so it is unique without
-- regard to case, and it may change.
CREATE TABLE users (
    id                    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id       bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    subject               text        NOT NULL,
    username              text        NOT NULL,
    enabled               boolean     NOT NULL DEFAULT true,
    password_hash         text,
    name                  text,
    given_name            text,
    family_name           text,
    middle_name           text,
    nickname              text,
    picture               text,
    website               text,
    locale                text,
    zoneinfo              text,
    email                 text,
    email_verified        boolean     NOT NULL DEFAULT false,
    phone_number          text,
    phone_number_verified boolean     NOT NULL DEFAULT false,
    -- OIDC Core §5.1.1, with the claim's member names.
    address               jsonb,
    attributes            jsonb       NOT NULL DEFAULT '{}',
    created_at            timestamptz NOT NULL DEFAULT now(),
    -- When the profile last changed: the updated_at claim (OIDC Core §5.1).
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_subject_unique UNIQUE (organization_id, subject),
    -- For the composite foreign key of group_members.
    UNIQUE (organization_id, id)
);

CREATE UNIQUE INDEX users_username_unique ON users (organization_id, lower(username));

CREATE TABLE groups (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT groups_name_unique UNIQUE (organization_id, name),
    UNIQUE (organization_id, id)
);

-- organization_id in both foreign keys: a user can only join a group of its own organisation.
CREATE TABLE group_members (
    organization_id bigint NOT NULL,
    group_id        bigint NOT NULL,
    user_id         bigint NOT NULL,
    PRIMARY KEY (group_id, user_id),
    FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id) ON DELETE CASCADE
);

CREATE INDEX group_members_user ON group_members (organization_id, user_id);

-- Found by the hash of the browser's secret, never by the public id (the sid claim).
CREATE TABLE sessions (
    organization_id bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    secret_hash     bytea       NOT NULL CHECK (octet_length(secret_hash) = 32),
    id              text        NOT NULL,
    subject         text        NOT NULL,
    auth_time       timestamptz NOT NULL,
    amr             text[]      NOT NULL DEFAULT '{}',
    acr             text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, secret_hash),
    CONSTRAINT sessions_id_unique UNIQUE (organization_id, id)
);

CREATE INDEX sessions_subject ON sessions (organization_id, subject);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE authorization_codes (
    organization_id       bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    code_hash             bytea       NOT NULL CHECK (octet_length(code_hash) = 32),
    grant_id              text        NOT NULL,
    client_id             text        NOT NULL,
    redirect_uri          text        NOT NULL,
    subject               text        NOT NULL,
    scopes                text[]      NOT NULL,
    nonce                 text,
    code_challenge        text,
    code_challenge_method text,
    auth_time             timestamptz NOT NULL,
    session_id            text,
    acr                   text,
    amr                   text[]      NOT NULL DEFAULT '{}',
    issued_at             timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    issue_refresh_token   boolean     NOT NULL,
    -- Set once, atomically; a redeemed code presented again is a replay (RFC 6749 §4.1.2).
    redeemed_at           timestamptz,
    PRIMARY KEY (organization_id, code_hash)
);

CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at);

-- A grant is the family of a code's refresh tokens; revoking it ends them and the access tokens issued under it.
CREATE TABLE grants (
    organization_id bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    grant_id        text        NOT NULL,
    client_id       text        NOT NULL,
    subject         text        NOT NULL,
    scopes          text[]      NOT NULL,
    auth_time       timestamptz NOT NULL,
    session_id      text,
    acr             text,
    amr             text[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    -- The absolute end of the grant's refresh tokens.
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    PRIMARY KEY (organization_id, grant_id)
);

CREATE INDEX grants_subject ON grants (organization_id, subject);
CREATE INDEX grants_expires_at ON grants (expires_at);
CREATE INDEX grants_revoked_at ON grants (revoked_at) WHERE revoked_at IS NOT NULL;

-- Every token a grant ever had stays until the grant goes, so a rotated token presented again is recognised
-- as reuse (RFC 9700 §4.14.2) rather than as unknown.
CREATE TABLE refresh_tokens (
    organization_id bigint      NOT NULL,
    token_hash      bytea       NOT NULL CHECK (octet_length(token_hash) = 32),
    grant_id        text        NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    rotated_at      timestamptz,
    PRIMARY KEY (organization_id, token_hash),
    FOREIGN KEY (organization_id, grant_id) REFERENCES grants (organization_id, grant_id) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_grant ON refresh_tokens (organization_id, grant_id);

CREATE TABLE consents (
    organization_id bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    subject         text        NOT NULL,
    client_id       text        NOT NULL,
    scopes          text[]      NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, subject, client_id)
);

-- Single-use values (client assertion jtis) remembered until they expire.
CREATE TABLE replay_cache (
    organization_id bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key             text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (organization_id, key)
);

CREATE INDEX replay_cache_expires_at ON replay_cache (expires_at);

-- A key is published while 'next' (so relying parties fetch it before it signs), signs while 'current', and
-- still verifies while 'previous'. The private key is PKCS#8 under AES-256-GCM with the master key; the
-- organisation id and kid are its associated data, so a ciphertext copied to another row fails to decrypt.
CREATE TABLE signing_keys (
    organization_id bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kid             text        NOT NULL,
    algorithm       text        NOT NULL
                    CONSTRAINT signing_keys_algorithm_known CHECK (algorithm IN ('RS256', 'PS256', 'ES256')),
    state           text        NOT NULL
                    CONSTRAINT signing_keys_state_known CHECK (state IN ('next', 'current', 'previous', 'retired')),
    public_jwk      jsonb       NOT NULL,
    private_key     bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    activated_at    timestamptz,
    retired_at      timestamptz,
    PRIMARY KEY (organization_id, kid)
);

CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (organization_id) WHERE state = 'current';

-- organization_id is null for events outside any organisation (e.g. an unknown issuer path).
CREATE TABLE audit_events (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint      REFERENCES organizations (id) ON DELETE CASCADE,
    occurred_at     timestamptz NOT NULL,
    event_type      text        NOT NULL,
    outcome         text        NOT NULL,
    client_id       text,
    subject         text,
    ip              inet,
    user_agent      text,
    correlation_id  text,
    detail          jsonb
);

CREATE INDEX audit_events_organization_time ON audit_events (organization_id, occurred_at DESC);
CREATE INDEX audit_events_organization_type_time ON audit_events (organization_id, event_type, occurred_at DESC);
