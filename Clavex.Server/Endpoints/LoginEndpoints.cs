using System.Globalization;
using Clavex.Core;
using Clavex.Core.Authorization;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Users;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Endpoints;

/// <summary>
/// The login and consent forms. Each carries the original authorization request in hidden fields, so the request is
/// validated again on POST and nothing about it is kept on the server between the two steps.
/// </summary>
public static class LoginEndpoints
{
    /// <summary>How long a provider session lasts after a password login.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static RouteGroupBuilder MapLogin(this RouteGroupBuilder group)
    {
        group.MapPost("/login", LoginAsync);
        group.MapPost("/consent", ConsentAsync);
        return group;
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context,
        OpenIdProvider provider,
        SignInFlow flow,
        BrowserPages pages,
        PgUserStore users,
        ISessionStore sessions,
        PasswordHasher hasher,
        PasswordCheckLimiter limiter,
        SessionCookie cookie,
        AuditLog audit,
        TimeProvider timeProvider)
    {
        Organization organization = context.GetOrganization();
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages);
        if (refusal is not null)
        {
            return refusal;
        }

        AuthorizationValidation validation = await provider.Authorization.ValidateAsync(organization, form!.Request, context.RequestAborted);
        if (flow.Refuse(context, organization, validation) is IResult refused)
        {
            return refused;
        }

        AuthorizationRequest request = validation.Request!;
        string username = (form.Get(BrowserForm.UsernameField) ?? string.Empty).Trim();
        string password = form.Get(BrowserForm.PasswordField) ?? string.Empty;

        // A name no user can have is not looked up, nor recorded: its failure reveals nothing.
        bool plausible = username.Length is > 0 and <= 256;
        UserCredentials? account = plausible
            ? await users.FindByUsernameAsync(organization.Id, username, context.RequestAborted)
            : null;
        DateTimeOffset now = timeProvider.GetUtcNow();
        bool locked = account?.LockedUntil > now;
        // A locked account's hash is not verified, but the dummy costs the same, so timing does not reveal the lock.
        PasswordVerification verification = await limiter.RunAsync(
            () => !locked && account?.PasswordHash is { } stored ? hasher.Verify(password, stored) : hasher.VerifyAgainstDummy(password),
            context.RequestAborted);

        string? reason = account is null ? "unknown_user"
            : locked ? "locked"
            : verification == PasswordVerification.Failed ? "wrong_password"
            : !account.User.Enabled ? "disabled"
            : null;
        if (reason is null && !await users.RecordSuccessfulPasswordAsync(organization.Id, account!.User.Subject, now, context.RequestAborted))
        {
            // A concurrent failure locked the account after the lookup read it: the lock wins over the right password.
            reason = "locked";
        }
        else if (reason is not null && plausible)
        {
            // Every failure (unknown user, wrong password, locked, disabled) runs the same one statement before the
            // answer, so the database work does not tell them apart beyond a matched or unmatched row.
            reason = await RecordFailureAsync(context, organization, request.Client.ClientId, users, audit, username, account, reason, now);
        }

        if (reason is not null)
        {
            // The same words for every reason: the page must not tell an attacker which usernames exist.
            audit.Record(context, organization, "login.failed", false, request.Client.ClientId, account?.User.Subject, ("reason", reason), ("username", username));
            return pages.Login(context, request, form.Request, LoginPageModel.IncorrectCredentials);
        }

        User user = account!.User;
        if (verification == PasswordVerification.SucceededRehashNeeded)
        {
            await users.SetPasswordHashAsync(organization.Id, user.Subject, hasher.Hash(password), context.RequestAborted);
        }

        // A new session, with a new secret and id, at every login (session fixation).
        if (cookie.Read(context) is string oldSecret
            && await sessions.FindBySecretAsync(organization.Id, OpaqueToken.Hash(oldSecret), timeProvider.GetUtcNow(), context.RequestAborted) is { } old)
        {
            await sessions.DeleteAsync(organization.Id, old.Id, context.RequestAborted);
        }

        now = timeProvider.GetUtcNow();
        string secret = OpaqueToken.New(OpaqueToken.SecretBytes);
        var session = new AuthenticationSession
        {
            OrganizationId = organization.Id,
            Id = OpaqueToken.New(OpaqueToken.IdentifierBytes),
            Subject = user.Subject,
            AuthTime = now,
            Amr = ["pwd"],
            ExpiresAt = now + SessionLifetime,
        };
        await sessions.CreateAsync(session, OpaqueToken.Hash(secret), context.RequestAborted);
        cookie.Write(context, organization, secret, session.ExpiresAt);
        audit.Record(context, organization, "login.succeeded", true, request.Client.ClientId, user.Subject, ("amr", "pwd"));

        return await flow.ContinueAsync(context, request, form.Request, session, sessionIsFresh: true, consentIsFresh: false);
    }

    /// <summary>
    /// Runs the one statement every failed sign-in runs before it is answered (<see cref="LockoutPolicy"/>), counting a
    /// wrong password of an enabled, unlocked user; returns the reason to audit, <c>locked</c> when a concurrent
    /// failure locked the user after the lookup read it unlocked.
    /// </summary>
    private static async Task<string> RecordFailureAsync(
        HttpContext context, Organization organization, string clientId, PgUserStore users, AuditLog audit, string username, UserCredentials? account, string reason, DateTimeOffset now)
    {
        bool count = reason == "wrong_password" && account!.User.Enabled;
        FailedSignIn recorded = await users.RecordFailedSignInAsync(
            organization.Id, username, count, LockoutPolicy.MaxConsecutiveFailures, now, now + LockoutPolicy.LockDuration, context.RequestAborted);
        if (recorded.StartedLock)
        {
            audit.Record(context, organization, "login.locked", false, clientId, account!.User.Subject,
                ("locked_until", recorded.LockedUntil!.Value.ToString("O", CultureInfo.InvariantCulture)),
                ("failures", LockoutPolicy.MaxConsecutiveFailures.ToString(CultureInfo.InvariantCulture)));
            return reason;
        }

        return count && recorded.LockedUntil is not null ? "locked" : reason;
    }

    private static async Task<IResult> ConsentAsync(
        HttpContext context, OpenIdProvider provider, SignInFlow flow, BrowserPages pages, IConsentStore consents, AuditLog audit, TimeProvider timeProvider)
    {
        Organization organization = context.GetOrganization();
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages);
        if (refusal is not null)
        {
            return refusal;
        }

        AuthorizationValidation validation = await provider.Authorization.ValidateAsync(organization, form!.Request, context.RequestAborted);
        if (flow.Refuse(context, organization, validation) is IResult refused)
        {
            return refused;
        }

        AuthorizationRequest request = validation.Request!;
        AuthenticationSession? session = await flow.CurrentSessionAsync(context, organization);
        if (session is null)
        {
            return pages.Login(context, request, form.Request, error: null);
        }

        if (form.Get(BrowserForm.DecisionField) != FormFieldNames.Allow)
        {
            audit.Record(context, organization, "consent.denied", false, request.Client.ClientId, session.Subject);
            return flow.Deliver(context, AuthorizationResponse.Failure(
                request.RedirectUri, request.ResponseMode, new OAuthError(OAuthErrorCode.AccessDenied, "The user denied the request."), request.State, organization.Issuer));
        }

        await consents.GrantAsync(organization.Id, session.Subject, request.Client.ClientId, request.Scopes, timeProvider.GetUtcNow(), context.RequestAborted);
        audit.Record(context, organization, "consent.given", true, request.Client.ClientId, session.Subject, ("scope", ScopeList.Join(request.Scopes)));
        return await flow.ContinueAsync(context, request, form.Request, session, sessionIsFresh: false, consentIsFresh: true);
    }
}
