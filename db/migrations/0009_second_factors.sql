-- Second factors: TOTP authenticators and recovery codes per user, the organisation's MFA policy, a client's own
-- requirement, and sessions that have passed the password but not yet the second factor.

-- optional: users who enrolled a factor are asked for it; required: everyone; required_for_groups: members of
-- mfa_groups. A user who must enrol and has no factor is taken through enrolment at sign-in until the grace period
-- after mfa_required_since (when the policy last became stricter), their creation, or an admin's MFA reset ends.
ALTER TABLE organizations
    ADD COLUMN mfa_policy text NOT NULL DEFAULT 'optional'
        CONSTRAINT organizations_mfa_policy_known CHECK (mfa_policy IN ('optional', 'required', 'required_for_groups')),
    ADD COLUMN mfa_groups text[] NOT NULL DEFAULT '{}',
    ADD COLUMN mfa_grace_period_seconds int NOT NULL DEFAULT 604800
        CONSTRAINT organizations_mfa_grace_period_range CHECK (mfa_grace_period_seconds BETWEEN 0 AND 7776000),
    ADD COLUMN mfa_required_since timestamptz,
    -- NIST SP 800-63B: at least 8; checked whenever a password is set, never against stored ones.
    ADD COLUMN password_min_length int NOT NULL DEFAULT 12
        CONSTRAINT organizations_password_min_length_range CHECK (password_min_length BETWEEN 8 AND 64);

ALTER TABLE clients
    ADD COLUMN require_mfa boolean NOT NULL DEFAULT false,
    ADD COLUMN default_acr_values text[] NOT NULL DEFAULT '{}';

-- Wrong second-factor codes are counted apart from wrong passwords, so a right password (which clears its own count)
-- does not also clear the guesses at the code; both lead to the same locked_until, and an admin unlock clears both.
ALTER TABLE users
    ADD COLUMN mfa_reset_at timestamptz,
    ADD COLUMN failed_second_factor_count int NOT NULL DEFAULT 0;

ALTER TABLE sessions
    ADD COLUMN second_factor_pending boolean NOT NULL DEFAULT false;

-- One authenticator app per user. confirmed_at null: enrolment begun, the first code not yet given. The secret is
-- sealed with the master key (AES-256-GCM, bound to the organisation and subject). last_used_step makes every code
-- usable once: a code is accepted only for a time step after the last accepted one.
CREATE TABLE user_totp (
    organization_id bigint      NOT NULL,
    subject         text        NOT NULL,
    secret_sealed   bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    confirmed_at    timestamptz,
    last_used_step  bigint      NOT NULL DEFAULT 0,
    last_used_at    timestamptz,
    PRIMARY KEY (organization_id, subject),
    FOREIGN KEY (organization_id, subject) REFERENCES users (organization_id, subject) ON DELETE CASCADE ON UPDATE CASCADE
);

-- Ten one-time codes per user, stored as SHA-256 (random, high-entropy values); a used code keeps its row.
CREATE TABLE user_recovery_codes (
    organization_id bigint      NOT NULL,
    subject         text        NOT NULL,
    code_hash       bytea       NOT NULL,
    created_at      timestamptz NOT NULL,
    used_at         timestamptz,
    PRIMARY KEY (organization_id, subject, code_hash),
    FOREIGN KEY (organization_id, subject) REFERENCES users (organization_id, subject) ON DELETE CASCADE ON UPDATE CASCADE
);
