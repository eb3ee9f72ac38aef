using Clavex.Core.Stores.InMemory;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

public sealed class InMemoryReplayCacheTests
{
    private const long Acme = 1;
    private const long Globex = 2;

    private TestClock _clock = null!;
    private InMemoryReplayCache _cache = null!;

    private DateTimeOffset InFiveMinutes => _clock.GetUtcNow().AddMinutes(5);

    [SetUp]
    public void CreateCache()
    {
        _clock = new TestClock();
        _cache = new InMemoryReplayCache(_clock);
    }

    [Test]
    public async Task A_new_key_is_added()
    {
        Assert.That(await _cache.TryAddAsync(Acme, "jti-1", InFiveMinutes, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task A_key_seen_before_and_not_expired_is_refused()
    {
        DateTimeOffset expiresAt = InFiveMinutes;
        await _cache.TryAddAsync(Acme, "jti-1", expiresAt, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));

        Assert.That(await _cache.TryAddAsync(Acme, "jti-1", expiresAt, CancellationToken.None), Is.False);
    }

    [Test]
    public async Task An_expired_key_may_be_added_again()
    {
        await _cache.TryAddAsync(Acme, "jti-1", InFiveMinutes, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.That(await _cache.TryAddAsync(Acme, "jti-1", InFiveMinutes, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task The_same_key_in_another_organisation_is_independent()
    {
        await _cache.TryAddAsync(Acme, "jti-1", InFiveMinutes, CancellationToken.None);

        Assert.That(await _cache.TryAddAsync(Globex, "jti-1", InFiveMinutes, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task Expired_entries_are_swept_as_the_cache_grows()
    {
        for (int i = 0; i < 1000; i++)
        {
            await _cache.TryAddAsync(Acme, $"old-{i}", InFiveMinutes, CancellationToken.None);
        }

        _clock.Advance(TimeSpan.FromMinutes(10));
        for (int i = 0; i < 1000; i++)
        {
            await _cache.TryAddAsync(Acme, $"new-{i}", InFiveMinutes, CancellationToken.None);
        }

        Assert.That(_cache.Count, Is.LessThan(1500));
    }

    [Test]
    public async Task Of_many_concurrent_adds_of_one_key_exactly_one_succeeds()
    {
        using var start = new ManualResetEventSlim();

        Task<bool>[] attempts = [.. Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await _cache.TryAddAsync(Acme, "jti-1", InFiveMinutes, CancellationToken.None);
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(attempts);

        Assert.That(results.Count(added => added), Is.EqualTo(1));
    }
}
