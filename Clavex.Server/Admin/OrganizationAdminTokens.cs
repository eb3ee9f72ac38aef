using Clavex.Core;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;
using Clavex.Server.Storage;

namespace Clavex.Server.Admin;

/// <summary>
/// The second admin credential: a Clavex access token of organisation X, for the routes under
/// <c>/api/v1/organizations/X/…</c> only. It is accepted when it validates as X's own access token (signature with X's
/// published keys, <c>iss</c> and <c>aud</c> X's issuer, <c>typ</c> <c>at+jwt</c>, not expired), carries
/// <see cref="Scope"/>, was issued to a user (its grant is not revoked and its client still enabled), and that user is
/// now an enabled member of X's <see cref="AdminGroup"/>. Group membership and the user's state are read at every
/// request, so removing someone from the group or disabling them takes effect at once, not at token expiry.
/// </summary>
/// <remarks>
/// RFC 6750 §3.1: a token that is not (or no longer) valid answers 401 <c>invalid_token</c>; a valid token that does
/// not carry the privilege (no <see cref="Scope"/>, not a user's token, or the user is not in the admin group)
/// answers 403 <c>insufficient_scope</c>.
/// </remarks>
public sealed class OrganizationAdminTokens(
    PgOrganizationStore organizations, OpenIdProvider provider, IClientStore clients, IUserStore users, AdminSettings settings)
{
    /// <summary>The scope a client must be registered for and request to get an admin-capable access token.</summary>
    public const string Scope = "clavex:admin";

    /// <summary>The group of an organisation whose enabled members may administer it with such a token.</summary>
    public const string AdminGroup = "clavex-admins";

    /// <summary>The subject of the organisation admin the token belongs to, or why it is refused.</summary>
    public async Task<(string? Subject, AdminError? Error)> AuthenticateAsync(string slug, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        ArgumentNullException.ThrowIfNull(token);
        OrganizationRecord? record = slug.Length is > 0 and <= 63 ? await organizations.FindBySlugAsync(slug, cancellationToken) : null;
        if (record is null)
        {
            // Not "no such organisation": a caller without a credential learns nothing about which exist.
            return Invalid("The bearer token is neither the admin token nor a valid access token of this organisation.");
        }

        var organization = new Organization(record.Id, record.Slug, settings.IssuerFor(record.Slug));
        AccessTokenValidator accessTokens = provider.AccessTokens;
        string? subject, clientId, grantId;
        IReadOnlyList<string> scopes;
        using (ValidatedAccessToken validation = await accessTokens.ValidateAsync(
            organization, token, AccessTokenValidator.OwnTokenClockSkew, cancellationToken))
        {
            if (!validation.IsValid)
            {
                return Invalid(validation.Outcome == JwtValidationOutcome.Expired
                    ? "The access token has expired."
                    : "The bearer token is neither the admin token nor a valid access token of this organisation.");
            }

            (subject, clientId, grantId, scopes) = (validation.Subject, validation.ClientId, validation.GrantId, validation.Scopes);
        }

        if (!ScopeList.Contains(scopes, Scope))
        {
            return Insufficient($"The access token does not carry the scope '{Scope}'.");
        }

        if (subject is null || clientId is null || grantId is null)
        {
            // A client_credentials token has no grant and its subject is the client: it acts for no user.
            return Insufficient("The access token was not issued to a user.");
        }

        if (!await accessTokens.IsGrantActiveAsync(organization, grantId, cancellationToken))
        {
            return Invalid("The access token has been revoked.");
        }

        Client? client = await clients.FindAsync(record.Id, clientId, cancellationToken);
        if (client is not { Enabled: true })
        {
            return Invalid("The client of this access token is no longer active.");
        }

        User? user = await users.FindBySubjectAsync(record.Id, subject, cancellationToken);
        if (user is not { Enabled: true })
        {
            return Invalid("The user of this access token is no longer active.");
        }

        return IsAdmin(user)
            ? (user.Subject, null)
            : Insufficient($"The user of this access token is not in the organisation's admin group '{AdminGroup}'.");
    }

    private static bool IsAdmin(User user)
    {
        foreach (string group in user.Groups)
        {
            if (string.Equals(group, AdminGroup, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static (string?, AdminError?) Invalid(string description) =>
        (null, new AdminError("invalid_token", description, StatusCodes.Status401Unauthorized));

    private static (string?, AdminError?) Insufficient(string description) =>
        (null, new AdminError("insufficient_scope", description, StatusCodes.Status403Forbidden));
}
