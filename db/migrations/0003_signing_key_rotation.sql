-- Signing-key lifecycle (issue 6). Each organisation chooses the algorithm of its keys and how often they rotate by
-- themselves; a key is published as 'next' before it signs, signs as 'current', verifies as 'previous' until every
-- token it signed has expired, and is then 'retired': unpublished, its private key wiped.

ALTER TABLE organizations
    ADD COLUMN signing_algorithm text NOT NULL DEFAULT 'RS256'
        CONSTRAINT organizations_signing_algorithm_known CHECK (signing_algorithm IN ('RS256', 'PS256', 'ES256')),
    -- Days between scheduled rotations, counted from when the current key began signing; null: no scheduled rotation.
    ADD COLUMN key_rotation_days int DEFAULT 90
        CONSTRAINT organizations_key_rotation_days_range CHECK (key_rotation_days BETWEEN 1 AND 3650);

ALTER TABLE signing_keys
    -- When a 'next' key starts signing: later than its publication by more than the JWKS cache lifetime.
    ADD COLUMN activates_at timestamptz,
    -- When a 'previous' key may leave the JWKS: when it stopped signing plus the longest token lifetime it signed.
    ADD COLUMN retire_after timestamptz,
    ALTER COLUMN private_key DROP NOT NULL;

-- No code wrote 'next' or 'previous' rows before this migration; any that exist get conservative dates.
UPDATE signing_keys SET activates_at = now() + interval '10 minutes' WHERE state = 'next' AND activates_at IS NULL;
UPDATE signing_keys SET retire_after = now() + interval '1 day' WHERE state = 'previous' AND retire_after IS NULL;

ALTER TABLE signing_keys
    ADD CONSTRAINT signing_keys_next_activates CHECK (state <> 'next' OR activates_at IS NOT NULL),
    ADD CONSTRAINT signing_keys_previous_retires CHECK (state <> 'previous' OR retire_after IS NOT NULL),
    -- Only a retired key may have lost its private key.
    ADD CONSTRAINT signing_keys_private_key_kept CHECK (state = 'retired' OR private_key IS NOT NULL);

-- One pending rotation per organisation at a time.
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (organization_id) WHERE state = 'next';

-- What the rotation sweep looks for every minute.
CREATE INDEX signing_keys_activates_at ON signing_keys (activates_at) WHERE state = 'next';
CREATE INDEX signing_keys_retire_after ON signing_keys (retire_after) WHERE state = 'previous';
