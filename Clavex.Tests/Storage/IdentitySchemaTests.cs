using System.Security.Cryptography;
using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Sessions;
using Clavex.Core.Token;
using Clavex.Core.Users;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>What 0002_identity.sql guarantees by itself, whatever code writes to it.</summary>
public sealed class IdentitySchemaTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    private static readonly string[] OrganizationTables =
    [
        "clients", "client_secrets", "users", "groups", "group_members", "sessions", "authorization_codes", "grants",
        "refresh_tokens", "consents", "replay_cache", "signing_keys", "audit_events",
    ];

    [Test]
    public async Task Deleting_an_organisation_deletes_its_rows_in_every_table_and_nothing_else()
    {
        long doomed = await PopulateAsync();
        long kept = await PopulateAsync();

        await ExecuteAsync("DELETE FROM organizations WHERE id = @Org", doomed);

        foreach (string table in OrganizationTables)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await ScalarAsync($"SELECT count(*) FROM {table} WHERE organization_id = @Org", doomed), Is.Zero, table);
                Assert.That(await ScalarAsync($"SELECT count(*) FROM {table} WHERE organization_id = @Org", kept), Is.Positive, table);
            }
        }
    }

    [Test]
    public async Task A_user_cannot_join_a_group_of_another_organisation()
    {
        long acme = await PopulateAsync();
        long globex = await PopulateAsync();

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            """
            INSERT INTO group_members (organization_id, group_id, user_id)
            SELECT @Org, g.id, u.id FROM groups g, users u WHERE g.organization_id = @Org AND u.organization_id = @Other
            """,
            acme,
            globex));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.ForeignKeyViolation));
    }

    [TestCase("access_token_lifetime_seconds")]
    [TestCase("id_token_lifetime_seconds")]
    public async Task A_signed_token_lifetime_above_a_day_is_refused_even_by_hand(string column)
    {
        long acme = await PopulateAsync();
        await ExecuteAsync($"UPDATE clients SET {column} = 86400 WHERE organization_id = @Org", acme);

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            $"UPDATE clients SET {column} = 86401 WHERE organization_id = @Org", acme));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
            Assert.That(error.ConstraintName, Is.EqualTo("clients_signed_token_lifetimes_at_most_a_day"));
        }
    }

    [Test]
    public async Task An_organisation_has_at_most_one_current_signing_key()
    {
        long acme = await PopulateAsync();

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(
            """
            INSERT INTO signing_keys (organization_id, kid, algorithm, state, public_jwk, private_key, created_at)
            VALUES (@Org, 'second', 'ES256', 'current', '{}', '\x00', now())
            """,
            acme));

        Assert.That(error!.ConstraintName, Is.EqualTo("signing_keys_one_current"));
    }

    /// <summary>A new organisation with at least one row in every table.</summary>
    private static async Task<long> PopulateAsync()
    {
        NpgsqlDataSource dataSource = StorageFixture.DataSource;
        long org = await StorageFixture.CreateOrganizationAsync();
        await new PgClientStore(dataSource).CreateAsync(
            new Client { OrganizationId = org, ClientId = "jira", Secrets = [new ClientSecret("s1", RandomNumberGenerator.GetBytes(32), Now)] }, CancellationToken.None);
        await new PgUserStore(dataSource).CreateAsync(new User { OrganizationId = org, Subject = "u_1", Username = "alice", Groups = ["staff"] }, null, CancellationToken.None);
        await new PgSessionStore(dataSource).CreateAsync(
            new AuthenticationSession { OrganizationId = org, Id = "s_1", Subject = "u_1", AuthTime = Now, ExpiresAt = Now.AddHours(8) },
            RandomNumberGenerator.GetBytes(32),
            CancellationToken.None);
        await new PgAuthorizationCodeStore(dataSource).StoreAsync(
            new AuthorizationCode
            {
                OrganizationId = org, CodeHash = RandomNumberGenerator.GetBytes(32), GrantId = "g_code", ClientId = "jira", RedirectUri = "https://jira/cb",
                Subject = "u_1", Scopes = ["openid"], AuthTime = Now, IssuedAt = Now, ExpiresAt = Now.AddMinutes(1),
            },
            CancellationToken.None);
        await new PgGrantStore(dataSource).CreateAsync(
            new Grant { OrganizationId = org, GrantId = "g_1", ClientId = "jira", Subject = "u_1", Scopes = ["openid"], AuthTime = Now, CreatedAt = Now, ExpiresAt = Now.AddDays(1) },
            new RefreshTokenRecord(RandomNumberGenerator.GetBytes(32), Now, Now.AddHours(8)),
            CancellationToken.None);
        await new PgConsentStore(dataSource).GrantAsync(org, "u_1", "jira", ["openid"], Now, CancellationToken.None);
        await new PgReplayCache(dataSource, new TestClock()).TryAddAsync(org, "jti", Now.AddMinutes(5), CancellationToken.None);
        await new PgSigningKeyStore(dataSource, new KeyEncryption(RandomNumberGenerator.GetBytes(32)), new TestClock()).EnsureKeyAsync(org, Core.Jose.JwsAlgorithm.ES256);
        await ExecuteAsync(
            "INSERT INTO audit_events (organization_id, occurred_at, event_type, outcome, ip) VALUES (@Org, now(), 'token', 'success', '192.0.2.1')", org);
        return org;
    }

    private static async Task ExecuteAsync(string sql, long organizationId, long other = 0)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { Org = organizationId, Other = other });
    }

    private static async Task<long> ScalarAsync(string sql, long organizationId)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { Org = organizationId });
    }
}
