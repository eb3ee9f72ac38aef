using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Clavex.Core.Interaction;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>
/// Throttles wrong passwords per client address (an IPv6 /64 counts as one), before the account lock: at most
/// <see cref="RequestLimits.SignInFailuresPerAddressAndUsername"/> per address and username in
/// <see cref="LockoutPolicy.FailureWindow"/>, fewer than the lock needs (<see cref="LockoutPolicy.MaxConsecutiveFailures"/>
/// in one window), so one address can neither lock an account nor keep it locked; and at most
/// <see cref="RequestLimits.SignInFailuresPerAddress"/> per address across all usernames, against password spraying.
/// Both are the organisation's limits (5 and 30 by default). A throttled attempt is refused before any password
/// hashing or database work, so a flood of them costs little. Sliding windows of System.Threading.RateLimiting, kept
/// in memory per instance (several instances each allow as much), counting only failures: the check before a sign-in
/// asks for no permit. An admin unlock (<see cref="Forgive"/>) starts the user's budgets and the organisation's
/// address budgets afresh.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private const string AddressPolicy = "sign_in.address";
    private const string AccountPolicy = "sign_in.address_and_username";

    private static readonly Func<RateLimitKey, SlidingWindowRateLimiterOptions> s_window = key => new SlidingWindowRateLimiterOptions
    {
        PermitLimit = key.Permits,
        Window = LockoutPolicy.FailureWindow,
        SegmentsPerWindow = 15,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private readonly PartitionedRateLimiter<RateLimitKey> _limiter =
        PartitionedRateLimiter.Create<RateLimitKey, RateLimitKey>(key => RateLimitPartition.GetSlidingWindowLimiter(key, s_window));

    // Bumped by an unlock: a new generation is a new budget, since a partitioned limiter cannot reset one partition.
    private readonly ConcurrentDictionary<string, int> _generations = new(StringComparer.Ordinal);

    /// <summary>What a throttled attempt is told to wait, in seconds: a sliding window frees a failure within one window.</summary>
    public static readonly string RetryAfterSeconds = ((int)LockoutPolicy.FailureWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether every sign-in from <paramref name="address"/> is refused now (its budget is used up), whoever it is for:
    /// known before the form is read, so a flood from a throttled address costs no body parsing or antiforgery check.
    /// </summary>
    public bool IsAddressThrottled(string slug, RequestLimits limits, string address)
    {
        ArgumentNullException.ThrowIfNull(limits);
        using RateLimitLease byAddress = _limiter.AttemptAcquire(AddressKey(slug, limits, address), 0);
        return !byAddress.IsAcquired;
    }

    /// <summary>Whether a sign-in from <paramref name="address"/> for <paramref name="username"/> is refused now (either budget used up).</summary>
    public bool IsThrottled(string slug, RequestLimits limits, string address, string? username)
    {
        if (IsAddressThrottled(slug, limits, address))
        {
            return true;
        }

        using RateLimitLease byAccount = _limiter.AttemptAcquire(AccountKey(slug, limits, address, username), 0);
        return !byAccount.IsAcquired;
    }

    /// <summary>Counts a wrong password; the reason when this failure used up a budget (the throttle starts now), else null.</summary>
    public string? CountFailure(string slug, RequestLimits limits, string address, string? username)
    {
        ArgumentNullException.ThrowIfNull(limits);
        RateLimitKey addressKey = AddressKey(slug, limits, address);
        RateLimitKey accountKey = AccountKey(slug, limits, address, username);
        using RateLimitLease byAddress = _limiter.AttemptAcquire(addressKey);
        using RateLimitLease byAccount = _limiter.AttemptAcquire(accountKey);
        using RateLimitLease addressLeft = _limiter.AttemptAcquire(addressKey, 0);
        using RateLimitLease accountLeft = _limiter.AttemptAcquire(accountKey, 0);
        return byAddress.IsAcquired && !addressLeft.IsAcquired ? "address"
            : byAccount.IsAcquired && !accountLeft.IsAcquired ? "address_and_username"
            : null;
    }

    /// <summary>
    /// After an admin unlock: every address's budget for <paramref name="username"/>, and every address's budget
    /// across the organisation, start again, so the user can sign in from wherever the attempts came from.
    /// </summary>
    public void Forgive(string slug, string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        _generations.AddOrUpdate(slug, 1, (_, g) => g + 1);
        _generations.AddOrUpdate(UserGenerationKey(slug, username), 1, (_, g) => g + 1);
    }

    public void Dispose() => _limiter.Dispose();

    private RateLimitKey AddressKey(string slug, RequestLimits limits, string address) =>
        new(AddressPolicy, slug, limits[RequestLimits.SignInFailuresPerAddress], string.Concat(Generation(slug), "\n", address));

    private RateLimitKey AccountKey(string slug, RequestLimits limits, string address, string? username)
    {
        string name = (username ?? string.Empty).ToLowerInvariant();
        return new(AccountPolicy, slug, limits[RequestLimits.SignInFailuresPerAddressAndUsername],
            string.Concat(Generation(UserGenerationKey(slug, name)), "\n", address, "\n", name));
    }

    private string Generation(string key) =>
        _generations.TryGetValue(key, out int generation) ? generation.ToString(CultureInfo.InvariantCulture) : "0";

    private static string UserGenerationKey(string slug, string username) => string.Concat(slug, "\n", username.ToLowerInvariant());
}
