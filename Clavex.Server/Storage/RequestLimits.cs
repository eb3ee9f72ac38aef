using System.Text.Json;
using Clavex.Core.Interaction;

namespace Clavex.Server.Storage;

/// <summary>One limit an organisation's admins can set: its name in the admin API, its default and its bounds.</summary>
public sealed record RequestLimit(int Index, string Name, int Default, int Min, int Max, string Meaning);

/// <summary>
/// An organisation's abuse limits: the defaults of <see cref="All"/> with what its admins changed. Stored as a JSON
/// object of the changed members only (<c>organizations.request_limits</c>), so a new limit needs no migration and a
/// changed default reaches every organisation that kept it.
/// </summary>
public sealed class RequestLimits : IEquatable<RequestLimits>
{
    public static readonly RequestLimit TokenRequestsPerMinute = new(
        0, "token_requests_per_minute", 1200, 1, 1_000_000, "requests to /token, /introspect and /revoke per client address and minute");

    public static readonly RequestLimit UserInfoRequestsPerMinute = new(
        1, "userinfo_requests_per_minute", 1200, 1, 1_000_000, "requests to /userinfo per client address and minute");

    public static readonly RequestLimit AdminRequestsPerMinute = new(
        2, "admin_requests_per_minute", 600, 1, 1_000_000, "admin API requests per token (and, before authentication, per client address) and minute");

    public static readonly RequestLimit SignInFailuresPerAddress = new(
        3, "sign_in_failures_per_address", 30, 1, 100_000, "wrong passwords per client address in 15 minutes, across all usernames");

    // Below the account lock, so one address can neither lock an account nor keep it locked.
    public static readonly RequestLimit SignInFailuresPerAddressAndUsername = new(
        4, "sign_in_failures_per_address_and_username", 5, 1, LockoutPolicy.MaxConsecutiveFailures - 1, "wrong passwords per client address and username in 15 minutes");

    public static readonly IReadOnlyList<RequestLimit> All =
        [TokenRequestsPerMinute, UserInfoRequestsPerMinute, AdminRequestsPerMinute, SignInFailuresPerAddress, SignInFailuresPerAddressAndUsername];

    public static readonly RequestLimits Default = new(new int?[All.Count]);

    private readonly int?[] _overrides;

    private RequestLimits(int?[] overrides) => _overrides = overrides;

    public int this[RequestLimit limit] => _overrides[limit.Index] ?? limit.Default;

    /// <summary>Whether the organisation changed this limit (else it follows the default).</summary>
    public bool IsSet(RequestLimit limit) => _overrides[limit.Index] is not null;

    public static RequestLimit? Find(string name)
    {
        foreach (RequestLimit limit in All)
        {
            if (limit.Name == name)
            {
                return limit;
            }
        }

        return null;
    }

    /// <summary>These limits with <paramref name="limit"/> set to <paramref name="value"/>, or back to its default for null.</summary>
    public RequestLimits With(RequestLimit limit, int? value)
    {
        ArgumentNullException.ThrowIfNull(limit);
        if (value is { } number && (number < limit.Min || number > limit.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(value), number, $"{limit.Name} must be {limit.Min} to {limit.Max}.");
        }

        int?[] overrides = (int?[])_overrides.Clone();
        overrides[limit.Index] = value;
        return new RequestLimits(overrides);
    }

    /// <summary>
    /// Reads the stored object. A member this version does not know, or one out of its bounds (a bound tightened since),
    /// is left at the default rather than stopping the organisation from serving.
    /// </summary>
    public static RequestLimits FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return Default;
        }

        var overrides = new int?[All.Count];
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonProperty member in document.RootElement.EnumerateObject())
        {
            if (Find(member.Name) is { } limit && member.Value.TryGetInt32(out int value) && value >= limit.Min && value <= limit.Max)
            {
                overrides[limit.Index] = value;
            }
        }

        return new RequestLimits(overrides);
    }

    /// <summary>Equal when the same limits are set to the same values (so records holding limits compare by value).</summary>
    public bool Equals(RequestLimits? other) => other is not null && _overrides.AsSpan().SequenceEqual(other._overrides);

    public override bool Equals(object? obj) => Equals(obj as RequestLimits);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int? value in _overrides)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <summary>The stored form: the changed members only, <c>{}</c> when none.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (RequestLimit limit in All)
            {
                if (_overrides[limit.Index] is { } value)
                {
                    writer.WriteNumber(limit.Name, value);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
