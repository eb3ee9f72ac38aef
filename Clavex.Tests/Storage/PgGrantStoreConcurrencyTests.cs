using System.Security.Cryptography;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>Rotation under contention: the row lock, not luck, makes exactly one presenter win.</summary>
public sealed class PgGrantStoreConcurrencyTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    private long _acme;
    private PgGrantStore _store = null!;

    [SetUp]
    public async Task CreateOrganization()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _store = new PgGrantStore(StorageFixture.DataSource);
    }

    [Test]
    public async Task Of_two_concurrent_rotations_of_one_token_one_rotates_and_the_other_is_reuse()
    {
        for (int round = 0; round < 10; round++)
        {
            byte[] presented = await CreateGrantAsync($"g_race_{round}");

            RefreshRotation[] results = await RaceAsync(2, presented);

            Assert.That(results.Select(r => r.Status).Order(), Is.EqualTo(new[] { RefreshRotationStatus.Rotated, RefreshRotationStatus.Reused }), $"round {round}");
        }
    }

    [Test]
    public async Task Of_twenty_concurrent_rotations_of_one_token_exactly_one_succeeds_and_one_replacement_is_stored()
    {
        byte[] presented = await CreateGrantAsync("g_1");

        RefreshRotation[] results = await RaceAsync(20, presented);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => r.Status == RefreshRotationStatus.Rotated), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Status == RefreshRotationStatus.Reused), Is.EqualTo(19));
            Assert.That(await TokenCountAsync(), Is.EqualTo(2));
        }
    }

    private async Task<byte[]> CreateGrantAsync(string grantId)
    {
        byte[] first = RandomNumberGenerator.GetBytes(32);
        var grant = new Grant
        {
            OrganizationId = _acme,
            GrantId = grantId,
            ClientId = "jira",
            Subject = "u_7Hq2",
            Scopes = ["openid", "offline_access"],
            AuthTime = Now,
            CreatedAt = Now,
            ExpiresAt = Now.AddDays(1),
        };
        await _store.CreateAsync(grant, new RefreshTokenRecord(first, Now, Now.AddHours(8)), CancellationToken.None);
        return first;
    }

    private async Task<RefreshRotation[]> RaceAsync(int attempts, byte[] presented)
    {
        using var start = new ManualResetEventSlim();
        Task<RefreshRotation>[] tasks = [.. Enumerable.Range(0, attempts).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return _store.RotateAsync(
                _acme, [.. presented], "jira", new RefreshTokenRecord(RandomNumberGenerator.GetBytes(32), Now, Now.AddHours(8)), Now, CancellationToken.None);
        }))];
        start.Set();
        return await Task.WhenAll(tasks);
    }

    private async Task<long> TokenCountAsync()
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE organization_id = @Org", new { Org = _acme });
    }
}
