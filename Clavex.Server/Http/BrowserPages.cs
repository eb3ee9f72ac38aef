using System.Text;
using Clavex.Core.Authorization;
using Clavex.Core.Factors;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>
/// Renders the server-side pages as results with their security headers, and sets the antiforgery cookie for pages
/// that carry a form.
/// </summary>
public sealed class BrowserPages(CookieSecurity security, OrganizationDirectory names)
{
    public IResult Login(HttpContext context, AuthorizationRequest request, ProtocolParameters original, string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(original);
        original.TryGetSingle(ParameterNames.LoginHint, out string? loginHint);
        string html = Pages.Login(new LoginPageModel(
            names.DisplayName(request.Organization),
            request.Client.ClientName ?? request.Client.ClientId,
            NewForm(context, "/" + request.Organization.Slug + "/login", original))
        {
            Username = loginHint,
            ErrorMessage = error,
        });
        return Page(html, PageKind.Login, StatusCodes.Status200OK, request.RedirectUri);
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

    public IResult SecondFactor(HttpContext context, AuthorizationRequest request, ProtocolParameters original, bool codeRejected)
    {
        ArgumentNullException.ThrowIfNull(request);
        string html = Pages.SecondFactor(new SecondFactorPageModel(
            names.DisplayName(request.Organization),
            request.Client.ClientName ?? request.Client.ClientId,
            NewForm(context, "/" + request.Organization.Slug + "/mfa", original))
        {
            ErrorMessage = codeRejected ? SecondFactorPageModel.IncorrectCode : null,
        });
        return Page(html, PageKind.SecondFactor, StatusCodes.Status200OK, request.RedirectUri);
    }

    public IResult Enrolment(HttpContext context, AuthorizationRequest request, ProtocolParameters original, TotpEnrolment enrolment, bool codeRejected)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(enrolment);
        string organizationName = names.DisplayName(request.Organization);
        string uri = Totp.OtpAuthUri(organizationName, enrolment.AccountName, enrolment.Secret);
        string html = Pages.Enrolment(new EnrolmentPageModel(
            organizationName,
            request.Client.ClientName ?? request.Client.ClientId,
            QrCodeSvg.Render(uri, $"QR code to add {organizationName} to an authenticator app"),
            enrolment.Key,
            NewForm(context, "/" + request.Organization.Slug + "/mfa/enrol", original))
        {
            ErrorMessage = codeRejected ? "That code is not valid. Enter the code the app shows now (it changes every 30 seconds)." : null,
        });
        return Page(html, PageKind.Enrolment, StatusCodes.Status200OK, request.RedirectUri);
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

    private PageForm NewForm(HttpContext context, string action, ProtocolParameters original)
    {
        bool secure = security.Secure;
        string cookieName = AntiforgeryTokens.CookieName(secure);
        string token = AntiforgeryTokens.CurrentOrNew(context.Request.Cookies[cookieName]);
        context.Response.Headers.Append("Set-Cookie", AntiforgeryTokens.SetCookieHeader(cookieName, token, secure));
        return new PageForm(action, token, original.Pairs);
    }

    private static PageResult Page(string html, PageKind kind, int statusCode, string? redirectUri = null) =>
        new(html, SecurityHeaders.For(kind, redirectUri), statusCode);

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
