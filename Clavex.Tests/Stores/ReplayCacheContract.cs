using Clavex.Core.Stores;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

/// <summary>What every <see cref="IReplayCache"/> must do, run against the in-memory and the PostgreSQL cache alike.</summary>
public abstract class ReplayCacheContract
{
    private long _acme;
    private TestClock _clock = null!;
    private IReplayCache _cache = null!;

    protected IReplayCache Cache => _cache;

    protected long Acme => _acme;

    protected TestClock Clock => _clock;

    protected DateTimeOffset InFiveMinutes => _clock.GetUtcNow().AddMinutes(5);

    protected abstract IReplayCache CreateCache(TimeProvider clock);

    /// <summary>An organisation id the cache accepts (the PostgreSQL cache needs a real row).</summary>
    protected abstract Task<long> NewOrganizationAsync();

    /// <summary>How many concurrent adds the concurrency case makes (a database has a connection pool).</summary>
    protected virtual int ConcurrentAdds => 20;

    [SetUp]
    public async Task CreateCacheAsync()
    {
        _acme = await NewOrganizationAsync();
        _clock = new TestClock();
        _cache = CreateCache(_clock);
    }

    [Test]
    public async Task A_new_key_is_added()
    {
        Assert.That(await _cache.TryAddAsync(_acme, "jti-1", InFiveMinutes, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_key_seen_before_and_not_expired_is_refused()
    {
        DateTimeOffset expiresAt = InFiveMinutes;
        await _cache.TryAddAsync(_acme, "jti-1", expiresAt, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMicroseconds(1));

        Assert.That(await _cache.TryAddAsync(_acme, "jti-1", expiresAt, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task An_expired_key_may_be_added_again_and_is_then_remembered_anew()
    {
        await _cache.TryAddAsync(_acme, "jti-1", InFiveMinutes, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));

        bool readded = await _cache.TryAddAsync(_acme, "jti-1", InFiveMinutes, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(4));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(readded, Is.True);
            Assert.That(await _cache.TryAddAsync(_acme, "jti-1", InFiveMinutes, CancellationToken.None), Is.False);
        }
    }

    [Test]
    public async Task The_same_key_in_another_organisation_is_independent()
    {
        long globex = await NewOrganizationAsync();
        await _cache.TryAddAsync(_acme, "jti-1", InFiveMinutes, CancellationToken.None);

        Assert.That(await _cache.TryAddAsync(globex, "jti-1", InFiveMinutes, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task Of_many_concurrent_adds_of_one_key_exactly_one_succeeds()
    {
        using var start = new ManualResetEventSlim();
        DateTimeOffset expiresAt = InFiveMinutes;

        Task<bool>[] attempts = [.. Enumerable.Range(0, ConcurrentAdds).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await _cache.TryAddAsync(_acme, "jti-1", expiresAt, CancellationToken.None);
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(attempts);

        Assert.That(results.Count(added => added), Is.EqualTo(1));
    }
}
