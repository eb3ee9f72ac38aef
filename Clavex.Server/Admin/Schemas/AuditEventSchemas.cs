namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations/{org}/audit-events for the OpenAPI document; AuditEventsApi writes the JSON itself.

/// <summary>One audit event; <c>detail</c> holds small string members such as error, reason, scope, actor.</summary>
public sealed record AuditEventResponse(
    long Id, DateTimeOffset OccurredAt, string EventType, string Outcome, string? ClientId, string? Subject, string? Ip,
    string? UserAgent, string? CorrelationId, IReadOnlyDictionary<string, string?> Detail);

/// <summary>A page of events, newest first; <c>next_cursor</c> is null on the last page.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEventResponse> Events, string? NextCursor);
