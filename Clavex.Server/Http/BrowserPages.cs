using System.Text;
using Clavex.Core.Authorization;
using Clavex.Core.Factors;
using Clavex.Core.Interaction;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>
/// Renders the server-side pages as results with their security headers, and sets the antiforgery cookie for pages
/// that carry a form.
/// </summary>
public sealed class BrowserPages(CookieSecurity security, OrganizationDirectory names, PasskeySignIn passkeys, Fido2PasskeyVerifier webAuthn)
{
    public IResult Login(HttpContext context, AuthorizationRequest request, ProtocolParameters original, string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(original);
        original.TryGetSingle(ParameterNames.LoginHint, out string? loginHint);
        Organization organization = request.Organization;
        PasskeyFormModel? passkey = organization.SignInPolicy.OffersPasswordless
            ? AssertionForm(context, "/" + organization.Slug + "/login/passkey", original, passkeys.PasswordlessOffer(organization))
            : null;
        string html = Pages.Login(new LoginPageModel(
            names.DisplayName(organization),
            request.Client.ClientName ?? request.Client.ClientId,
            NewForm(context, "/" + organization.Slug + "/login", original))
        {
            Username = loginHint,
            ErrorMessage = error,
            Passkey = passkey,
        });
        return Page(html, PageKind.Login, StatusCodes.Status200OK, request.RedirectUri, passkey is not null);
    }

    public IResult Consent(HttpContext context, AuthorizationRequest request, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(request);
        string html = Pages.Consent(new ConsentPageModel(
            names.DisplayName(request.Organization),
            request.Client.ClientName ?? request.Client.ClientId,
            request.Scopes,
            NewForm(context, "/" + request.Organization.Slug + "/consent", original)));
        return Page(html, PageKind.Consent, StatusCodes.Status200OK, request.RedirectUri);
    }

    /// <summary>The second-factor page of <paramref name="result"/> (<see cref="InteractionResultKind.ShowSecondFactor"/>).</summary>
    public IResult SecondFactor(HttpContext context, InteractionResult result, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(result);
        AuthorizationRequest request = result.Request!;
        string slug = request.Organization.Slug;
        PasskeyFormModel? passkey = result.PasskeyAssertion is { } offer ? AssertionForm(context, "/" + slug + "/mfa/passkey", original, offer) : null;
        string html = Pages.SecondFactor(new SecondFactorPageModel(
            names.DisplayName(request.Organization),
            request.Client.ClientName ?? request.Client.ClientId,
            NewForm(context, "/" + slug + "/mfa", original))
        {
            ErrorMessage = result.CodeRejected ? SecondFactorPageModel.IncorrectCode : result.PasskeyRejected ? SecondFactorPageModel.IncorrectPasskey : null,
            OffersTotp = result.OffersTotp,
            Passkey = passkey,
        });
        return Page(html, PageKind.SecondFactor, StatusCodes.Status200OK, request.RedirectUri, passkey is not null);
    }

    /// <summary>The enrolment page of <paramref name="result"/> (<see cref="InteractionResultKind.ShowEnrolment"/>).</summary>
    public IResult Enrolment(HttpContext context, InteractionResult result, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(result);
        AuthorizationRequest request = result.Request!;
        string slug = request.Organization.Slug;
        string organizationName = names.DisplayName(request.Organization);
        TotpEnrolment? enrolment = result.Enrolment;
        string? qr = enrolment is null
            ? null
            : QrCodeSvg.Render(Totp.OtpAuthUri(organizationName, enrolment.AccountName, enrolment.Secret), $"QR code to add {organizationName} to an authenticator app");
        PasskeyFormModel? passkey = result.PasskeyRegistration is { } offer ? RegistrationForm(context, "/" + slug + "/mfa/enrol/passkey", original, offer) : null;
        string html = Pages.Enrolment(new EnrolmentPageModel(
            organizationName,
            request.Client.ClientName ?? request.Client.ClientId,
            qr,
            enrolment?.Key,
            NewForm(context, "/" + slug + "/mfa/enrol", original))
        {
            ErrorMessage = result.CodeRejected ? "That code is not valid. Enter the code the app shows now (it changes every 30 seconds)."
                : result.PasskeyRejected ? "That passkey could not be registered. Try again, or choose another way."
                : null,
            Passkey = passkey,
        });
        return Page(html, PageKind.Enrolment, StatusCodes.Status200OK, request.RedirectUri, passkey is not null);
    }

    /// <summary>A passkey sign-in form posting to <paramref name="action"/>, with the request's fields and the offer's options.</summary>
    public PasskeyFormModel AssertionForm(HttpContext context, string action, ProtocolParameters original, PasskeyAssertionOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return new PasskeyFormModel(NewForm(context, action, original), false, webAuthn.RequestOptionsJson(offer), Base64UrlEncoding.Encode(offer.Challenge));
    }

    /// <summary>A passkey registration form posting to <paramref name="action"/>.</summary>
    public PasskeyFormModel RegistrationForm(HttpContext context, string action, ProtocolParameters original, PasskeyRegistrationOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        return new PasskeyFormModel(NewForm(context, action, original), true, webAuthn.CreationOptionsJson(offer), Base64UrlEncoding.Encode(offer.Challenge));
    }

    /// <summary>New recovery codes (or how many are left), and a button that takes the request on with the new session.</summary>
    public IResult RecoveryCodes(HttpContext context, AuthorizationRequest request, ProtocolParameters original, IReadOnlyList<string>? codes, int left)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(original);
        PageForm form = NewForm(context, "/" + request.Organization.Slug + "/mfa/continue", original);
        string html = Pages.RecoveryCodes(new RecoveryCodesPageModel(names.DisplayName(request.Organization), codes, left, form));
        // Continue ends in a redirect to the client, which form-action governs too.
        return Page(html, PageKind.RecoveryCodes, StatusCodes.Status200OK, request.RedirectUri);
    }

    /// <summary>The confirmation page; <paramref name="returnTo"/> is the post_logout_redirect_uri the core has checked is registered.</summary>
    public IResult LogoutConfirm(HttpContext context, Organization organization, ProtocolParameters original, string? returnTo)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(original);
        string html = Pages.LogoutConfirm(new LogoutPageModel(names.DisplayName(organization), NewForm(context, "/" + organization.Slug + "/logout", original)));
        return Page(html, PageKind.LogoutConfirm, StatusCodes.Status200OK, returnTo);
    }

    public IResult LoggedOut(HttpContext context, Organization organization) =>
        Page(Pages.LoggedOut(new LoggedOutPageModel(names.DisplayName(organization))), PageKind.LoggedOut, StatusCodes.Status200OK);

    public IResult Error(HttpContext context, string title, string message, int statusCode) =>
        Page(Pages.Error(new ErrorPageModel(title, message, CorrelationId.Get(context))), PageKind.Error, statusCode);

    public IResult FormPost(HttpContext context, string redirectUri, IReadOnlyList<KeyValuePair<string, string>> parameters) =>
        new PageResult(Pages.FormPost(redirectUri, parameters), SecurityHeaders.ForFormPost(redirectUri), StatusCodes.Status200OK);

    private static readonly object AntiforgeryItem = new();

    internal PageForm NewForm(HttpContext context, string action, ProtocolParameters original)
    {
        bool secure = security.Secure;
        string cookieName = AntiforgeryTokens.CookieName(secure);
        // A page with two forms (a passkey form beside the password form) sets one token for both.
        if (context.Items[AntiforgeryItem] is not string token)
        {
            token = AntiforgeryTokens.CurrentOrNew(context.Request.Cookies[cookieName]);
            context.Items[AntiforgeryItem] = token;
            context.Response.Headers.Append("Set-Cookie", AntiforgeryTokens.SetCookieHeader(cookieName, token, secure));
        }

        return new PageForm(action, token, original.Pairs);
    }

    internal static IResult Page(string html, PageKind kind, int statusCode, string? redirectUri = null, bool passkeyScript = false) =>
        new PageResult(html, passkeyScript ? SecurityHeaders.WithPasskeyScript(redirectUri) : SecurityHeaders.For(kind, redirectUri), statusCode);

    private sealed class PageResult(string html, IReadOnlyList<KeyValuePair<string, string>> headers, int statusCode) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            HttpResponse response = httpContext.Response;
            response.StatusCode = statusCode;
            foreach (KeyValuePair<string, string> header in headers)
            {
                response.Headers[header.Key] = header.Value;
            }

            byte[] body = Encoding.UTF8.GetBytes(html);
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
