-- Passkeys (WebAuthn credentials) as a second factor and, where the organisation allows it, as the only one; the
-- kinds of factor an organisation allows.

-- mfa_factors: what users may enrol and use besides recovery codes. passwordless: the login page offers a passkey
-- button that signs in without a username or password (user verification required).
ALTER TABLE organizations
    ADD COLUMN mfa_factors text[] NOT NULL DEFAULT '{totp,passkey}'
        CONSTRAINT organizations_mfa_factors_known CHECK (mfa_factors <@ ARRAY['totp', 'passkey'] AND cardinality(mfa_factors) > 0),
    ADD COLUMN passwordless boolean NOT NULL DEFAULT false;

-- A credential belongs to one user of one organisation: the RP ID (the public host) is shared by every organisation,
-- so the same authenticator may hold credentials for several, each usable only where it was registered. The public
-- key is COSE (RFC 9052), as the authenticator gave it; it is not secret. user_handle is what the authenticator
-- returns in a username-less sign-in, checked against the row. sign_count only moves forward.
CREATE TABLE user_passkeys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint      NOT NULL,
    subject         text        NOT NULL,
    credential_id   bytea       NOT NULL,
    public_key      bytea       NOT NULL,
    user_handle     bytea       NOT NULL,
    sign_count      bigint      NOT NULL CONSTRAINT user_passkeys_sign_count_range CHECK (sign_count BETWEEN 0 AND 4294967295),
    backup_eligible boolean     NOT NULL,
    backed_up       boolean     NOT NULL,
    transports      text[]      NOT NULL DEFAULT '{}',
    aaguid          uuid        NOT NULL,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz,
    CONSTRAINT user_passkeys_credential_unique UNIQUE (organization_id, credential_id),
    FOREIGN KEY (organization_id, subject) REFERENCES users (organization_id, subject) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX user_passkeys_user ON user_passkeys (organization_id, subject);
