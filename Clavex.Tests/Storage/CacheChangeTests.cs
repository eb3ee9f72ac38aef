using Clavex.Server.Storage;

namespace Clavex.Tests.Storage;

public sealed class CacheChangeTests
{
    [TestCase("org:42:acme", CacheChangeKind.Organization, 42L, "acme")]
    [TestCase("client:42:atlassian", CacheChangeKind.Client, 42L, "atlassian")]
    [TestCase("client:42:urn:acme:jira", CacheChangeKind.Client, 42L, "urn:acme:jira")]
    [TestCase("client:7::", CacheChangeKind.Client, 7L, ":")]
    [TestCase("keys:9223372036854775807", CacheChangeKind.SigningKeys, long.MaxValue, "")]
    public void Payloads_the_contract_writes_are_read_back(string payload, CacheChangeKind kind, long organizationId, string key)
    {
        Assert.That(CacheChange.TryParse(payload, out CacheChange change), Is.True);
        Assert.That(change, Is.EqualTo(new CacheChange(kind, organizationId, key)));
    }

    [Test]
    public void The_contracts_own_payloads_round_trip()
    {
        Assert.That(CacheChange.TryParse(CacheChanges.Client(3, "a:b:c"), out CacheChange client), Is.True);
        Assert.That(CacheChange.TryParse(CacheChanges.Organization(4, "acme"), out CacheChange organization), Is.True);
        Assert.That(CacheChange.TryParse(CacheChanges.SigningKeys(5), out CacheChange keys), Is.True);

        Assert.That(client, Is.EqualTo(new CacheChange(CacheChangeKind.Client, 3, "a:b:c")));
        Assert.That(organization, Is.EqualTo(new CacheChange(CacheChangeKind.Organization, 4, "acme")));
        Assert.That(keys, Is.EqualTo(new CacheChange(CacheChangeKind.SigningKeys, 5, "")));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("client")]
    [TestCase("client:42")]
    [TestCase("client:42:")]
    [TestCase("org:42")]
    [TestCase("org:42:")]
    [TestCase("keys:42:extra")]
    [TestCase("keys:")]
    [TestCase("keys:-1")]
    [TestCase("keys: 42")]
    [TestCase("keys:99999999999999999999")]
    [TestCase("user:42:alice")]
    [TestCase("CLIENT:42:atlassian")]
    public void Anything_else_is_unreadable(string? payload)
    {
        Assert.That(CacheChange.TryParse(payload, out CacheChange change), Is.False);
        Assert.That(change, Is.EqualTo(default(CacheChange)));
    }

    [TestCase(0, 0)]
    [TestCase(1, 500)]
    [TestCase(2, 1000)]
    [TestCase(6, 16000)]
    [TestCase(7, 30000)]
    [TestCase(1000, 30000)]
    public void Reconnecting_backs_off_from_at_once_to_thirty_seconds(int failures, int milliseconds)
    {
        Assert.That(CacheChangeListener.RetryDelay(failures), Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
