using System.Security.Cryptography;
using Clavex.Server.Hosting;
using Clavex.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clavex.Tests.Server;

/// <summary>A production instance runs the sweeps over every organisation; test servers leave them to the tests.</summary>
public sealed class BackgroundSweepTests
{
    [TestCase(true, ExpectedResult = new[] { "KeyRotationService", "PurgeService" })]
    [TestCase(false, ExpectedResult = new string[0])]
    public async Task<string[]> The_key_rotation_and_purge_sweeps_run_unless_turned_off(bool runSweeps)
    {
        var settings = new ClavexSettings
        {
            PublicBaseUrl = new Uri("https://id.acme.eu"),
            ConnectionString = PostgresFixture.ConnectionString,
            MasterKey = RandomNumberGenerator.GetBytes(32),
            AdminToken = ClavexTestServer.AdminToken,
            RunBackgroundSweeps = runSweeps,
        };
        await using WebApplication app = ClavexApp.Build(settings, []);

        return [.. app.Services.GetServices<IHostedService>()
            .Select(s => s.GetType().Name)
            .Where(name => name is "KeyRotationService" or "PurgeService")
            .Order(StringComparer.Ordinal)];
    }

    [Test]
    public void Sweeps_are_on_by_default()
    {
        var settings = new ClavexSettings
        {
            PublicBaseUrl = new Uri("https://id.acme.eu"), ConnectionString = "Host=localhost", MasterKey = new byte[32], AdminToken = ClavexTestServer.AdminToken,
        };

        Assert.That(settings.RunBackgroundSweeps, Is.True);
    }
}
