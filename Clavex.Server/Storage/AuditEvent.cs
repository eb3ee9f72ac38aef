namespace Clavex.Server.Storage;

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

    /// <summary>
    /// Details whose values are JSON documents (an admin change's <c>before</c> and <c>after</c>), stored nested in
    /// the event's JSON rather than as strings, so they read as objects and can be queried with <c>detail-&gt;'after'</c>.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> JsonDetail { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>The <c>detail</c> column: <see cref="Detail"/> and <see cref="JsonDetail"/> as one JSON object.</summary>
    public string DetailJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach ((string key, string? value) in Detail)
            {
                writer.WriteString(key, value);
            }

            foreach ((string key, byte[] json) in JsonDetail)
            {
                writer.WritePropertyName(key);
                writer.WriteRawValue(json);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
