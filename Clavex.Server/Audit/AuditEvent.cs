namespace Clavex.Server.Audit;

/// <summary>One decision worth recording. Never a secret or a token: ids, codes of errors and reasons only.</summary>
public sealed record AuditEvent
{
    public long? OrganizationId { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Dotted names, e.g. <c>login.failed</c>, <c>token.issued</c>, <c>token.failed</c>.</summary>
    public required string EventType { get; init; }

    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public required string Outcome { get; init; }

    public string? ClientId { get; init; }

    public string? Subject { get; init; }

    public string? Ip { get; init; }

    public string? UserAgent { get; init; }

    public string? CorrelationId { get; init; }

    /// <summary>Small key/value details (error code, reason, grant type, scopes).</summary>
    public IReadOnlyDictionary<string, string?> Detail { get; init; } = new Dictionary<string, string?>();
}
