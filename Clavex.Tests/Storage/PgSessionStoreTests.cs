using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Sessions;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgSessionStoreTests
{
    private static readonly DateTimeOffset Now = TestClock.DefaultStart;

    private long _acme;
    private long _globex;
    private PgSessionStore _store = null!;

    [SetUp]
    public async Task CreateOrganizations()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _globex = await StorageFixture.CreateOrganizationAsync();
        _store = new PgSessionStore(StorageFixture.DataSource);
    }

    [Test]
    public async Task A_session_is_found_by_its_secret_with_all_its_members()
    {
        AuthenticationSession session = NewSession(_acme, "s_1", "u_1") with { Amr = ["pwd", "otp"], Acr = "urn:clavex:acr:mfa" };
        await _store.CreateAsync(session, Secret("s_1"), CancellationToken.None);

        AuthenticationSession? found = await _store.FindBySecretAsync(_acme, Secret("s_1"), Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found!.OrganizationId, Is.EqualTo(_acme));
            Assert.That(found.Id, Is.EqualTo("s_1"));
            Assert.That(found.Subject, Is.EqualTo("u_1"));
            Assert.That(found.AuthTime, Is.EqualTo(session.AuthTime));
            Assert.That(found.Amr, Is.EqualTo(new[] { "pwd", "otp" }));
            Assert.That(found.Acr, Is.EqualTo("urn:clavex:acr:mfa"));
            Assert.That(found.ExpiresAt, Is.EqualTo(session.ExpiresAt));
        }
    }

    [Test]
    public async Task A_session_is_found_until_it_expires_and_only_in_its_organisation()
    {
        await _store.CreateAsync(NewSession(_acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _store.FindBySecretAsync(_acme, Secret("s_1"), Now.AddHours(8).AddTicks(-10), CancellationToken.None), Is.Not.Null);
            Assert.That(await _store.FindBySecretAsync(_globex, Secret("s_1"), Now, CancellationToken.None), Is.Null);
            Assert.That(await _store.FindBySecretAsync(_acme, Secret("s_1"), Now.AddHours(8), CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_session_is_not_found_by_its_public_id()
    {
        await _store.CreateAsync(NewSession(_acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        Assert.That(await _store.FindBySecretAsync(_acme, Encoding.UTF8.GetBytes("s_1"), Now, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_session_id_taken_in_the_organisation_is_refused_but_another_organisation_may_use_it()
    {
        await _store.CreateAsync(NewSession(_acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(() => _store.CreateAsync(NewSession(_acme, "s_1", "u_2"), Secret("other"), CancellationToken.None));
        await _store.CreateAsync(NewSession(_globex, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.ConstraintName, Is.EqualTo("sessions_id_unique"));
            Assert.That((await _store.FindBySecretAsync(_globex, Secret("s_1"), Now, CancellationToken.None))?.Id, Is.EqualTo("s_1"));
        }
    }

    [Test]
    public async Task Deleting_a_session_by_its_id_ends_it_in_that_organisation_only()
    {
        await _store.CreateAsync(NewSession(_acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);
        await _store.CreateAsync(NewSession(_globex, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);

        await _store.DeleteAsync(_acme, "s_1", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _store.FindBySecretAsync(_acme, Secret("s_1"), Now, CancellationToken.None), Is.Null);
            Assert.That(await _store.FindBySecretAsync(_globex, Secret("s_1"), Now, CancellationToken.None), Is.Not.Null);
        }
    }

    [Test]
    public async Task Deleting_a_subjects_sessions_spares_other_subjects_and_organisations()
    {
        await _store.CreateAsync(NewSession(_acme, "s_1", "u_1"), Secret("s_1"), CancellationToken.None);
        await _store.CreateAsync(NewSession(_acme, "s_2", "u_1"), Secret("s_2"), CancellationToken.None);
        await _store.CreateAsync(NewSession(_acme, "s_3", "u_2"), Secret("s_3"), CancellationToken.None);
        await _store.CreateAsync(NewSession(_globex, "s_4", "u_1"), Secret("s_4"), CancellationToken.None);

        int deleted = await _store.DeleteAllForSubjectAsync(_acme, "u_1", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.EqualTo(2));
            Assert.That(await _store.FindBySecretAsync(_acme, Secret("s_1"), Now, CancellationToken.None), Is.Null);
            Assert.That(await _store.FindBySecretAsync(_acme, Secret("s_2"), Now, CancellationToken.None), Is.Null);
            Assert.That(await _store.FindBySecretAsync(_acme, Secret("s_3"), Now, CancellationToken.None), Is.Not.Null);
            Assert.That(await _store.FindBySecretAsync(_globex, Secret("s_4"), Now, CancellationToken.None), Is.Not.Null);
        }
    }

    private static byte[] Secret(string name) => SHA256.HashData(Encoding.UTF8.GetBytes("secret-" + name));

    private static AuthenticationSession NewSession(long organizationId, string id, string subject) => new()
    {
        OrganizationId = organizationId,
        Id = id,
        Subject = subject,
        AuthTime = Now,
        Amr = ["pwd"],
        ExpiresAt = Now.AddHours(8),
    };
}
