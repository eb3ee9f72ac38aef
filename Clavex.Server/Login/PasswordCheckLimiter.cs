namespace Clavex.Server.Login;

/// <summary>
/// Caps how many password hashes run at once. Each Argon2id call holds a core and 19 MiB for tens of milliseconds;
/// without a cap a burst of logins takes every thread-pool thread and the token endpoint stalls behind it. With one,
/// the burst waits its turn in a queue that costs no thread.
/// </summary>
public sealed class PasswordCheckLimiter : IDisposable
{
    private readonly SemaphoreSlim _slots;

    /// <summary>One hash per core: more would only share the same cores and multiply memory.</summary>
    public PasswordCheckLimiter()
        : this(Math.Max(1, Environment.ProcessorCount))
    {
    }

    public PasswordCheckLimiter(int maxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        MaxConcurrency = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public int MaxConcurrency { get; }

    /// <summary>
    /// Waits for a slot, then runs <paramref name="work"/> on the thread pool. Cancellation stops the wait (the
    /// work then never runs); work that has started runs to the end.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(work, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();
}
