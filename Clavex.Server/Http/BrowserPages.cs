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
public sealed class BrowserPages(
    CookieSecurity security, OrganizationDirectory names, PasskeySignIn passkeys, Fido2PasskeyVerifier webAuthn, AntiforgeryKey antiforgery)
{
    /// <summary>
    /// The language of this request's pages (<see cref="PageTexts.Choose"/>): <paramref name="uiLocales"/> (the
    /// authorization request's <c>ui_locales</c>; else the query's), then <c>Accept-Language</c>.
    /// </summary>
    public static PageTexts Texts(HttpContext context, string? uiLocales = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequest request = context.Request;
        uiLocales ??= request.Query.TryGetValue(ParameterNames.UiLocales, out var query) && query.Count == 1 ? query[0] : null;
        return PageTexts.Choose(uiLocales, request.Headers.AcceptLanguage.Count == 0 ? null : request.Headers.AcceptLanguage.ToString());
    }

    /// <summary>The frame of a page of <paramref name="organization"/> in the request's language.</summary>
    public PageFrame Frame(HttpContext context, Organization? organization, string? uiLocales = null)
    {
        PageTexts texts = Texts(context, uiLocales);
        if (organization is null)
        {
            return new PageFrame(texts, null);
        }

        OrganizationBranding branding = names.Branding(organization);
        return new PageFrame(texts, branding.DisplayName, branding.LogoUri, branding.AccentColor);
    }

    /// <summary>The frame of a sign-in step: the request's organisation, in its <c>ui_locales</c> when it names one Clavex has.</summary>
    private PageFrame Frame(HttpContext context, AuthorizationRequest request) => Frame(context, request.Organization, request.UiLocales);

    /// <summary>The frame of a logout step: the organisation, in the logout request's <c>ui_locales</c> (RP-Initiated Logout §2).</summary>
    private PageFrame Frame(HttpContext context, Organization organization, ProtocolParameters original) =>
        Frame(context, organization, original.TryGetSingle(ParameterNames.UiLocales, out string? uiLocales) ? uiLocales : null);

    /// <summary>
    /// The login page; after a refused attempt (<paramref name="error"/>) with the username typed kept
    /// (<paramref name="username"/>), else the request's <c>login_hint</c>.
    /// </summary>
    public IResult Login(HttpContext context, AuthorizationRequest request, ProtocolParameters original, Func<PageTexts, string>? error, string? username = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(original);
        original.TryGetSingle(ParameterNames.LoginHint, out string? loginHint);
        Organization organization = request.Organization;
        PageFrame frame = Frame(context, request);
        PasskeyFormModel? passkey = organization.SignInPolicy.OffersPasswordless
            ? AssertionForm(context, "/" + organization.Slug + "/login/passkey", original, passkeys.PasswordlessOffer(organization))
            : null;
        string html = Pages.Login(new LoginPageModel(
            frame,
            request.Client.ClientName ?? request.Client.ClientId,
            NewForm(context, "/" + organization.Slug + "/login", original))
        {
            Username = error is not null && !string.IsNullOrEmpty(username) ? username : loginHint,
            ErrorMessage = error?.Invoke(frame.Texts),
            Passkey = passkey,
        });
        return Page(html, PageKind.Login, StatusCodes.Status200OK, frame, request.RedirectUri, passkey is not null);
    }

    public IResult Consent(HttpContext context, AuthorizationRequest request, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(request);
        PageFrame frame = Frame(context, request);
        string html = Pages.Consent(new ConsentPageModel(
            frame,
            request.Client.ClientName ?? request.Client.ClientId,
            request.Scopes,
            NewForm(context, "/" + request.Organization.Slug + "/consent", original)));
        return Page(html, PageKind.Consent, StatusCodes.Status200OK, frame, request.RedirectUri);
    }

    /// <summary>The second-factor page of <paramref name="result"/> (<see cref="InteractionResultKind.ShowSecondFactor"/>).</summary>
    public IResult SecondFactor(HttpContext context, InteractionResult result, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(result);
        AuthorizationRequest request = result.Request!;
        string slug = request.Organization.Slug;
        PasskeyFormModel? passkey = result.PasskeyAssertion is { } offer ? AssertionForm(context, "/" + slug + "/mfa/passkey", original, offer) : null;
        PageFrame frame = Frame(context, request);
        string html = Pages.SecondFactor(new SecondFactorPageModel(
            frame,
            request.Client.ClientName ?? request.Client.ClientId,
            NewForm(context, "/" + slug + "/mfa", original))
        {
            ErrorMessage = result.CodeRejected ? frame.Texts.IncorrectCode : result.PasskeyRejected ? frame.Texts.IncorrectPasskey : null,
            OffersTotp = result.OffersTotp,
            Passkey = passkey,
        });
        return Page(html, PageKind.SecondFactor, StatusCodes.Status200OK, frame, request.RedirectUri, passkey is not null);
    }

    /// <summary>The enrolment page of <paramref name="result"/> (<see cref="InteractionResultKind.ShowEnrolment"/>).</summary>
    public IResult Enrolment(HttpContext context, InteractionResult result, ProtocolParameters original)
    {
        ArgumentNullException.ThrowIfNull(result);
        AuthorizationRequest request = result.Request!;
        string slug = request.Organization.Slug;
        PageFrame frame = Frame(context, request);
        string organizationName = frame.OrganizationName!;
        TotpEnrolment? enrolment = result.Enrolment;
        string? qr = enrolment is null
            ? null
            : QrCodeSvg.Render(Totp.OtpAuthUri(organizationName, enrolment.AccountName, enrolment.Secret), PageTexts.Format(frame.Texts.QrCodeLabel, organizationName));
        PasskeyFormModel? passkey = result.PasskeyRegistration is { } offer ? RegistrationForm(context, "/" + slug + "/mfa/enrol/passkey", original, offer) : null;
        string html = Pages.Enrolment(new EnrolmentPageModel(
            frame,
            request.Client.ClientName ?? request.Client.ClientId,
            qr,
            enrolment?.Key,
            NewForm(context, "/" + slug + "/mfa/enrol", original))
        {
            ErrorMessage = result.CodeRejected ? frame.Texts.EnrolCodeRejected : result.PasskeyRejected ? frame.Texts.EnrolPasskeyRejected : null,
            Passkey = passkey,
        });
        return Page(html, PageKind.Enrolment, StatusCodes.Status200OK, frame, request.RedirectUri, passkey is not null);
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
        PageFrame frame = Frame(context, request);
        string html = Pages.RecoveryCodes(new RecoveryCodesPageModel(frame, codes, left, form));
        // Continue ends in a redirect to the client, which form-action governs too.
        return Page(html, PageKind.RecoveryCodes, StatusCodes.Status200OK, frame, request.RedirectUri);
    }

    /// <summary>The confirmation page; <paramref name="returnTo"/> is the post_logout_redirect_uri the core has checked is registered.</summary>
    public IResult LogoutConfirm(HttpContext context, Organization organization, ProtocolParameters original, string? returnTo)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(original);
        PageFrame frame = Frame(context, organization, original);
        string html = Pages.LogoutConfirm(new LogoutPageModel(frame, NewForm(context, "/" + organization.Slug + "/logout", original)));
        return Page(html, PageKind.LogoutConfirm, StatusCodes.Status200OK, frame, returnTo);
    }

    /// <summary>The signed-out page, with a link back to <paramref name="returnTo"/> (a client's registered client_uri) when there is one.</summary>
    public IResult LoggedOut(HttpContext context, Organization organization, ProtocolParameters original, (string Name, string Uri)? returnTo = null)
    {
        ArgumentNullException.ThrowIfNull(original);
        PageFrame frame = Frame(context, organization, original);
        return Page(Pages.LoggedOut(new LoggedOutPageModel(frame) { ReturnTo = returnTo }), PageKind.LoggedOut, StatusCodes.Status200OK, frame);
    }

    /// <summary>
    /// An error page in the request's language, drawn as <paramref name="organization"/>'s when the request belongs to
    /// one: <paramref name="title"/> and <paramref name="message"/> pick the texts (a message from the core, written
    /// for whoever administers the client, stays as it is), with the correlation id to send to an administrator.
    /// </summary>
    public IResult Error(HttpContext context, Func<PageTexts, string> title, Func<PageTexts, string> message, int statusCode, Organization? organization = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(message);
        PageFrame frame = Frame(context, organization ?? context.FindOrganization());
        return Page(Pages.Error(new ErrorPageModel(frame, title(frame.Texts), message(frame.Texts), CorrelationId.Get(context))), PageKind.Error, statusCode, frame);
    }

    public IResult FormPost(HttpContext context, AuthorizationRequest? request, string redirectUri, IReadOnlyList<KeyValuePair<string, string>> parameters) =>
        new PageResult(Pages.FormPost(Texts(context, request?.UiLocales), redirectUri, parameters), SecurityHeaders.ForFormPost(redirectUri), StatusCodes.Status200OK);

    private static readonly object AntiforgeryItem = new();

    internal PageForm NewForm(HttpContext context, string action, ProtocolParameters original)
    {
        bool secure = security.Secure;
        string cookieName = AntiforgeryTokens.CookieName(secure);
        // A page with two forms (a passkey form beside the password form) sets one token for both.
        if (context.Items[AntiforgeryItem] is not string token)
        {
            token = AntiforgeryTokens.CurrentOrNew(antiforgery.Value, context.Request.Cookies[cookieName]);
            context.Items[AntiforgeryItem] = token;
            context.Response.Headers.Append("Set-Cookie", AntiforgeryTokens.SetCookieHeader(cookieName, token, secure));
        }

        return new PageForm(action, token, original.Pairs);
    }

    internal static IResult Page(string html, PageKind kind, int statusCode, PageFrame frame, string? redirectUri = null, bool passkeyScript = false) =>
        new PageResult(html, SecurityHeaders.For(kind, redirectUri, frame, passkeyScript), statusCode, frame.Texts.Language);

    private sealed class PageResult(string html, IReadOnlyList<KeyValuePair<string, string>> headers, int statusCode, string? language = null) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            HttpResponse response = httpContext.Response;
            response.StatusCode = statusCode;
            foreach (KeyValuePair<string, string> header in headers)
            {
                response.Headers[header.Key] = header.Value;
            }

            if (language is not null)
            {
                // The page's language depends on Accept-Language: a shared cache must not hand it to someone else (no-store aside).
                response.Headers.ContentLanguage = language;
                response.Headers.Vary = "Accept-Language";
            }

            byte[] body = Encoding.UTF8.GetBytes(html);
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
