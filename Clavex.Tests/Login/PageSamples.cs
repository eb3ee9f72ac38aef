using Clavex.Server.Login;

namespace Clavex.Tests.Login;

/// <summary>Every page, built from the same values, so each property test runs over all of them.</summary>
internal static class PageSamples
{
    public const string Token = "n0Q6Xk3C2sFq3lX0b2a8m5Jp4rZcVt1yWuE9dHgKjLM";
    public const string JiraCallback = "https://jira.acme.eu/plugins/servlet/oauth/callback";

    public static readonly KeyValuePair<string, string>[] AuthorizationRequest =
    [
        new("response_type", "code"),
        new("client_id", "atlassian"),
        new("redirect_uri", JiraCallback),
        new("scope", "openid profile email groups"),
        new("state", "af0ifjsldkj"),
        new("nonce", "n-0S6_WzA2Mj"),
        new("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        new("code_challenge_method", "S256"),
        new("login_hint", "amelie"),
    ];

    public static PageForm Form(IReadOnlyList<KeyValuePair<string, string>> parameters, string action = "/acme/login") =>
        new(action, Token, parameters);

    /// <summary>A branded frame: Acme's logo and accent colour, as the admin API would accept them.</summary>
    public static readonly PageFrame Branded = new(PageTexts.English, "Acme", "https://cdn.acme.eu/brand/logo.svg", "#0b5394");

    public static PageFrame Frame(string organization = "Acme", PageTexts? texts = null) => new(texts ?? PageTexts.English, organization);

    public static string Login(string organization = "Acme", string client = "Jira + Confluence", string? username = "amelie", string? error = null,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null, string action = "/acme/login", PageFrame? frame = null) =>
        Pages.Login(new LoginPageModel(frame ?? Frame(organization), client, Form(parameters ?? AuthorizationRequest, action)) { Username = username, ErrorMessage = error });

    public static string Consent(string organization = "Acme", string client = "Jira + Confluence", IReadOnlyList<string>? scopes = null,
        IReadOnlyList<KeyValuePair<string, string>>? parameters = null) =>
        Pages.Consent(new ConsentPageModel(Frame(organization), client, scopes ?? ["openid", "profile", "email", "groups"], Form(parameters ?? AuthorizationRequest, "/acme/consent")));

    public static string LogoutConfirm(string organization = "Acme", IReadOnlyList<KeyValuePair<string, string>>? parameters = null) =>
        Pages.LogoutConfirm(new LogoutPageModel(Frame(organization), Form(parameters ?? [new("post_logout_redirect_uri", "https://jira.acme.eu/"), new("state", "xyz")], "/acme/logout")));

    public static string SecondFactor(string? error = null, PageTexts? texts = null) =>
        Pages.SecondFactor(new SecondFactorPageModel(Frame(texts: texts), "Jira + Confluence", Form(AuthorizationRequest, "/acme/mfa")) { ErrorMessage = error });

    public static string Enrolment(string? error = null) =>
        Pages.Enrolment(new EnrolmentPageModel(
            Frame(), "Jira + Confluence",
            QrCodeSvg.Render("otpauth://totp/Acme:amelie?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Acme", "QR code to add Acme to an authenticator app"),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", Form(AuthorizationRequest, "/acme/mfa/enrol")) { ErrorMessage = error });

    public static string RecoveryCodes(int left = 10, bool fresh = true) =>
        Pages.RecoveryCodes(new RecoveryCodesPageModel(
            Frame(),
            fresh ? ["k7m2q-x9r4t", "p3w8n-h6c2v", "z5t9b-m4k7q", "r2x6w-n8p3h", "c9v4z-t5m2k", "h6q3r-w9x7n", "b4n8t-k2z5m", "x7p2c-q9v4r", "m5h9w-z3t6b", "t8k4n-r2x9p"] : null,
            left,
            Form(AuthorizationRequest, "/acme/mfa/continue")));

    public static string LoggedOut(string organization = "Acme", (string Name, string Uri)? returnTo = null, PageFrame? frame = null) =>
        Pages.LoggedOut(new LoggedOutPageModel(frame ?? Frame(organization)) { ReturnTo = returnTo });

    public static string Error(string title = "This application is not set up correctly",
        string message = "The redirect URI https://jira.acme.eu/x is not registered for client 'atlassian'.", string reference = "0HN7R2Q4V1K9C",
        PageFrame? frame = null) =>
        Pages.Error(new ErrorPageModel(frame ?? PageFrame.Plain, title, message, reference));

    public static string FormPost(string redirectUri = JiraCallback, IReadOnlyList<KeyValuePair<string, string>>? parameters = null) =>
        Pages.FormPost(PageTexts.English, redirectUri, parameters ?? [new("code", "SplxlOBeZQQYbYS6WxSbIA"), new("state", "af0ifjsldkj"), new("iss", "https://id.acme.eu/acme")]);

    /// <summary>Each page with the headers it is sent with.</summary>
    public static IEnumerable<TestCaseData> All()
    {
        yield return Case("Login", Login(), SecurityHeaders.For(PageKind.Login));
        yield return Case("Login with an error", Login(error: PageTexts.English.IncorrectCredentials), SecurityHeaders.For(PageKind.Login));
        yield return Case("Consent", Consent(), SecurityHeaders.For(PageKind.Consent));
        yield return Case("SecondFactor", SecondFactor(), SecurityHeaders.For(PageKind.SecondFactor));
        yield return Case("SecondFactor with an error", SecondFactor(PageTexts.English.IncorrectCode), SecurityHeaders.For(PageKind.SecondFactor));
        yield return Case("Enrolment", Enrolment(), SecurityHeaders.For(PageKind.Enrolment));
        yield return Case("RecoveryCodes", RecoveryCodes(), SecurityHeaders.For(PageKind.RecoveryCodes));
        yield return Case("RecoveryCodes left", RecoveryCodes(left: 3, fresh: false), SecurityHeaders.For(PageKind.RecoveryCodes));
        yield return Case("LogoutConfirm", LogoutConfirm(), SecurityHeaders.For(PageKind.LogoutConfirm));
        yield return Case("LoggedOut", LoggedOut(), SecurityHeaders.For(PageKind.LoggedOut));
        yield return Case("Error", Error(), SecurityHeaders.For(PageKind.Error));
        yield return Case("FormPost", FormPost(), SecurityHeaders.ForFormPost(JiraCallback));
        PageTexts german = PageTexts.For("de");
        yield return Case("Login in German", Login(frame: Frame(texts: german), error: german.IncorrectCredentials), SecurityHeaders.For(PageKind.Login));
        yield return Case("SecondFactor in German", SecondFactor(german.IncorrectCode, german), SecurityHeaders.For(PageKind.SecondFactor));
        yield return Case("Login branded", Login(frame: Branded), SecurityHeaders.For(PageKind.Login, null, Branded));
        yield return Case("LoggedOut with a link back", LoggedOut(returnTo: ("Jira", "https://jira.acme.eu/"), frame: Branded),
            SecurityHeaders.For(PageKind.LoggedOut, null, Branded));
        yield return Case("Error branded in German", Error(frame: Branded with { Texts = german }), SecurityHeaders.For(PageKind.Error, null, Branded));
    }

    private static TestCaseData Case(string name, string html, IReadOnlyList<KeyValuePair<string, string>> headers) =>
        new TestCaseData(html, headers).SetArgDisplayNames(name);
}
