using System.Security.Cryptography;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>Issue 6: scheduled rotation on the organisation's key_rotation_days, and exactly one rotation among racing instances.</summary>
public sealed class KeyRotationTests
{
    private readonly byte[] _masterKey = RandomNumberGenerator.GetBytes(32);
    private readonly TestClock _clock = new();
    private long _acme;

    [SetUp]
    public async Task CreateOrganizationWithAKey()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        await NewStore(StorageFixture.DataSource).EnsureKeyAsync(_acme);
    }

    [Test]
    public async Task A_rotation_is_scheduled_once_the_current_key_has_signed_for_key_rotation_days()
    {
        KeyRotation rotation = NewRotation(StorageFixture.DataSource);

        int early = await rotation.RunForOrganizationAsync(_acme, _clock.GetUtcNow().AddDays(90).AddSeconds(-1), CancellationToken.None);
        DateTimeOffset due = _clock.GetUtcNow().AddDays(90);
        int onTime = await rotation.RunForOrganizationAsync(_acme, due, CancellationToken.None);

        IReadOnlyList<SigningKeyInfo> keys = await rotation.ListAsync(_acme, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(early, Is.Zero);
            Assert.That(onTime, Is.EqualTo(1));
            Assert.That(keys.Select(k => k.State), Is.EqualTo(new[] { "next", "current" }));
            Assert.That(keys[0].Algorithm, Is.EqualTo("RS256"));
            Assert.That(keys[0].ActivatesAt, Is.EqualTo(due + KeyRotation.PublicationLead).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(await AuditAsync("key.rotation_scheduled"), Is.EqualTo(new[] { $"system {keys[0].Kid}" }));
        }
    }

    [Test]
    public async Task A_scheduled_rotation_uses_the_organisations_algorithm()
    {
        await ExecuteAsync("UPDATE organizations SET signing_algorithm = 'ES256', key_rotation_days = 7 WHERE id = @Org");
        KeyRotation rotation = NewRotation(StorageFixture.DataSource);

        await rotation.RunForOrganizationAsync(_acme, _clock.GetUtcNow().AddDays(7), CancellationToken.None);

        Assert.That((await rotation.ListAsync(_acme, CancellationToken.None))[0].Algorithm, Is.EqualTo("ES256"));
    }

    [Test]
    public async Task Without_key_rotation_days_nothing_rotates_by_itself()
    {
        await ExecuteAsync("UPDATE organizations SET key_rotation_days = NULL WHERE id = @Org");
        KeyRotation rotation = NewRotation(StorageFixture.DataSource);

        int changes = await rotation.RunForOrganizationAsync(_acme, _clock.GetUtcNow().AddDays(3650), CancellationToken.None);

        Assert.That(changes, Is.Zero);
        Assert.That((await rotation.ListAsync(_acme, CancellationToken.None)).Select(k => k.State), Is.EqualTo(new[] { "current" }));
    }

    [Test]
    public async Task The_next_rotation_is_counted_from_when_the_new_key_began_signing()
    {
        KeyRotation rotation = NewRotation(StorageFixture.DataSource);
        DateTimeOffset scheduled = _clock.GetUtcNow().AddDays(90);
        await rotation.RunForOrganizationAsync(_acme, scheduled, CancellationToken.None);
        DateTimeOffset activated = scheduled + KeyRotation.PublicationLead;
        await rotation.RunForOrganizationAsync(_acme, activated, CancellationToken.None);

        int early = await rotation.RunForOrganizationAsync(_acme, activated.AddDays(90).AddSeconds(-1), CancellationToken.None);
        IReadOnlyList<SigningKeyInfo> keys = await rotation.ListAsync(_acme, CancellationToken.None);

        Assert.That(early, Is.EqualTo(1), "only the previous key's retirement");
        Assert.That(keys.Select(k => k.State), Is.EqualTo(new[] { "current", "retired" }));
        Assert.That(keys[0].ActivatedAt, Is.EqualTo(activated).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task Two_instances_sweeping_at_once_rotate_exactly_once()
    {
        // A database of its own: the sweep covers every organisation, and this one jumps 90 days ahead.
        await using NpgsqlDataSource first = await StorageFixture.CreateMigratedDatabaseAsync("keyrace");
        await using var second = NpgsqlDataSource.Create(first.ConnectionString);
        long acme = await new PgOrganizationStore(first).CreateAsync("acme", "Acme", CancellationToken.None);
        await NewStore(first).EnsureKeyAsync(acme);
        DateTimeOffset due = _clock.GetUtcNow().AddDays(90);

        int[] changes = await Task.WhenAll(
            Task.Run(() => NewRotation(first).RunOnceAsync(due, CancellationToken.None)),
            Task.Run(() => NewRotation(second).RunOnceAsync(due, CancellationToken.None)));

        await using NpgsqlConnection connection = await first.OpenConnectionAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(changes.Sum(), Is.EqualTo(1));
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signing_keys WHERE state = 'next'"), Is.EqualTo(1));
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE event_type = 'key.rotation_scheduled'"), Is.EqualTo(1));
        }
    }

    private PgSigningKeyStore NewStore(NpgsqlDataSource dataSource) => new(dataSource, new KeyEncryption(_masterKey), _clock);

    private KeyRotation NewRotation(NpgsqlDataSource dataSource) =>
        new(dataSource, NewStore(dataSource), _clock, NullLogger<KeyRotation>.Instance);

    private async Task<string[]> AuditAsync(string eventType)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        IEnumerable<string> rows = await connection.QueryAsync<string>(
            "SELECT (detail->>'actor') || ' ' || (detail->>'kid') FROM audit_events WHERE organization_id = @Org AND event_type = @Type ORDER BY id",
            new { Org = _acme, Type = eventType });
        return [.. rows];
    }

    private async Task ExecuteAsync(string sql)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { Org = _acme });
    }
}
