using System.Threading.Channels;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;

namespace Clavex.Server.Login;

/// <summary>
/// The lockout bookkeeping of password sign-ins, kept off the response path of a failed sign-in so that every failure
/// (unknown user, wrong password, locked account) costs the same database work before the page is answered: one
/// username lookup and nothing else (<see cref="LockoutPolicy"/>). A wrong password is queued and counted by
/// <see cref="LoginAttemptWriter"/>, one atomic <c>UPDATE</c> at a time, so counts stay exact.
/// </summary>
/// <remarks>
/// Ordering: failures, successes and flushes go through the same first-in first-out queue with a single writer. A right
/// password waits for its own turn, so every failure queued before it is counted first: a lock those failures start
/// refuses it, and a failure queued before it can never land after it and undo its reset. The price is lag: an
/// attempt that reads the account before the queue has applied an earlier failure is checked against the real hash,
/// so a burst of parallel guesses can have more than <see cref="LockoutPolicy.MaxConsecutiveFailures"/> passwords
/// checked (never accepted: a right one among them queues behind the failures that lock). The ordering holds within
/// one instance; with several instances behind a balancer, a failure queued on one may land after a success on
/// another and count once more.
/// </remarks>
public sealed class LoginAttempts(PgUserStore users, AuditLog audit, TimeProvider timeProvider)
{
    // Wrong passwords arrive no faster than PasswordCheckLimiter lets Argon2 run, and each costs the writer one short
    // UPDATE, so the queue fills only if the database stalls for long; then writers wait rather than lose counts.
    private readonly Channel<Attempt> _queue = Channel.CreateBounded<Attempt>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    internal ChannelReader<Attempt> Reader => _queue.Reader;

    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Queues a wrong password of a user that was not locked when read; returns without waiting for the database.</summary>
    public async ValueTask RecordFailureAsync(HttpContext context, Organization organization, string clientId, string subject)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(organization);
        var attempt = new Attempt(AttemptKind.Failure, organization, subject, timeProvider.GetUtcNow(), AuditOrigin.Of(context), clientId, null);
        if (!_queue.Writer.TryWrite(attempt) && !await TryWaitAndWriteAsync(attempt))
        {
            // Shutting down: the writer has stopped, so count it here rather than lose it.
            await ApplyAsync(attempt, CancellationToken.None);
        }
    }

    /// <summary>
    /// Clears the failure count after a right password, once every attempt queued before it has been applied; false when
    /// the user is locked (by those attempts or a concurrent one), and the sign-in must be refused as locked.
    /// </summary>
    public async Task<bool> RecordSuccessAsync(Organization organization, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var attempt = new Attempt(AttemptKind.Success, organization, subject, timeProvider.GetUtcNow(), null, null, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(attempt) && !await TryWaitAndWriteAsync(attempt))
        {
            return await ApplyAsync(attempt, cancellationToken);
        }

        return await attempt.Done!.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until every attempt queued before the call has been applied (tests assert counts after it).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var barrier = new Attempt(AttemptKind.Flush, null, null, default, null, null, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_queue.Writer.TryWrite(barrier) || await TryWaitAndWriteAsync(barrier))
        {
            await barrier.Done!.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Applies one attempt to the database: the writer's step, and the fallback once the queue is closed.</summary>
    internal async Task<bool> ApplyAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        switch (attempt.Kind)
        {
            case AttemptKind.Failure:
                DateTimeOffset failedAt = attempt.At;
                if (await users.RecordFailedPasswordAsync(
                    attempt.Organization!.Id, attempt.Subject!, LockoutPolicy.MaxConsecutiveFailures, failedAt, failedAt + LockoutPolicy.LockDuration, cancellationToken)
                    is DateTimeOffset lockedUntil)
                {
                    audit.Record(attempt.Origin!, attempt.Organization, "login.locked", false, attempt.ClientId, attempt.Subject,
                        ("locked_until", lockedUntil.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
                        ("failures", LockoutPolicy.MaxConsecutiveFailures.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }

                return true;
            case AttemptKind.Success:
                return await users.RecordSuccessfulPasswordAsync(attempt.Organization!.Id, attempt.Subject!, timeProvider.GetUtcNow(), cancellationToken);
            default:
                return true;
        }
    }

    private async ValueTask<bool> TryWaitAndWriteAsync(Attempt attempt)
    {
        try
        {
            await _queue.Writer.WriteAsync(attempt);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    internal enum AttemptKind
    {
        Failure,
        Success,
        Flush,
    }

    /// <summary>One queued attempt; <see cref="Done"/> is completed with its result for those the caller waits for.</summary>
    internal sealed record Attempt(
        AttemptKind Kind, Organization? Organization, string? Subject, DateTimeOffset At, AuditOrigin? Origin, string? ClientId, TaskCompletionSource<bool>? Done);
}
