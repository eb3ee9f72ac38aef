using System.Buffers.Binary;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clavex.Core.Protocol;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.Mvc;

namespace Clavex.Server.Admin;

/// <summary>
/// <c>GET /api/v1/organizations/{org}/audit-events</c>: the organisation's audit log, newest first, filtered by
/// event type (exact or a <c>prefix.*</c>), user, client, outcome and time, in pages with an opaque cursor.
/// </summary>
public static partial class AuditEventsApi
{
    public const int DefaultPageSize = 50;

    public const int MaxPageSize = 500;

    // A cursor is (occurred_at in microseconds since 1970, id), both big-endian, as base64url: 16 bytes, 22 characters.
    private const int CursorBytes = 16;

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "event_type", "subject", "username", "client_id", "correlation_id", "outcome", "since", "until", "limit", "cursor",
    };

    public static RouteGroupBuilder MapAuditEventsApi(this RouteGroupBuilder organization)
    {
        organization.MapGet("/audit-events", ListAsync)
            .WithName("listAuditEvents").WithSummary("Query the organisation's audit events, newest first").WithTags("Audit events")
            .Produces<Schemas.AuditEventPage>().ProducesAdminError(400, 404);
        return organization;
    }

    private static async Task<IResult> ListAsync(HttpContext context, string org, [AsParameters] Query query, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        (AuditEventFilter? filter, int limit, AdminError? error) = Parse(context.Request.Query, query);
        if (filter is null)
        {
            return AdminResults.Error(error!);
        }

        if (query.Username is not null)
        {
            // The user's current subject; events keep the subject, which outlives a change of username.
            string? subject = await d.AuditEvents.FindSubjectAsync(organization.Id, query.Username, context.RequestAborted);
            if (subject is null)
            {
                return AdminResults.Error(Invalid(
                    $"username '{query.Username}' is not a user of organisation '{org}'. Failed sign-ins with a name that is no user are event_type=login.failed, with the name typed in detail.username."));
            }

            filter = filter with { Subject = subject };
        }

        // One more than the page, to know whether there is a next one without a count.
        IReadOnlyList<AuditEventRecord> events = await d.AuditEvents.ListAsync(organization.Id, filter, limit + 1, context.RequestAborted);
        int count = Math.Min(limit, events.Count);
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("events");
            for (int i = 0; i < count; i++)
            {
                WriteEvent(w, events[i]);
            }

            w.WriteEndArray();
            if (events.Count > limit)
            {
                w.WriteString("next_cursor", Cursor(events[count - 1]));
            }
            else
            {
                w.WriteNull("next_cursor");
            }
        });
    }

    /// <summary>The filter and page size of the query string, or the 400 naming the parameter that is wrong.</summary>
    internal static (AuditEventFilter? Filter, int Limit, AdminError? Error) Parse(IQueryCollection raw, Query query)
    {
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in raw)
        {
            if (!Known.Contains(name))
            {
                return Fail($"{name} is not a parameter of this endpoint; it takes {string.Join(", ", Known)}.");
            }

            if (values.Count > 1)
            {
                return Fail($"{name} is given {values.Count} times; give it once.");
            }
        }

        var filter = new AuditEventFilter();
        if (query.EventType is not null)
        {
            if (query.EventType.Length > 100 || !EventTypePattern().IsMatch(query.EventType))
            {
                return Fail("event_type must be an event type such as login.failed, or a prefix followed by .* such as login.*.");
            }

            filter = query.EventType.EndsWith(".*", StringComparison.Ordinal)
                ? filter with { EventTypePrefix = query.EventType[..^1] }
                : filter with { EventType = query.EventType };
        }

        if (query.Subject is not null && query.Username is not null)
        {
            return Fail("subject and username both name a user; give one of them.");
        }

        foreach ((string name, string? value) in new[] { ("subject", query.Subject), ("username", query.Username), ("client_id", query.ClientId), ("correlation_id", query.CorrelationId) })
        {
            if (value is not null && (value.Length is 0 or > 256 || value.Any(char.IsControl)))
            {
                return Fail($"{name} must be 1 to 256 characters without control characters.");
            }
        }

        filter = filter with { Subject = query.Subject, ClientId = query.ClientId, CorrelationId = query.CorrelationId };
        if (query.Outcome is not null and not ("success" or "failure"))
        {
            return Fail("outcome must be success or failure.");
        }

        filter = filter with { Outcome = query.Outcome };
        DateTimeOffset? since = null, until = null;
        if (query.Since is not null && (since = Instant(query.Since)) is null)
        {
            return Fail(InstantProblem("since"));
        }

        if (query.Until is not null && (until = Instant(query.Until)) is null)
        {
            return Fail(InstantProblem("until"));
        }

        if (since is not null && until is not null && until <= since)
        {
            return Fail("until must be later than since.");
        }

        filter = filter with { Since = since, Until = until };
        int limit = DefaultPageSize;
        if (query.Limit is not null && (!int.TryParse(query.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
        {
            return Fail($"limit must be a whole number from 1 to {MaxPageSize}.");
        }

        if (query.Cursor is not null)
        {
            (DateTimeOffset OccurredAt, long Id)? after = ReadCursor(query.Cursor);
            if (after is null)
            {
                return Fail("cursor must be the next_cursor of a previous page.");
            }

            filter = filter with { After = after };
        }

        return (filter, limit, null);

        static (AuditEventFilter?, int, AdminError?) Fail(string description) => (null, 0, Invalid(description));
    }

    private static AdminError Invalid(string description) => new(AdminError.InvalidRequest, description);

    private static string InstantProblem(string name) =>
        $"{name} must be an RFC 3339 date-time such as 2026-11-23T09:00:00Z (with a '+' offset, encode it as %2B in the URL).";

    /// <summary>RFC 3339 §5.6 <c>date-time</c>: a full date, a full time and Z or an offset; nothing looser.</summary>
    private static DateTimeOffset? Instant(string value) =>
        Rfc3339Pattern().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset instant)
            ? instant
            : null;

    private static string Cursor(AuditEventRecord last)
    {
        Span<byte> bytes = stackalloc byte[CursorBytes];
        long micros = (last.OccurredAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        BinaryPrimitives.WriteInt64BigEndian(bytes, micros);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], last.Id);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    private static (DateTimeOffset OccurredAt, long Id)? ReadCursor(string cursor)
    {
        Span<byte> bytes = stackalloc byte[CursorBytes];
        if (cursor.Length != 22
            || !System.Buffers.Text.Base64Url.TryDecodeFromChars(cursor, bytes, out int written) || written != CursorBytes)
        {
            return null;
        }

        long micros = BinaryPrimitives.ReadInt64BigEndian(bytes);
        long id = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
        // Within what timestamptz holds (4713 BC to AD 294276) is more than any event; this is year 1 to 9999.
        long minMicros = (DateTimeOffset.MinValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        long maxMicros = (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        return id <= 0 || micros < minMicros || micros > maxMicros
            ? null
            : (DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond), id);
    }

    internal static void WriteEvent(Utf8JsonWriter writer, AuditEventRecord e)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", e.Id);
        writer.WriteString("occurred_at", e.OccurredAt);
        writer.WriteString("event_type", e.EventType);
        writer.WriteString("outcome", e.Outcome);
        writer.WriteStringOrNull("client_id", e.ClientId);
        writer.WriteStringOrNull("subject", e.Subject);
        writer.WriteStringOrNull("ip", e.Ip);
        writer.WriteStringOrNull("user_agent", e.UserAgent);
        writer.WriteStringOrNull("correlation_id", e.CorrelationId);
        writer.WritePropertyName("detail");
        if (e.Detail is null)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            // jsonb as PostgreSQL prints it: already valid JSON.
            writer.WriteRawValue(e.Detail, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex EventTypePattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();

    /// <summary>The query string, as text: each value is checked here so a bad one is a 400 naming it.</summary>
    public sealed record Query(
        [property: Description("An event type such as login.failed, or a family such as login.* (every type starting with login.).")]
        [FromQuery(Name = "event_type")] string? EventType,
        [property: Description("The user's sub.")]
        [FromQuery(Name = "subject")] string? Subject,
        [property: Description("A username (any case), resolved to the user's current sub; not with subject.")]
        [FromQuery(Name = "username")] string? Username,
        [property: Description("The client's client_id.")]
        [FromQuery(Name = "client_id")] string? ClientId,
        [property: Description("The X-Correlation-Id of a response, or the reference on an error page: that request's events.")]
        [FromQuery(Name = "correlation_id")] string? CorrelationId,
        [property: Description("success or failure.")]
        [FromQuery(Name = "outcome")] string? Outcome,
        [property: Description("RFC 3339 date-time; events at or after it.")]
        [FromQuery(Name = "since")] string? Since,
        [property: Description("RFC 3339 date-time; events before it.")]
        [FromQuery(Name = "until")] string? Until,
        [property: Description("Events per page, 1 to 500; 50 by default.")]
        [FromQuery(Name = "limit")] string? Limit,
        [property: Description("The next_cursor of the previous page.")]
        [FromQuery(Name = "cursor")] string? Cursor);

    /// <summary>The services the endpoint needs, bound with <c>[AsParameters]</c>.</summary>
    public sealed record Dependencies(PgAuditEventStore AuditEvents);
}
