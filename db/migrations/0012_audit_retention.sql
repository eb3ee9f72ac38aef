-- The audit retention purge deletes the oldest events of every organisation (and the organisation-less ones) by
-- occurred_at; without this index it would scan the table.
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
