-- The audit-event query of the admin API (GET /api/v1/organizations/{org}/audit-events): newest first, keyset
-- paged on (occurred_at, id), filtered by event type, subject, client or outcome within one organisation.
--
-- Each filter has an index that starts with organization_id and the filtered column and ends in the page order,
-- so a page is one index range read in order and stops after limit + 1 rows, however many events the
-- organisation has. event_type is indexed in the "C" collation so that a prefix (login.*) is a range of the same
-- index whatever the database's collation. The two indexes of 0002 lacked the id tiebreak and are replaced.

DROP INDEX audit_events_organization_time;
DROP INDEX audit_events_organization_type_time;

CREATE INDEX audit_events_organization_time ON audit_events (organization_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_organization_type_time ON audit_events (organization_id, (event_type COLLATE "C"), occurred_at DESC, id DESC);
CREATE INDEX audit_events_organization_subject_time ON audit_events (organization_id, subject, occurred_at DESC, id DESC)
    WHERE subject IS NOT NULL;
CREATE INDEX audit_events_organization_client_time ON audit_events (organization_id, client_id, occurred_at DESC, id DESC)
    WHERE client_id IS NOT NULL;
CREATE INDEX audit_events_organization_outcome_time ON audit_events (organization_id, outcome, occurred_at DESC, id DESC);
