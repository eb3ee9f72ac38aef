using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;

namespace Clavex.Tests.Stores;

public sealed class InMemoryReplayCacheTests : ReplayCacheContract
{
    private long _nextOrganization;

    protected override int ConcurrentAdds => 64;

    protected override IReplayCache CreateCache(TimeProvider clock) => new InMemoryReplayCache(clock);

    protected override Task<long> NewOrganizationAsync() => Task.FromResult(Interlocked.Increment(ref _nextOrganization));

    [Test]
    public async Task Expired_entries_are_swept_as_the_cache_grows()
    {
        for (int i = 0; i < 1000; i++)
        {
            await Cache.TryAddAsync(Acme, $"old-{i}", InFiveMinutes, CancellationToken.None);
        }

        Clock.Advance(TimeSpan.FromMinutes(10));
        for (int i = 0; i < 1000; i++)
        {
            await Cache.TryAddAsync(Acme, $"new-{i}", InFiveMinutes, CancellationToken.None);
        }

        Assert.That(((InMemoryReplayCache)Cache).Count, Is.LessThan(1500));
    }
}
