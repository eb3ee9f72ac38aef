using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;

namespace Clavex.Tests.Stores;

public sealed class InMemoryAuthorizationCodeStoreTests : AuthorizationCodeStoreContract
{
    private static long s_organizations;

    protected override (IAuthorizationCodeStore Codes, IGrantStore Grants) CreateStores()
    {
        var grants = new InMemoryGrantStore();
        return (new InMemoryAuthorizationCodeStore(grants), grants);
    }

    protected override Task<long> NewOrganizationAsync() => Task.FromResult(Interlocked.Increment(ref s_organizations));

    [Test]
    public async Task A_redemption_leaves_the_user_to_the_user_store()
    {
        CodeRedemption redemption = await RedeemAsync(Acme, (await StoreCodeAsync(Acme)).CodeHash);

        Assert.That(redemption.User, Is.Null);
    }
}
