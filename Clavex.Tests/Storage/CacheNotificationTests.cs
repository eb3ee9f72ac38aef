using System.Security.Cryptography;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Server.Storage;
using Clavex.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>Every store that changes cached data announces it on <see cref="CacheChanges.Channel"/> when the change commits.</summary>
public sealed class CacheNotificationTests
{
    [Test]
    public async Task Creating_the_first_signing_key_notifies_a_key_change_and_a_no_op_does_not()
    {
        long organizationId = await StorageFixture.CreateOrganizationAsync();
        var keys = new PgSigningKeyStore(StorageFixture.DataSource, new KeyEncryption(RandomNumberGenerator.GetBytes(32)), new TestClock());

        List<string> payloads = await NotificationsDuringAsync(organizationId, async () =>
        {
            Assert.That(await keys.EnsureKeyAsync(organizationId), Is.True);
            Assert.That(await keys.EnsureKeyAsync(organizationId), Is.False);
        });

        Assert.That(payloads, Is.EqualTo(new[] { CacheChanges.SigningKeys(organizationId) }));
    }

    [Test]
    public async Task Every_client_change_notifies_the_client_and_a_change_of_nothing_does_not()
    {
        long organizationId = await StorageFixture.CreateOrganizationAsync();
        var clients = new PgClientStore(StorageFixture.DataSource);
        var now = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        var client = new Client
        {
            OrganizationId = organizationId, ClientId = "urn:acme:jira", GrantTypes = ["client_credentials"], Scopes = ["api"],
            Secrets = [new ClientSecret("s1", ClientSecrets.Hash("cs_one"), now)],
        };

        List<string> payloads = await NotificationsDuringAsync(organizationId, async () =>
        {
            await clients.CreateAsync(client, CancellationToken.None);
            Assert.That(await clients.UpdateAsync(Disabled(client), CancellationToken.None), Is.Not.Null);
            Assert.That(await clients.AddSecretAsync(organizationId, client.ClientId, new ClientSecret("s2", ClientSecrets.Hash("cs_two"), now), CancellationToken.None), Is.True);
            Assert.That(await clients.RotateSecretAsync(organizationId, client.ClientId, new ClientSecret("s3", ClientSecrets.Hash("cs_three"), now), now, CancellationToken.None), Is.True);
            Assert.That(await clients.DeleteAsync(organizationId, client.ClientId, now, CancellationToken.None), Is.True);
            Assert.That(await clients.DeleteAsync(organizationId, client.ClientId, now, CancellationToken.None), Is.False);
            Assert.That(await clients.UpdateAsync(client, CancellationToken.None), Is.Null);
        });

        Assert.That(payloads, Is.EqualTo(Enumerable.Repeat(CacheChanges.Client(organizationId, "urn:acme:jira"), 5)));
    }

    [Test]
    public async Task Renaming_an_organisation_notifies_it_with_its_slug()
    {
        long organizationId = await StorageFixture.CreateOrganizationAsync();
        var organizations = new PgOrganizationStore(StorageFixture.DataSource);
        string slug = (await organizations.ListAsync(CancellationToken.None)).Single(o => o.Id == organizationId).Slug;

        List<string> payloads = await NotificationsDuringAsync(organizationId, async () =>
        {
            Assert.That(await organizations.SetDisplayNameAsync(slug, "Renamed", CancellationToken.None), Is.Not.Null);
            Assert.That(await organizations.SetDisplayNameAsync("no-such-org", "Renamed", CancellationToken.None), Is.Null);
        });

        Assert.That(payloads, Is.EqualTo(new[] { CacheChanges.Organization(organizationId, slug) }));
    }

    [Test]
    public async Task A_rotation_that_changes_the_algorithm_also_notifies_the_organisation()
    {
        long organizationId = await StorageFixture.CreateOrganizationAsync();
        var clock = new TestClock();
        var keys = new PgSigningKeyStore(StorageFixture.DataSource, new KeyEncryption(RandomNumberGenerator.GetBytes(32)), clock);
        await keys.EnsureKeyAsync(organizationId);
        var rotation = new KeyRotation(StorageFixture.DataSource, keys, clock, NullLogger<KeyRotation>.Instance);
        string slug = (await new PgOrganizationStore(StorageFixture.DataSource).ListAsync(CancellationToken.None)).Single(o => o.Id == organizationId).Slug;

        List<string> payloads = await NotificationsDuringAsync(organizationId, async () =>
        {
            await rotation.RotateAsync(organizationId, JwsAlgorithm.ES256, immediate: true, CancellationToken.None);
            await rotation.RotateAsync(organizationId, JwsAlgorithm.ES256, immediate: true, CancellationToken.None);
        });

        Assert.That(payloads, Is.EqualTo(new[]
        {
            CacheChanges.Organization(organizationId, slug), CacheChanges.SigningKeys(organizationId), CacheChanges.SigningKeys(organizationId),
        }));
    }

    /// <summary>
    /// The payloads on the channel for this test's changes: a marker sent after them is delivered after them (PostgreSQL
    /// delivers notifications in commit order), so waiting for the marker bounds the wait without a sleep.
    /// </summary>
    private static async Task<List<string>> NotificationsDuringAsync(long organizationId, Func<Task> changes)
    {
        string marker = "test:" + Guid.NewGuid().ToString("N");
        var payloads = new List<string>();
        await using NpgsqlConnection listener = await StorageFixture.DataSource.OpenConnectionAsync();
        listener.Notification += (_, e) => payloads.Add(e.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN " + CacheChanges.Channel, listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await changes();
        await using (NpgsqlConnection sender = await StorageFixture.DataSource.OpenConnectionAsync())
        {
            await CacheChanges.NotifyAsync(sender, marker, CancellationToken.None);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!payloads.Contains(marker))
        {
            await listener.WaitAsync(timeout.Token);
        }

        await using (var unlisten = new NpgsqlCommand("UNLISTEN *", listener))
        {
            await unlisten.ExecuteNonQueryAsync();
        }

        // Other tests change other organisations at the same time; only this test's organisation counts.
        return payloads.FindAll(p => CacheChange.TryParse(p, out CacheChange change) && change.OrganizationId == organizationId);
    }

    private static Client Disabled(Client client) => new()
    {
        OrganizationId = client.OrganizationId, ClientId = client.ClientId, Enabled = false, GrantTypes = client.GrantTypes, Scopes = client.Scopes,
    };
}
