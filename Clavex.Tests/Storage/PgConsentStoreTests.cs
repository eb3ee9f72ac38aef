using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgConsentStoreTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    private long _acme;
    private PgConsentStore _store = null!;

    [SetUp]
    public async Task CreateOrganization()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _store = new PgConsentStore(StorageFixture.DataSource);
    }

    [Test]
    public async Task Consent_covers_exactly_the_scopes_granted_in_that_organisation()
    {
        long globex = await StorageFixture.CreateOrganizationAsync();
        await _store.GrantAsync(_acme, "u_1", "jira", ["openid", "email"], Now, CancellationToken.None);
        await _store.GrantAsync(_acme, "u_1", "jira", ["groups"], Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await HasAsync(_acme, "u_1", "jira", "openid", "email", "groups"), Is.True);
            Assert.That(await HasAsync(_acme, "u_1", "jira", "email"), Is.True);
            Assert.That(await HasAsync(_acme, "u_1", "jira", "openid", "phone"), Is.False);
            Assert.That(await HasAsync(_acme, "u_1", "confluence", "openid"), Is.False);
            Assert.That(await HasAsync(_acme, "u_2", "jira", "openid"), Is.False);
            Assert.That(await HasAsync(globex, "u_1", "jira", "openid"), Is.False);
        }
    }

    [Test]
    public async Task An_empty_scope_list_is_always_covered_as_in_memory()
    {
        Assert.That(await HasAsync(_acme, "u_nobody", "jira"), Is.True);
    }

    [Test]
    public async Task Scopes_are_stored_once_each_in_ordinal_order_and_the_time_of_the_last_grant()
    {
        await _store.GrantAsync(_acme, "u_1", "jira", ["openid", "email", "email"], Now, CancellationToken.None);
        await _store.GrantAsync(_acme, "u_1", "jira", ["Groups", "openid"], Now.AddDays(1), CancellationToken.None);

        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        (string[] scopes, DateTime updatedAt) = await connection.QuerySingleAsync<(string[], DateTime)>(
            "SELECT scopes, updated_at FROM consents WHERE organization_id = @Org", new { Org = _acme });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scopes, Is.EqualTo(new[] { "Groups", "email", "openid" }));
            Assert.That(Db.FromUtc(updatedAt), Is.EqualTo(Now.AddDays(1)));
        }
    }

    [Test]
    public async Task Scope_names_are_compared_exactly()
    {
        await _store.GrantAsync(_acme, "u_1", "jira", ["openid"], Now, CancellationToken.None);

        Assert.That(await HasAsync(_acme, "u_1", "jira", "OpenID"), Is.False);
    }

    private async Task<bool> HasAsync(long organizationId, string subject, string clientId, params string[] scopes) =>
        await _store.HasConsentAsync(organizationId, subject, clientId, scopes, CancellationToken.None);
}
