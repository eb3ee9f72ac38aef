using System.Security.Cryptography;
using System.Text;
using Clavex.Server.Hosting;
using Clavex.Server.Http;
using Microsoft.Net.Http.Headers;

namespace Clavex.Server.Admin;

/// <summary>
/// The admin API's one credential: <c>Authorization: Bearer</c> with <see cref="ClavexSettings.AdminToken"/>. Both
/// sides are hashed first, so the comparison takes the same time whatever the presented token's length or content.
/// </summary>
public sealed class AdminAuthentication(ClavexSettings settings)
{
    /// <summary>Who the audit log names as the actor of a change made with the admin token.</summary>
    public const string Actor = "admin";

    private const string Challenge = "Bearer realm=\"clavex-admin\"";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(settings.AdminToken));

    public bool IsAuthorized(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? token = ProtocolRequest.ReadBearer(request);
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token ?? string.Empty), presented);
        // Evaluated even without a token, so a missing header takes as long as a wrong one.
        bool equal = CryptographicOperations.FixedTimeEquals(presented, _expected);
        return token is not null && equal;
    }

    /// <summary>RFC 6750 §3: 401 with a Bearer challenge.</summary>
    public static IResult Refuse(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers[HeaderNames.WWWAuthenticate] = Challenge;
        string? token = ProtocolRequest.ReadBearer(context.Request);
        // The Jira guide's curl quotes the header in single quotes, so the shell sends "$ADMIN_TOKEN" unexpanded.
        string description = token is { Length: > 1 } && token[0] == '$'
            ? "The bearer token starts with '$', like a shell variable that was not expanded: quote the header with double quotes (\"Authorization: Bearer $ADMIN_TOKEN\")."
            : "The admin API needs 'Authorization: Bearer' with the admin token (CLAVEX_ADMIN_TOKEN).";
        return AdminResults.Error(new AdminError("invalid_token", description, StatusCodes.Status401Unauthorized));
    }
}
