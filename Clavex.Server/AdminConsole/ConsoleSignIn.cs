using System.Security.Cryptography;
using System.Text;
using Clavex.Core;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;
using Clavex.Server.Admin;
using Clavex.Server.Audit;
using Clavex.Server.Http;

namespace Clavex.Server.AdminConsole;

/// <summary>An admin signed in to the console: who, and the access token every admin API call is made with.</summary>
public sealed record ConsoleAdmin(string Subject, string Username, string AccessToken)
{
    public override string ToString() => $"ConsoleAdmin {{ Subject = {Subject}, Username = {Username} }}";
}

/// <summary>
/// How an admin gets into the console: a real authorization request of the organisation's <see cref="ConsoleClient"/>
/// (code + PKCE, state and verifier in a cookie only this browser holds), whose callback redeems the code at the token
/// service and keeps the access token in an HttpOnly cookie scoped to <c>/{org}/admin</c>. Every console request then
/// presents that token to <see cref="OrganizationAdminTokens"/>, the check the admin API makes of any admin's token:
/// signature, expiry, the grant not revoked, the client enabled, the user enabled and in <c>clavex-admins</c>.
/// </summary>
public sealed class ConsoleSignIn(
    ConsoleClient client, OpenIdProvider provider, OrganizationAdminTokens admins, IUserStore users, AuditLog audit, CookieSecurity security, BrowserPages pages)
{
    private const string FlowCookieName = "clavex-console-flow";
    private const string TokenCookieName = "clavex-console";

    /// <summary>The console's path for the organisation: <c>/{org}/admin</c>.</summary>
    public static string Base(Organization organization) => "/" + (organization ?? throw new ArgumentNullException(nameof(organization))).Slug + "/admin";

    /// <summary>The signed-in admin, or the answer for a browser that is not one: the sign-in redirect, or a 403 page.</summary>
    public async Task<(ConsoleAdmin? Admin, IResult? Refusal)> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Organization organization = context.GetOrganization();
        string? token = context.Request.Cookies[TokenCookieName];
        if (string.IsNullOrEmpty(token))
        {
            return (null, await StartAsync(context, ReturnPathOf(context)));
        }

        (string? subject, AdminError? error) = await admins.AuthenticateAsync(organization.Slug, token, context.RequestAborted);
        if (subject is null)
        {
            context.Response.Cookies.Delete(TokenCookieName, Cookie(organization, null));
            if (error!.StatusCode != StatusCodes.Status403Forbidden)
            {
                return (null, await StartAsync(context, ReturnPathOf(context)));
            }

            // Still signed in, but no longer an admin (removed from the group since the token was issued).
            audit.Record(context, organization, "console.access_refused", false, ConsoleClient.ClientId, null, ("reason", error.Code));
            return (null, NotAnAdmin(context, error.Description));
        }

        User? user = await users.FindBySubjectAsync(organization.Id, subject, context.RequestAborted);
        return (new ConsoleAdmin(subject, user?.Username ?? subject, token), null);
    }

    /// <summary>An authorization request of the console client; after it, the browser comes back to <paramref name="returnPath"/>.</summary>
    public async Task<IResult> StartAsync(HttpContext context, string returnPath)
    {
        ArgumentNullException.ThrowIfNull(context);
        Organization organization = context.GetOrganization();
        Client console = await client.EnsureAsync(organization, context.RequestAborted);
        if (!console.Enabled)
        {
            return pages.Error(context, _ => "The admin console is turned off",
                _ => $"Client {ConsoleClient.ClientId} of this organisation is disabled. Enable it with the admin API to open the console again.", StatusCodes.Status403Forbidden);
        }

        (string location, string state, string verifier) = FirstPartyClient.SignInRequest(
            organization, ConsoleClient.ClientId, ConsoleClient.RedirectUri(organization), Scopes.OpenId + " " + OrganizationAdminTokens.Scope);
        string back = Base64UrlEncoding.Encode(Encoding.UTF8.GetBytes(IsConsolePath(organization, returnPath) ? returnPath : Base(organization)));
        context.Response.Cookies.Append(FlowCookieName, state + "." + verifier + "." + back, Cookie(organization, TimeSpan.FromMinutes(10)));
        return Results.Redirect(location, permanent: false, preserveMethod: false);
    }

    /// <summary>The redirect back from /authorize: the code redeemed like any client's, with the verifier only this browser holds.</summary>
    public async Task<IResult> CallbackAsync(HttpContext context, string? code, string? state, string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        Organization organization = context.GetOrganization();
        string[] flow = (context.Request.Cookies[FlowCookieName] ?? string.Empty).Split('.');
        context.Response.Cookies.Delete(FlowCookieName, Cookie(organization, null));
        if (flow.Length != 3 || state is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(flow[0]), Encoding.ASCII.GetBytes(state)))
        {
            return pages.Error(context, t => t.AccountLinkExpiredTitle, _ => "Open the admin console again to sign in.", StatusCodes.Status400BadRequest);
        }

        if (error is not null || code is null)
        {
            return pages.Error(context, _ => "You are not signed in to the console",
                _ => $"The sign-in did not complete ({(error is { Length: <= 64 } ? error : "no code")}). Open the admin console again.", StatusCodes.Status400BadRequest);
        }

        TokenResult result = await FirstPartyClient.RedeemAsync(
            provider, organization, ConsoleClient.ClientId, ConsoleClient.RedirectUri(organization), code, flow[1], context.RequestAborted);
        audit.TokenRequest(context, organization, result);
        if (result.Response is not TokenResponse tokens)
        {
            return pages.Error(context, _ => "You are not signed in to the console", _ => "The sign-in could not be completed. Open the admin console again.", StatusCodes.Status400BadRequest);
        }

        (string? subject, AdminError? refused) = await admins.AuthenticateAsync(organization.Slug, tokens.AccessToken, context.RequestAborted);
        if (subject is null)
        {
            audit.Record(context, organization, "console.access_refused", false, ConsoleClient.ClientId, result.Subject, ("reason", refused!.Code));
            return NotAnAdmin(context, refused.Description);
        }

        audit.Record(context, organization, "console.signed_in", true, ConsoleClient.ClientId, subject);
        context.Response.Cookies.Append(TokenCookieName, tokens.AccessToken, Cookie(organization, TimeSpan.FromSeconds(tokens.ExpiresIn)));
        string back = DecodePath(flow[2]);
        return Results.Redirect(IsConsolePath(organization, back) ? back : Base(organization), permanent: false, preserveMethod: false);
    }

    /// <summary>
    /// Forgets the console's token in this browser and revokes its grant (RFC 7009, as the public client it was issued
    /// to), so the token is dead at the admin API too; needs no valid token, so an expired one never leads back through
    /// /authorize. The Clavex session itself is ended at /logout.
    /// </summary>
    public async Task SignOutAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Organization organization = context.GetOrganization();
        string? token = context.Request.Cookies[TokenCookieName];
        context.Response.Cookies.Delete(TokenCookieName, Cookie(organization, null));
        string? subject = null;
        if (!string.IsNullOrEmpty(token))
        {
            (subject, _) = await admins.AuthenticateAsync(organization.Slug, token, context.RequestAborted);
            await provider.Revocation.HandleAsync(organization,
                new ProtocolParameters([new(ParameterNames.Token, token), new(ParameterNames.ClientId, ConsoleClient.ClientId)]), null, context.RequestAborted);
        }

        audit.Record(context, organization, "console.signed_out", true, ConsoleClient.ClientId, subject);
    }

    private IResult NotAnAdmin(HttpContext context, string reason) =>
        pages.Error(context, _ => "This account cannot open the admin console",
            _ => $"{reason} Only enabled members of the group {OrganizationAdminTokens.AdminGroup} may administer this organisation; ask one of them to add you.",
            StatusCodes.Status403Forbidden);

    /// <summary>Where to come back to after signing in: this page for a GET, the console's start for a form that cannot be replayed.</summary>
    private static string ReturnPathOf(HttpContext context) =>
        // Encoded, as the Location header must be: a group named "Qualität" is /groups/Qualit%C3%A4t, never raw UTF-8.
        HttpMethods.IsGet(context.Request.Method) ? context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent() : Base(context.GetOrganization());

    /// <summary>Only a path of this organisation's console: never another site, another organisation or a protocol endpoint.</summary>
    private static bool IsConsolePath(Organization organization, string path)
    {
        string prefix = Base(organization);
        return path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] is '/' or '?')
            && !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal);
    }

    private static string DecodePath(string encoded)
    {
        byte[] buffer = new byte[Base64UrlEncoding.GetDecodedLength(Math.Min(encoded.Length, 4096))];
        return encoded.Length <= 4096 && Base64UrlEncoding.TryDecode(encoded, buffer, out int written) ? Encoding.UTF8.GetString(buffer, 0, written) : string.Empty;
    }

    private CookieOptions Cookie(Organization organization, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = security.Secure,
        // Lax, not Strict: the callback and the page after it are reached by redirects from /authorize, which a link
        // from another site may have started. Every change is a POST with the antiforgery token.
        SameSite = SameSiteMode.Lax,
        Path = Base(organization),
        MaxAge = maxAge,
        IsEssential = true,
    };
}
