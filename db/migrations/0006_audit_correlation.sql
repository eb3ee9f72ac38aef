-- The audit-event query by correlation id: an operator holding the X-Correlation-Id of a failed request (or the
-- "Reference" of an error page) finds that request's events with one index read, newest first like every page.

CREATE INDEX audit_events_organization_correlation_time ON audit_events (organization_id, correlation_id, occurred_at DESC, id DESC)
    WHERE correlation_id IS NOT NULL;
