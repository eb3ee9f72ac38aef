-- Account lockout (issue 6): consecutive wrong passwords since the last successful sign-in, and the end of the
-- temporary lock they led to. Both change in one UPDATE per sign-in attempt, so concurrent attempts cannot lose a
-- count or lift a lock.
ALTER TABLE users
    ADD COLUMN failed_login_count int NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    ADD COLUMN locked_until       timestamptz;

-- Optimistic concurrency of the admin API (issue 6): every admin change to a row bumps its version, the strong
-- ETag of the row's representation; a conditional change is UPDATE … WHERE version = @Expected.
ALTER TABLE organizations ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE clients       ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE users         ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE groups        ADD COLUMN version bigint NOT NULL DEFAULT 1;
