using System.Security.Cryptography;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;

namespace Clavex.Tests.Stores;

public sealed class InMemoryGrantStoreTests : GrantStoreContract
{
    private long _nextOrganization;

    protected override IGrantStore CreateStore() => new InMemoryGrantStore();

    protected override Task<long> NewOrganizationAsync() => Task.FromResult(Interlocked.Increment(ref _nextOrganization));

    [Test]
    public async Task Of_many_concurrent_rotations_of_one_token_exactly_one_succeeds()
    {
        using var start = new ManualResetEventSlim();

        Task<RefreshRotation>[] attempts = [.. Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            start.Wait();
            return RotateAsync(FirstToken, Jira, RandomNumberGenerator.GetBytes(32));
        }))];
        start.Set();
        RefreshRotation[] results = await Task.WhenAll(attempts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => r.Status == RefreshRotationStatus.Rotated), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Status == RefreshRotationStatus.Reused), Is.EqualTo(63));
        }
    }
}
