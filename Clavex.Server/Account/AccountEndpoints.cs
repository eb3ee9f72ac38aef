using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clavex.Core;
using Clavex.Core.Clients;
using Clavex.Core.Factors;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Account;

/// <summary>
/// The self-service account page, <c>{issuer}/account</c>. A browser without a session (or with one still waiting for
/// its second factor) is sent through a real authorization request of the organisation's <see cref="AccountClient"/>
/// (code + PKCE; the callback redeems the code at the token service), so the sign-in policy applies as everywhere.
/// Every change is a POST with the antiforgery token, needs a session whose last factor is recent
/// (<see cref="AccountChanges.RecentAuthentication"/>; otherwise the user signs in again, <c>prompt=login</c>), and is
/// audited as <c>account.*</c> under the user's <c>sub</c>.
/// </summary>
public static class AccountEndpoints
{
    private const string FlowCookieName = "clavex-account-flow";

    public static RouteGroupBuilder MapAccount(this RouteGroupBuilder group)
    {
        group.MapGet("/account", ShowAsync);
        group.MapGet("/account/callback", CallbackAsync);
        group.MapGet("/account/verify", (HttpContext context, [AsParameters] Dependencies d) => StartSignInAsync(context, d, reauthenticate: true));
        group.MapPost("/account/password", ChangePasswordAsync);
        group.MapPost("/account/passkeys", AddPasskeyAsync);
        group.MapPost("/account/passkeys/remove", RemovePasskeyAsync);
        group.MapPost("/account/totp", BeginTotpAsync);
        group.MapPost("/account/totp/confirm", ConfirmTotpAsync);
        group.MapPost("/account/totp/remove", RemoveTotpAsync);
        group.MapPost("/account/recovery-codes", RegenerateRecoveryCodesAsync);
        group.MapPost("/account/sessions/end", EndSessionAsync);
        return group;
    }

    private static async Task<IResult> ShowAsync(HttpContext context, [AsParameters] Dependencies d, string? done = null)
    {
        (AuthenticationSession? session, IResult? signIn) = await SignedInAsync(context, d, changing: false);
        if (session is null)
        {
            return signIn!;
        }

        AuditOrigin origin = AuditOrigin.Of(context);
        await d.SessionStore.RecordDeviceAsync(session.OrganizationId, session.Id, origin.UserAgent, origin.Ip, d.Time.GetUtcNow(), context.RequestAborted);
        return await PageAsync(context, d, session, done);
    }

    private static async Task<IResult> CallbackAsync(HttpContext context, [AsParameters] Dependencies d, string? code = null, string? state = null, string? error = null)
    {
        Organization organization = context.GetOrganization();
        string? flow = context.Request.Cookies[FlowCookieName];
        int dot = flow?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        context.Response.Cookies.Delete(FlowCookieName, FlowCookie(organization, d));
        if (dot <= 0 || state is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(flow![..dot]), Encoding.ASCII.GetBytes(state)))
        {
            return d.BrowserPages.Error(context, t => t.AccountLinkExpiredTitle, t => t.AccountOpenAgain, StatusCodes.Status400BadRequest);
        }

        if (error is not null || code is null)
        {
            return d.BrowserPages.Error(context, t => t.AccountNotSignedInTitle, t => t.AccountSignInIncomplete, StatusCodes.Status400BadRequest);
        }

        TokenResult result = await FirstPartyClient.RedeemAsync(
            d.Provider, organization, AccountClient.ClientId, AccountClient.RedirectUri(organization), code, flow[(dot + 1)..], context.RequestAborted);
        d.Audit.TokenRequest(context, organization, result);
        return result.IsSuccess
            ? Results.Redirect("/" + organization.Slug + "/account", permanent: false, preserveMethod: false)
            : d.BrowserPages.Error(context, t => t.AccountNotSignedInTitle, t => t.AccountOpenAgain, StatusCodes.Status400BadRequest);
    }

    private static Task<IResult> ChangePasswordAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        string current = form.Get("current_password") ?? string.Empty;
        string next = form.Get("new_password") ?? string.Empty;
        UserCredentials? credentials = await d.Users.FindByUsernameAsync(organization.Id, account.Username, context.RequestAborted);
        PasswordVerification verified = await d.Passwords.VerifyAsync(current, credentials?.PasswordHash, context.RequestAborted);
        if (verified == PasswordVerification.Failed || credentials is null)
        {
            d.Audit.Record(context, organization, "account.password_change_failed", false, AccountClient.ClientId, session.Subject, ("reason", SignInFailureReasons.WrongPassword));
            return await PageAsync(context, d, session, error: t => t.WrongCurrentPassword, unchanged: account);
        }

        User user = credentials!.User;
        if (PasswordHasher.Problem(next, organization, user.Username, user.Email, user.Name) is string problem)
        {
            d.Audit.Record(context, organization, "account.password_change_failed", false, AccountClient.ClientId, session.Subject, ("reason", "policy"));
            return await PageAsync(context, d, session, error: _ => "The new " + problem, unchanged: account);
        }

        await d.Users.SetPasswordHashAsync(organization.Id, session.Subject, d.Hasher.Hash(next), context.RequestAborted);
        // The password changed: every other session of the user ends (one may be an attacker's), and every grant is
        // revoked, so no refresh or access token obtained with the old password outlives it. Relying parties the user
        // is signed in to sign in again through this session, without a password.
        int ended = 0;
        foreach (SessionInfo other in await d.SessionStore.ListForSubjectAsync(organization.Id, session.Subject, d.Time.GetUtcNow(), context.RequestAborted))
        {
            if (other.Id != session.Id && await d.SessionStore.DeleteForSubjectAsync(organization.Id, session.Subject, other.Id, context.RequestAborted))
            {
                ended++;
            }
        }

        int revoked = await d.Grants.RevokeAllForSubjectAsync(organization.Id, session.Subject, d.Time.GetUtcNow(), context.RequestAborted);
        d.Audit.Record(context, organization, "account.password_changed", true, AccountClient.ClientId, session.Subject,
            ("other_sessions_ended", ended.ToString(CultureInfo.InvariantCulture)), ("grants_revoked", revoked.ToString(CultureInfo.InvariantCulture)));
        return Done(organization, AccountPage.PasswordChanged);
    });

    private static Task<IResult> AddPasskeyAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        SecondFactorResult result = await d.Passkeys.RegisterAsync(organization, AccountClient.ClientId, session.Subject,
            form.Get(FormFieldNames.WebAuthnChallenge), form.Get(FormFieldNames.WebAuthnResponse), form.Get(FormFieldNames.PasskeyName), context.RequestAborted);
        Record(context, d, organization, result.Events);
        if (!result.Accepted)
        {
            return await PageAsync(context, d, session, error: t => t.PasskeyNotRegistered);
        }

        return result.NewRecoveryCodes is { } codes ? await PageAsync(context, d, session, newCodes: codes) : Done(organization, AccountPage.PasskeyAdded);
    });

    private static Task<IResult> RemovePasskeyAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        if (!long.TryParse(form.Get("passkey_id"), NumberStyles.None, CultureInfo.InvariantCulture, out long id) || !account.Passkeys.Any(p => p.Id == id))
        {
            return await PageAsync(context, d, session, error: t => t.PasskeyNotYours, unchanged: account);
        }

        if (!AccountChanges.MayRemove(account, organization.SignInPolicy, FactorKinds.Passkey))
        {
            return await PageAsync(context, d, session, error: t => t.LastFactor, unchanged: account);
        }

        await d.FactorStore.RemovePasskeyAsync(organization.Id, session.Subject, id, context.RequestAborted);
        d.Audit.Record(context, organization, "account.factor_removed", true, AccountClient.ClientId, session.Subject,
            ("factor", FactorNames.Passkey), ("passkey_id", id.ToString(CultureInfo.InvariantCulture)));
        return Done(organization, AccountPage.FactorRemoved);
    });

    private static Task<IResult> BeginTotpAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        if ((organization.SignInPolicy.AllowedFactors & FactorKinds.Totp) == 0 || await d.Factors.BeginEnrolmentAsync(organization, account, context.RequestAborted) is not byte[] secret)
        {
            return await PageAsync(context, d, session, error: t => t.TotpNotAllowed);
        }

        return await PageAsync(context, d, session, totp: new TotpEnrolment(secret, account.Username));
    });

    private static Task<IResult> ConfirmTotpAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        SecondFactorResult result = await d.Factors.ConfirmEnrolmentAsync(organization, AccountClient.ClientId, session.Subject, form.Get(FormFieldNames.Code), context.RequestAborted);
        Record(context, d, organization, result.Events);
        if (result.Accepted)
        {
            return result.NewRecoveryCodes is { } codes ? await PageAsync(context, d, session, newCodes: codes) : Done(organization, AccountPage.TotpAdded);
        }

        return account.Totp is { Confirmed: false } pending && !result.Locked
            ? await PageAsync(context, d, session, totp: new TotpEnrolment(pending.Secret, account.Username), error: t => t.TotpCodeRejected)
            : await PageAsync(context, d, session, error: t => t.TotpNotSetUp);
    });

    private static Task<IResult> RemoveTotpAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        if (!account.HasTotp)
        {
            return await PageAsync(context, d, session, error: t => t.NoTotpToRemove, unchanged: account);
        }

        if (!AccountChanges.MayRemove(account, organization.SignInPolicy, FactorKinds.Totp))
        {
            return await PageAsync(context, d, session, error: t => t.LastFactor, unchanged: account);
        }

        await d.FactorStore.RemoveTotpAsync(organization.Id, session.Subject, context.RequestAborted);
        d.Audit.Record(context, organization, "account.factor_removed", true, AccountClient.ClientId, session.Subject, ("factor", FactorNames.Totp));
        return Done(organization, AccountPage.FactorRemoved);
    });

    private static Task<IResult> RegenerateRecoveryCodesAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        if (!account.HasAnyFactor)
        {
            return await PageAsync(context, d, session, error: t => t.RecoveryCodesNeedFactor, unchanged: account);
        }

        IReadOnlyList<string> codes = RecoveryCodes.Generate();
        await d.FactorStore.ReplaceRecoveryCodesAsync(organization.Id, session.Subject, RecoveryCodes.HashAll(codes), d.Time.GetUtcNow(), context.RequestAborted);
        d.Audit.Record(context, organization, "account.recovery_codes_regenerated", true, AccountClient.ClientId, session.Subject,
            ("recovery_codes_left", codes.Count.ToString(CultureInfo.InvariantCulture)));
        return await PageAsync(context, d, session, newCodes: codes);
    });

    private static Task<IResult> EndSessionAsync(HttpContext context, [AsParameters] Dependencies d) => ChangeAsync(context, d, async (session, form, account) =>
    {
        Organization organization = context.GetOrganization();
        string id = form.Get("session_id") ?? string.Empty;
        if (id.Length > 64 || !await d.SessionStore.DeleteForSubjectAsync(organization.Id, session.Subject, id, context.RequestAborted))
        {
            return await PageAsync(context, d, session, error: t => t.SessionAlreadyEnded, unchanged: account);
        }

        d.Audit.Record(context, organization, "account.session_ended", true, AccountClient.ClientId, session.Subject, ("sid", id), ("current", id == session.Id ? "true" : "false"));
        if (id == session.Id)
        {
            d.Cookie.Clear(context, organization);
            return Results.Redirect("/" + organization.Slug + "/account", permanent: false, preserveMethod: false);
        }

        return Done(organization, AccountPage.SessionEnded);
    });

    /// <summary>A change: the form (antiforgery checked), a session whose last factor is recent, the user's factors; then <paramref name="change"/>.</summary>
    private static async Task<IResult> ChangeAsync(
        HttpContext context, Dependencies d, Func<AuthenticationSession, BrowserForm, SecondFactorAccount, Task<IResult>> change)
    {
        (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, d.BrowserPages);
        if (refusal is not null)
        {
            return refusal;
        }

        (AuthenticationSession? session, IResult? signIn) = await SignedInAsync(context, d, changing: true);
        if (session is null)
        {
            return signIn!;
        }

        SecondFactorAccount? account = await d.Factors.FindAsync(context.GetOrganization(), session.Subject, context.RequestAborted);
        return account is null
            ? d.BrowserPages.Error(context, t => t.AccountUnavailableTitle, t => t.AccountGone, StatusCodes.Status404NotFound)
            : await change(session, form!, account);
    }

    /// <summary>The session, or the redirect that signs the user in (again, for a change, when the last factor is not recent).</summary>
    private static async Task<(AuthenticationSession? Session, IResult? SignIn)> SignedInAsync(HttpContext context, Dependencies d, bool changing)
    {
        Organization organization = context.GetOrganization();
        AuthenticationSession? session = await d.Sessions.FindCurrentAsync(organization, d.Cookie.Read(context), context.RequestAborted);
        if (session is null || session.SecondFactorPending)
        {
            return (null, await StartSignInAsync(context, d, reauthenticate: false));
        }

        if (changing && !AccountChanges.IsRecent(session, d.Time.GetUtcNow()))
        {
            d.Audit.Record(context, organization, "account.reauthentication_required", true, AccountClient.ClientId, session.Subject);
            return (null, await StartSignInAsync(context, d, reauthenticate: true));
        }

        return (session, null);
    }

    /// <summary>An authorization request of the account client: state and the PKCE verifier in a cookie for the callback.</summary>
    private static async Task<IResult> StartSignInAsync(HttpContext context, Dependencies d, bool reauthenticate)
    {
        Organization organization = context.GetOrganization();
        Client client = await d.Client.EnsureAsync(organization, context.RequestAborted);
        if (!client.Enabled)
        {
            return d.BrowserPages.Error(context, t => t.AccountPageOffTitle, t => PageTexts.Format(t.AccountPageOff, AccountClient.ClientId), StatusCodes.Status403Forbidden);
        }

        (string location, string state, string verifier) = FirstPartyClient.SignInRequest(
            organization, AccountClient.ClientId, AccountClient.RedirectUri(organization), Scopes.OpenId, reauthenticate);
        context.Response.Cookies.Append(FlowCookieName, state + "." + verifier, FlowCookie(organization, d));
        return Results.Redirect(location, permanent: false, preserveMethod: false);
    }

    private static CookieOptions FlowCookie(Organization organization, Dependencies d) => new()
    {
        HttpOnly = true,
        Secure = d.Security.Secure,
        // Lax: the callback is a top-level redirect back from /authorize.
        SameSite = SameSiteMode.Lax,
        Path = "/" + organization.Slug + "/account",
        MaxAge = TimeSpan.FromMinutes(10),
        IsEssential = true,
    };

    private static IResult Done(Organization organization, string notice) =>
        Results.Redirect("/" + organization.Slug + "/account?done=" + notice, permanent: false, preserveMethod: false);

    private static void Record(HttpContext context, Dependencies d, Organization organization, IReadOnlyList<InteractionEvent> events)
    {
        foreach (InteractionEvent e in events)
        {
            d.Audit.Record(context, organization, e.Type, e.Success, e.ClientId, e.Subject, e.Detail);
        }
    }

    /// <summary>The page; <paramref name="unchanged"/> is the user's factors when the caller read them and changed nothing since.</summary>
    private static async Task<IResult> PageAsync(
        HttpContext context, Dependencies d, AuthenticationSession session, string? done = null, Func<PageTexts, string>? error = null, IReadOnlyList<string>? newCodes = null,
        TotpEnrolment? totp = null, SecondFactorAccount? unchanged = null)
    {
        Organization organization = context.GetOrganization();
        DateTimeOffset now = d.Time.GetUtcNow();
        SecondFactorAccount account = unchanged ?? (await d.Factors.FindAsync(organization, session.Subject, context.RequestAborted))!;
        IReadOnlyList<SessionInfo> sessions = await d.SessionStore.ListForSubjectAsync(organization.Id, session.Subject, now, context.RequestAborted);
        IReadOnlyList<AuditEventRecord> signIns = await d.AuditEvents.ListAsync(
            organization.Id, new AuditEventFilter { Subject = session.Subject, EventTypePrefix = "login." }, 10, context.RequestAborted);
        bool recent = AccountChanges.IsRecent(session, now);
        string slug = "/" + organization.Slug + "/account";
        PasskeyFormModel? addPasskey = recent && (organization.SignInPolicy.AllowedFactors & FactorKinds.Passkey) != 0 && account.Passkeys.Count < PasskeySignIn.MaxPasskeysPerUser
            ? d.BrowserPages.RegistrationForm(context, slug + "/passkeys", ProtocolParameters.Empty, d.Passkeys.RegistrationOffer(organization, account))
            : null;
        PageFrame frame = d.BrowserPages.Frame(context, organization);
        var model = new AccountPageModel(frame, slug, account, session, sessions, signIns, recent,
            d.BrowserPages.NewForm(context, slug, ProtocolParameters.Empty).AntiforgeryToken)
        {
            Notice = AccountPage.Notice(frame.Texts, done),
            Error = error?.Invoke(frame.Texts),
            NewRecoveryCodes = newCodes,
            AddPasskey = addPasskey,
            TotpAllowed = (organization.SignInPolicy.AllowedFactors & FactorKinds.Totp) != 0,
            TotpSetup = totp is null ? null : (QrCodeSvg.Render(Totp.OtpAuthUri(frame.OrganizationName!, totp.AccountName, totp.Secret),
                PageTexts.Format(frame.Texts.QrCodeLabel, frame.OrganizationName)), totp.Key),
            Now = now,
        };
        return BrowserPages.Page(AccountPage.Render(model), PageKind.Account, error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            frame, passkeyScript: addPasskey is not null);
    }

    /// <summary>Everything the account handlers use, bound with <c>[AsParameters]</c>.</summary>
    private sealed record Dependencies(
        SessionCookie Cookie,
        BrowserSessions Sessions,
        PgSessionStore SessionStore,
        IGrantStore Grants,
        SecondFactorSignIn Factors,
        PgSecondFactorStore FactorStore,
        PasskeySignIn Passkeys,
        PgUserStore Users,
        IPasswordVerifier Passwords,
        PasswordHasher Hasher,
        PgAuditEventStore AuditEvents,
        AuditLog Audit,
        AccountClient Client,
        BrowserPages BrowserPages,
        OpenIdProvider Provider,
        CookieSecurity Security,
        OrganizationDirectory Names,
        TimeProvider Time);
}
