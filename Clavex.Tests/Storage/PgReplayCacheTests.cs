using Clavex.Core.Stores;
using Clavex.Server.Storage;
using Clavex.Tests.Stores;

namespace Clavex.Tests.Storage;

public sealed class PgReplayCacheTests : ReplayCacheContract
{
    protected override IReplayCache CreateCache(TimeProvider clock) => new PgReplayCache(StorageFixture.DataSource, clock);

    protected override Task<long> NewOrganizationAsync() => StorageFixture.CreateOrganizationAsync();
}
