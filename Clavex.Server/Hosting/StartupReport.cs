using System.Globalization;
using System.Text;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Clavex.Server.Hosting;

/// <summary>
/// What an operator reads first in the log once Clavex listens: the version, the public base URL and the addresses it
/// listens on, the organisations it serves with their issuers, and where the admin API and <c>/metrics</c> answer.
/// Written once, when the host has started; a database that does not answer at that moment is said so, not fatal.
/// </summary>
public sealed partial class StartupReport(
    IHostApplicationLifetime lifetime, IServer server, PgOrganizationStore organizations, ClavexSettings settings, ILogger<StartupReport> logger) : IHostedService
{
    /// <summary>More organisations than this are counted, not listed.</summary>
    public const int MaxListed = 20;

    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = lifetime.ApplicationStarted.Register(() => _ = WriteAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _started.DisposeAsync().AsTask();

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        string addresses = server.Features.Get<IServerAddressesFeature>() is { Addresses.Count: > 0 } feature
            ? string.Join(", ", feature.Addresses)
            : "(unknown)";
        string baseUrl = settings.PublicBaseUrl.AbsoluteUri.TrimEnd('/');
        Started(logger, ClavexCommand.Version, baseUrl, addresses);
        Endpoints(logger, baseUrl + "/api/v1", settings.MetricsPort is int port
            ? "/metrics on port " + port.ToString(CultureInfo.InvariantCulture) + " (every interface)"
            : "/metrics on the main port, from this machine (loopback) only");
        try
        {
            IReadOnlyList<OrganizationDetails> all = await organizations.ListAsync(cancellationToken);
            Organizations(logger, all.Count, Describe(all));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
        {
            OrganizationsUnknown(logger, e.GetType().Name);
        }
    }

    private string Describe(IReadOnlyList<OrganizationDetails> all)
    {
        if (all.Count == 0)
        {
            return "none yet: create one with POST /api/v1/organizations";
        }

        var text = new StringBuilder();
        for (int i = 0; i < all.Count && i < MaxListed; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(all[i].Slug).Append(" (").Append(settings.IssuerFor(all[i].Slug)).Append(')');
        }

        if (all.Count > MaxListed)
        {
            text.Append(CultureInfo.InvariantCulture, $" and {all.Count - MaxListed} more");
        }

        return text.ToString();
    }

    [LoggerMessage(1, LogLevel.Information, "Clavex {Version} started: public base URL {PublicBaseUrl}, listening on {Addresses}")]
    private static partial void Started(ILogger logger, string version, string publicBaseUrl, string addresses);

    [LoggerMessage(2, LogLevel.Information, "Admin API at {AdminApi}; metrics: {Metrics}")]
    private static partial void Endpoints(ILogger logger, string adminApi, string metrics);

    [LoggerMessage(3, LogLevel.Information, "Serving {Count} organisation(s): {Organizations}")]
    private static partial void Organizations(ILogger logger, int count, string organizations);

    [LoggerMessage(4, LogLevel.Warning, "Could not list the organisations at start ({Error}); they are served as the database answers")]
    private static partial void OrganizationsUnknown(ILogger logger, string error);
}
