using Clavex.Server.Storage;
using Clavex.Tests.Support;

namespace Clavex.Tests.Storage;

public sealed class PgReplayCacheTests
{
    private long _acme;
    private TestClock _clock = null!;
    private PgReplayCache _cache = null!;

    private DateTimeOffset InFiveMinutes => _clock.GetUtcNow().AddMinutes(5);

    [SetUp]
    public async Task CreateCache()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _clock = new TestClock();
        _cache = new PgReplayCache(StorageFixture.DataSource, _clock);
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
        long globex = await StorageFixture.CreateOrganizationAsync();
        await _cache.TryAddAsync(_acme, "jti-1", InFiveMinutes, CancellationToken.None);

        Assert.That(await _cache.TryAddAsync(globex, "jti-1", InFiveMinutes, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task Of_twenty_concurrent_adds_of_one_key_exactly_one_succeeds()
    {
        using var start = new ManualResetEventSlim();
        DateTimeOffset expiresAt = InFiveMinutes;

        Task<bool>[] attempts = [.. Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await _cache.TryAddAsync(_acme, "jti-1", expiresAt, CancellationToken.None);
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(attempts);

        Assert.That(results.Count(added => added), Is.EqualTo(1));
    }
}
