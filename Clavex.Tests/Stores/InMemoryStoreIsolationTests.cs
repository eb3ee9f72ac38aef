using Clavex.Core.Clients;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Users;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

/// <summary>The simpler in-memory stores: organisations never see each other's data, and the few rules they have.</summary>
public sealed class InMemoryStoreIsolationTests
{
    private const long Acme = 1;
    private const long Globex = 2;

    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    [Test]
    public async Task A_client_is_found_only_in_its_own_organisation()
    {
        var store = new InMemoryClientStore();
        store.Add(new Client { OrganizationId = Acme, ClientId = "jira" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await store.FindAsync(Acme, "jira", CancellationToken.None), Is.Not.Null);
            Assert.That(await store.FindAsync(Globex, "jira", CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task Two_organisations_may_each_have_a_client_with_the_same_id()
    {
        var store = new InMemoryClientStore();
        store.Add(new Client { OrganizationId = Acme, ClientId = "jira", ClientName = "Acme Jira" });
        store.Add(new Client { OrganizationId = Globex, ClientId = "jira", ClientName = "Globex Jira" });

        Client? client = await store.FindAsync(Globex, "jira", CancellationToken.None);

        Assert.That(client!.ClientName, Is.EqualTo("Globex Jira"));
    }

    [Test]
    public async Task A_replaced_client_is_found_in_its_new_form()
    {
        var store = new InMemoryClientStore();
        store.Add(new Client { OrganizationId = Acme, ClientId = "jira" });

        store.Replace(new Client { OrganizationId = Acme, ClientId = "jira", Enabled = false });

        Assert.That((await store.FindAsync(Acme, "jira", CancellationToken.None))!.Enabled, Is.False);
    }

    [Test]
    public void Adding_a_client_twice_or_replacing_a_missing_one_throws()
    {
        var store = new InMemoryClientStore();
        store.Add(new Client { OrganizationId = Acme, ClientId = "jira" });

        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<InvalidOperationException>(() => store.Add(new Client { OrganizationId = Acme, ClientId = "jira" }));
            Assert.Throws<InvalidOperationException>(() => store.Replace(new Client { OrganizationId = Globex, ClientId = "jira" }));
        }
    }

    [Test]
    public async Task A_user_is_found_only_in_its_own_organisation()
    {
        var store = new InMemoryUserStore();
        store.Add(new User { OrganizationId = Acme, Subject = "u_1", Username = "alice" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await store.FindBySubjectAsync(Acme, "u_1", CancellationToken.None))?.Username, Is.EqualTo("alice"));
            Assert.That(await store.FindBySubjectAsync(Globex, "u_1", CancellationToken.None), Is.Null);
        }
    }

    private static byte[] Secret(string name) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("secret-" + name));

    [Test]
    public async Task A_session_is_found_until_it_expires_and_only_in_its_organisation()
    {
        var store = new InMemorySessionStore();
        await store.CreateAsync(NewSession(Acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await store.FindBySecretAsync(Acme, Secret("s_1"), Now.AddHours(8).AddTicks(-1), CancellationToken.None), Is.Not.Null);
            Assert.That(await store.FindBySecretAsync(Globex, Secret("s_1"), Now, CancellationToken.None), Is.Null);
            Assert.That(await store.FindBySecretAsync(Acme, Secret("s_1"), Now.AddHours(8), CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_session_is_not_found_by_its_public_id()
    {
        var store = new InMemorySessionStore();
        await store.CreateAsync(NewSession(Acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        Assert.That(await store.FindBySecretAsync(Acme, System.Text.Encoding.UTF8.GetBytes("s_1"), Now, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Deleting_a_subjects_sessions_spares_other_subjects_and_organisations()
    {
        var store = new InMemorySessionStore();
        await store.CreateAsync(NewSession(Acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);
        await store.CreateAsync(NewSession(Acme, "s_2", "u_1"), Secret("s_2"), CancellationToken.None);
        await store.CreateAsync(NewSession(Acme, "s_3", "u_2"), Secret("s_3"), CancellationToken.None);
        await store.CreateAsync(NewSession(Globex, "s_4", "u_1"), Secret("s_4"), CancellationToken.None);

        int deleted = await store.DeleteAllForSubjectAsync(Acme, "u_1", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.EqualTo(2));
            Assert.That(await store.FindBySecretAsync(Acme, Secret("s_1"), Now, CancellationToken.None), Is.Null);
            Assert.That(await store.FindBySecretAsync(Acme, Secret("s_3"), Now, CancellationToken.None), Is.Not.Null);
            Assert.That(await store.FindBySecretAsync(Globex, Secret("s_4"), Now, CancellationToken.None), Is.Not.Null);
        }
    }

    [Test]
    public async Task Consent_covers_exactly_the_scopes_granted_in_that_organisation()
    {
        var store = new InMemoryConsentStore();
        await store.GrantAsync(Acme, "u_1", "jira", ["openid", "email"], Now, CancellationToken.None);
        await store.GrantAsync(Acme, "u_1", "jira", ["groups"], Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await store.HasConsentAsync(Acme, "u_1", "jira", ["openid", "email", "groups"], CancellationToken.None), Is.True);
            Assert.That(await store.HasConsentAsync(Acme, "u_1", "jira", ["openid", "phone"], CancellationToken.None), Is.False);
            Assert.That(await store.HasConsentAsync(Acme, "u_1", "confluence", ["openid"], CancellationToken.None), Is.False);
            Assert.That(await store.HasConsentAsync(Globex, "u_1", "jira", ["openid"], CancellationToken.None), Is.False);
        }
    }

    [Test]
    public async Task Signing_keys_are_found_for_the_organisation_they_were_set_for()
    {
        var store = new InMemorySigningKeyStore();
        var keys = new SigningKeys(Jose.TestKeys.ES256, [Jose.TestKeys.ES256]);
        store.Set(Acme, keys);

        Assert.That(await store.GetAsync(Acme, CancellationToken.None), Is.SameAs(keys));
    }

    [Test]
    public async Task An_organisation_without_signing_keys_is_a_set_up_error()
    {
        var store = new InMemorySigningKeyStore();
        store.Set(Acme, new SigningKeys(Jose.TestKeys.ES256, [Jose.TestKeys.ES256]));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.GetAsync(Globex, CancellationToken.None));
    }

    private static AuthenticationSession NewSession(long organizationId, string id, string subject) => new()
    {
        OrganizationId = organizationId,
        Id = id,
        Subject = subject,
        AuthTime = Now,
        ExpiresAt = Now.AddHours(8),
    };
}
