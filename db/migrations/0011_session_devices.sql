-- What the account page shows about each of a user's sessions: the browser and address it was started from, and when
-- it was last seen (its start, a later sign-in step, or a visit to the account page).
ALTER TABLE sessions
    ADD COLUMN user_agent   text,
    ADD COLUMN client_ip    text,
    ADD COLUMN last_seen_at timestamptz;
