namespace Clavex.Server.Admin;

/// <summary>
/// What the admin API needs from the server's configuration, handed in by the composition root so that
/// <c>Admin/</c> does not read <c>Hosting</c>: the admin token every route accepts, and how an organisation's
/// issuer is named from its slug.
/// </summary>
public sealed class AdminSettings(string adminToken, Func<string, string> issuerFor)
{
    /// <summary>The bearer token of the server's operator (<c>CLAVEX_ADMIN_TOKEN</c>).</summary>
    public string AdminToken { get; } = adminToken ?? throw new ArgumentNullException(nameof(adminToken));

    /// <summary>The issuer URL of the organisation with this slug.</summary>
    public string IssuerFor(string slug) => issuerFor(slug);

    // Never shown in a log line or debugger display.
    public override string ToString() => "AdminSettings { AdminToken = [redacted] }";
}
