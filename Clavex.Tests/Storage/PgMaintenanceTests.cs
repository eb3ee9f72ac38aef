using System.Security.Cryptography;
using Clavex.Core.Authorization;
using Clavex.Core.Sessions;
using Clavex.Core.Token;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>Purging acts on whole tables, so these tests have a database of their own.</summary>
public sealed class PgMaintenanceTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    private NpgsqlDataSource _dataSource = null!;
    private long _org;

    [OneTimeSetUp]
    public async Task CreateDatabase() => _dataSource = await StorageFixture.CreateMigratedDatabaseAsync("purge");

    [OneTimeTearDown]
    public async Task DisposeDatabase() => await _dataSource.DisposeAsync();

    [SetUp]
    public async Task EmptyTables()
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("TRUNCATE organizations CASCADE");
        _org = await new PgOrganizationStore(_dataSource).CreateAsync("purge", "Purge", CancellationToken.None);
    }

    [Test]
    public async Task Codes_are_kept_for_ten_minutes_after_expiry_so_late_replays_are_still_recognised()
    {
        var codes = new PgAuthorizationCodeStore(_dataSource);
        await codes.StoreAsync(Code("g_old", expiresAt: Now.AddMinutes(-10).AddSeconds(-1)), CancellationToken.None);
        await codes.StoreAsync(Code("g_recent", expiresAt: Now.AddMinutes(-9)), CancellationToken.None);
        await codes.StoreAsync(Code("g_live", expiresAt: Now.AddSeconds(30)), CancellationToken.None);

        PurgeResult result = await PurgeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new PurgeResult(AuthorizationCodes: 1, Sessions: 0, Grants: 0, ReplayEntries: 0)));
            Assert.That(await GrantIdsOfCodesAsync(), Is.EqualTo(new[] { "g_live", "g_recent" }));
        }
    }

    [Test]
    public async Task Sessions_go_once_expired()
    {
        var sessions = new PgSessionStore(_dataSource);
        await sessions.CreateAsync(Session("s_old", Now.AddHours(-1)), RandomNumberGenerator.GetBytes(32), CancellationToken.None);
        await sessions.CreateAsync(Session("s_now", Now), RandomNumberGenerator.GetBytes(32), CancellationToken.None);
        await sessions.CreateAsync(Session("s_live", Now.AddHours(1)), RandomNumberGenerator.GetBytes(32), CancellationToken.None);

        PurgeResult result = await PurgeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Sessions, Is.EqualTo(2));
            Assert.That(await StringsAsync("SELECT id FROM sessions ORDER BY id"), Is.EqualTo(new[] { "s_live" }));
        }
    }

    [Test]
    public async Task Grants_go_with_their_tokens_a_day_after_they_expire_or_were_revoked()
    {
        var grants = new PgGrantStore(_dataSource);
        await grants.CreateAsync(Grant("g_expired", expiresAt: Now.AddDays(-1).AddSeconds(-1)), Token(), CancellationToken.None);
        await grants.CreateAsync(Grant("g_just_expired", expiresAt: Now.AddHours(-1)), Token(), CancellationToken.None);
        await grants.CreateAsync(Grant("g_revoked", expiresAt: Now.AddDays(20)) with { RevokedAt = Now.AddDays(-2) }, Token(), CancellationToken.None);
        await grants.CreateAsync(Grant("g_just_revoked", expiresAt: Now.AddDays(20)) with { RevokedAt = Now.AddHours(-1) }, Token(), CancellationToken.None);
        await grants.CreateAsync(Grant("g_live", expiresAt: Now.AddDays(20)), Token(), CancellationToken.None);

        PurgeResult result = await PurgeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Grants, Is.EqualTo(2));
            Assert.That(await StringsAsync("SELECT grant_id FROM grants ORDER BY grant_id"), Is.EqualTo(new[] { "g_just_expired", "g_just_revoked", "g_live" }));
            Assert.That(await StringsAsync("SELECT grant_id FROM refresh_tokens ORDER BY grant_id"), Is.EqualTo(new[] { "g_just_expired", "g_just_revoked", "g_live" }));
        }
    }

    [Test]
    public async Task Replay_entries_go_once_expired()
    {
        var clock = new TestClock(Now.AddMinutes(-10));
        var cache = new PgReplayCache(_dataSource, clock);
        await cache.TryAddAsync(_org, "jti-old", Now.AddMinutes(-1), CancellationToken.None);
        await cache.TryAddAsync(_org, "jti-live", Now.AddMinutes(1), CancellationToken.None);

        PurgeResult result = await PurgeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ReplayEntries, Is.EqualTo(1));
            Assert.That(await StringsAsync("SELECT key FROM replay_cache"), Is.EqualTo(new[] { "jti-live" }));
        }
    }

    [Test]
    public async Task A_backlog_larger_than_a_batch_is_purged_completely_in_several_batches()
    {
        var cache = new PgReplayCache(_dataSource, new TestClock(Now.AddHours(-1)));
        for (int i = 0; i < 7; i++)
        {
            await cache.TryAddAsync(_org, $"jti-{i}", Now.AddMinutes(-1), CancellationToken.None);
        }

        PurgeResult result = await new PgMaintenance(_dataSource, batchSize: 2).PurgeExpiredAsync(Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ReplayEntries, Is.EqualTo(7));
            Assert.That(await StringsAsync("SELECT key FROM replay_cache"), Is.Empty);
        }
    }

    [Test]
    public async Task A_second_purge_finds_nothing_left()
    {
        await new PgSessionStore(_dataSource).CreateAsync(Session("s_old", Now.AddHours(-1)), RandomNumberGenerator.GetBytes(32), CancellationToken.None);
        await PurgeAsync();

        PurgeResult second = await PurgeAsync();

        Assert.That(second.Total, Is.Zero);
    }

    private Task<PurgeResult> PurgeAsync() => new PgMaintenance(_dataSource).PurgeExpiredAsync(Now, CancellationToken.None);

    private AuthorizationCode Code(string grantId, DateTimeOffset expiresAt) => new()
    {
        OrganizationId = _org,
        CodeHash = RandomNumberGenerator.GetBytes(32),
        GrantId = grantId,
        ClientId = "jira",
        RedirectUri = "https://jira.acme.eu/callback",
        Subject = "u_1",
        Scopes = ["openid"],
        AuthTime = expiresAt.AddMinutes(-2),
        IssuedAt = expiresAt.AddMinutes(-1),
        ExpiresAt = expiresAt,
    };

    private AuthenticationSession Session(string id, DateTimeOffset expiresAt) => new()
    {
        OrganizationId = _org,
        Id = id,
        Subject = "u_1",
        AuthTime = expiresAt.AddHours(-8),
        ExpiresAt = expiresAt,
    };

    private Grant Grant(string grantId, DateTimeOffset expiresAt) => new()
    {
        OrganizationId = _org,
        GrantId = grantId,
        ClientId = "jira",
        Subject = "u_1",
        Scopes = ["openid", "offline_access"],
        AuthTime = expiresAt.AddDays(-30),
        CreatedAt = expiresAt.AddDays(-30),
        ExpiresAt = expiresAt,
    };

    private static RefreshTokenRecord Token() => new(RandomNumberGenerator.GetBytes(32), Now.AddDays(-30), Now.AddDays(30));

    private Task<string[]> GrantIdsOfCodesAsync() => StringsAsync("SELECT grant_id FROM authorization_codes ORDER BY grant_id");

    private async Task<string[]> StringsAsync(string sql)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(sql)];
    }
}
