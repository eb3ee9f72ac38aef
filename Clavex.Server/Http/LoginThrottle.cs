using System.Threading.RateLimiting;
using Clavex.Core.Interaction;

namespace Clavex.Server.Http;

/// <summary>
/// Throttles wrong passwords per client address (an IPv6 /64 counts as one), before the account lock: at most
/// <see cref="FailuresPerAddressAndUsername"/> per address and username in <see cref="LockoutPolicy.FailureWindow"/>,
/// fewer than the lock needs (<see cref="LockoutPolicy.MaxConsecutiveFailures"/> in one window), so one address can
/// neither lock an account nor keep it locked; and at most <see cref="FailuresPerAddress"/> per address across all
/// usernames, against password spraying. A throttled attempt is refused before any password hashing or database work,
/// so a flood of them costs little. Sliding windows of System.Threading.RateLimiting, kept in memory per instance
/// (several instances each allow as much), counting only failures: the check before a sign-in asks for no permit.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    public const int FailuresPerAddressAndUsername = 5;

    public const int FailuresPerAddress = 30;

    private readonly PartitionedRateLimiter<string> _byAccount = Create(FailuresPerAddressAndUsername);
    private readonly PartitionedRateLimiter<string> _byAddress = Create(FailuresPerAddress);

    /// <summary>What a throttled attempt is told to wait, in seconds: a sliding window frees a failure within one window.</summary>
    public static readonly string RetryAfterSeconds = ((int)LockoutPolicy.FailureWindow.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether a sign-in from <paramref name="address"/> for <paramref name="username"/> is refused now (either budget used up).</summary>
    public bool IsThrottled(long organizationId, string address, string? username)
    {
        using RateLimitLease byAddress = _byAddress.AttemptAcquire(address, 0);
        if (!byAddress.IsAcquired)
        {
            return true;
        }

        using RateLimitLease byAccount = _byAccount.AttemptAcquire(AccountKey(organizationId, address, username), 0);
        return !byAccount.IsAcquired;
    }

    /// <summary>Counts a wrong password; the reason when this failure used up a budget (the throttle starts now), else null.</summary>
    public string? CountFailure(long organizationId, string address, string? username)
    {
        string accountKey = AccountKey(organizationId, address, username);
        using RateLimitLease byAddress = _byAddress.AttemptAcquire(address);
        using RateLimitLease byAccount = _byAccount.AttemptAcquire(accountKey);
        using RateLimitLease addressLeft = _byAddress.AttemptAcquire(address, 0);
        using RateLimitLease accountLeft = _byAccount.AttemptAcquire(accountKey, 0);
        return byAddress.IsAcquired && !addressLeft.IsAcquired ? "address"
            : byAccount.IsAcquired && !accountLeft.IsAcquired ? "address_and_username"
            : null;
    }

    public void Dispose()
    {
        _byAccount.Dispose();
        _byAddress.Dispose();
    }

    private static string AccountKey(long organizationId, string address, string? username) =>
        string.Concat(organizationId.ToString(System.Globalization.CultureInfo.InvariantCulture), "\n", address, "\n", (username ?? string.Empty).ToLowerInvariant());

    private static PartitionedRateLimiter<string> Create(int failures) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = failures,
            Window = LockoutPolicy.FailureWindow,
            SegmentsPerWindow = 15,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
