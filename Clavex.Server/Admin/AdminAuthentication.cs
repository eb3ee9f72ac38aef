using System.Security.Cryptography;
using System.Text;
using Clavex.Server.Http;
using Microsoft.Net.Http.Headers;

namespace Clavex.Server.Admin;

/// <summary>
/// The admin API's credentials, as <c>Authorization: Bearer</c>: the admin token (<see cref="AdminSettings.AdminToken"/>)
/// for every route, or, for the routes of one organisation only, an access token of one of its admins
/// (<see cref="OrganizationAdminTokens"/>). The admin token is compared after hashing both sides, so the comparison
/// takes the same time whatever the presented token's length or content.
/// </summary>
public sealed class AdminAuthentication(AdminSettings settings, OrganizationAdminTokens organizationAdmins)
{
    /// <summary>Who the audit log names as the actor of a change made with the admin token.</summary>
    public const string Actor = "admin";

    private static readonly object ActorKey = new();

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

    /// <summary>
    /// Authenticates the request and records its actor (<see cref="ActorOf"/>); null when it may proceed, else the
    /// refusal. An access token is considered only on routes marked <see cref="OrganizationScoped"/>, and only for
    /// the organisation of the route's <c>{org}</c>.
    /// </summary>
    public async Task<IResult?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsAuthorized(context.Request))
        {
            context.Items[ActorKey] = Actor;
            return null;
        }

        string? token = ProtocolRequest.ReadBearer(context.Request);
        if (token is null || token.Split('.').Length != 3)
        {
            return Refuse(context);
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<OrganizationScoped>() is null || context.GetRouteValue("org") is not string slug)
        {
            return Refuse(context, new AdminError("invalid_token",
                "An organisation admin's access token is accepted only under /api/v1/organizations/{org}/ (clients, users, groups, signing keys, audit events); "
                + "this route needs the admin token (CLAVEX_ADMIN_TOKEN).",
                StatusCodes.Status401Unauthorized));
        }

        (string? subject, AdminError? error) = await organizationAdmins.AuthenticateAsync(slug, token, context.RequestAborted);
        if (subject is null)
        {
            return Refuse(context, error!);
        }

        context.Items[ActorKey] = subject;
        return null;
    }

    /// <summary>The actor of the request for the audit log: <see cref="Actor"/>, or the subject of the organisation admin.</summary>
    public static string ActorOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ActorKey, out object? actor) && actor is string value ? value : Actor;
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

    /// <summary>RFC 6750 §3: 401 <c>invalid_token</c> or 403 <c>insufficient_scope</c>, with the error in the challenge.</summary>
    private static IResult Refuse(HttpContext context, AdminError error)
    {
        string challenge = $"{Challenge}, error=\"{error.Code}\", error_description=\"{error.Description.Replace("\"", "'", StringComparison.Ordinal)}\"";
        if (error.StatusCode == StatusCodes.Status403Forbidden)
        {
            challenge += $", scope=\"{OrganizationAdminTokens.Scope}\"";
        }

        context.Response.Headers[HeaderNames.WWWAuthenticate] = challenge;
        return AdminResults.Error(error);
    }
}

/// <summary>Marks the routes of one organisation (<c>/organizations/{org}/…</c>), where its admins' access tokens are accepted.</summary>
public sealed class OrganizationScoped
{
    public static readonly OrganizationScoped Instance = new();

    private OrganizationScoped()
    {
    }
}
