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
        LoginAttempts attempts,
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

        UserCredentials? account = username.Length is > 0 and <= 256
            ? await users.FindByUsernameAsync(organization.Id, username, context.RequestAborted)
            : null;
        bool locked = account?.LockedUntil > timeProvider.GetUtcNow();
        // A locked account's hash is not verified, but the dummy costs the same, so timing does not reveal the lock.
        PasswordVerification verification = await limiter.RunAsync(
            () => !locked && account?.PasswordHash is { } stored ? hasher.Verify(password, stored) : hasher.VerifyAgainstDummy(password),
            context.RequestAborted);

        string? reason = account is null ? "unknown_user"
            : locked ? "locked"
            : verification == PasswordVerification.Failed ? "wrong_password"
            : !account.User.Enabled ? "disabled"
            : null;
        // Every failure answers after the same database work (the lookup above): a wrong password is counted by
        // LoginAttempts' background writer, not here, so its answer is no slower than an unknown user's or a lock's.
        if (reason == "wrong_password")
        {
            await attempts.RecordFailureAsync(context, organization, request.Client.ClientId, account!.User.Subject);
        }
        else if (reason is null && !await attempts.RecordSuccessAsync(organization, account!.User.Subject, context.RequestAborted))
        {
            // Locked by a failure queued before this attempt, or by a concurrent one: the lock wins over the right password.
            reason = "locked";
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

        DateTimeOffset now = timeProvider.GetUtcNow();
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
