-- Issue 16, the soak: under sustained load (about 800 events a second on one core shared with PostgreSQL) the
-- audit writer fell behind and its queue filled. Every event maintained eight b-trees; two are replaced by cheaper
-- ones, and nothing that reads them gets slower.
--
-- occurred_at only serves the retention purge, which deletes the oldest events: the column grows with the table,
-- so a BRIN index (a few pages, updated once per block range) finds them as well as a b-tree did.
DROP INDEX audit_events_occurred_at;
CREATE INDEX audit_events_occurred_at ON audit_events USING brin (occurred_at);

-- The outcome filter is there to find failures ("why did this sign-in fail"): a partial index on them alone, which
-- the successes (most events) never touch. outcome=success pages are read from audit_events_organization_time,
-- where nearly every row matches.
DROP INDEX audit_events_organization_outcome_time;
CREATE INDEX audit_events_organization_failures_time ON audit_events (organization_id, occurred_at DESC, id DESC)
    WHERE outcome = 'failure';
