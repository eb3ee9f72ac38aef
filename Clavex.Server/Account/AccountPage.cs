using System.Globalization;
using Clavex.Core.Factors;
using Clavex.Core.Sessions;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Account;

/// <summary>What the account page shows: the user's factors, sessions and recent sign-ins, and what they may change now.</summary>
public sealed record AccountPageModel(
    string OrganizationName,
    string Path,
    SecondFactorAccount Account,
    AuthenticationSession Session,
    IReadOnlyList<SessionInfo> Sessions,
    IReadOnlyList<AuditEventRecord> SignIns,
    bool MayChange,
    string AntiforgeryToken)
{
    public string? Notice { get; init; }

    public string? Error { get; init; }

    /// <summary>New recovery codes, shown this once.</summary>
    public IReadOnlyList<string>? NewRecoveryCodes { get; init; }

    public PasskeyFormModel? AddPasskey { get; init; }

    public bool TotpAllowed { get; init; }

    /// <summary>An authenticator app being set up: its QR code and key.</summary>
    public (string QrSvg, string Key)? TotpSetup { get; init; }

    public DateTimeOffset Now { get; init; }

    public override string ToString() => $"AccountPageModel {{ OrganizationName = {OrganizationName}, Subject = {Session.Subject} }}";
}

/// <summary>The account page's HTML (<see cref="AccountEndpoints"/>), through the same writer and stylesheet as the login pages.</summary>
public static class AccountPage
{
    public const string PasswordChanged = "password_changed";
    public const string PasskeyAdded = "passkey_added";
    public const string TotpAdded = "totp_added";
    public const string FactorRemoved = "factor_removed";
    public const string SessionEnded = "session_ended";

    public const string LastFactor = "Your organisation requires a second factor: add another one before you remove this one.";

    /// <summary>The message of a <c>?done=</c> redirect; anything else shows nothing.</summary>
    public static string? Notice(string? done) => done switch
    {
        PasswordChanged => "Your password is changed. Your other sessions have ended.",
        PasskeyAdded => "The passkey is added.",
        TotpAdded => "The authenticator app is set up.",
        FactorRemoved => "The factor is removed.",
        SessionEnded => "The session has ended.",
        _ => null,
    };

    public static string Render(AccountPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        SecondFactorAccount account = model.Account;
        var html = HtmlWriter.Begin($"Your account – {model.OrganizationName}")
            .Paragraph("org", model.OrganizationName)
            .Heading("Your account")
            .Raw("<p>Signed in as <strong>").Text(account.Username).Raw("</strong>.</p>\n");
        if (model.Notice is { } notice)
        {
            html.Raw("<p role=\"status\" class=\"notice\">").Text(notice).Raw("</p>\n");
        }

        if (model.Error is { } error)
        {
            html.Raw("<p class=\"alert\" role=\"alert\" id=\"error\">").Text(error).Raw("</p>\n");
        }

        if (model.NewRecoveryCodes is { } codes)
        {
            html.Raw("<h2>Your new recovery codes</h2>\n<p>Each lets you sign in once if you lose your devices. Store them now: they are not shown again, and your old codes no longer work.</p>\n")
                .Raw("<ul class=\"codes\" aria-label=\"Recovery codes\">\n");
            foreach (string code in codes)
            {
                html.Raw("<li>").Text(code).Raw("</li>\n");
            }

            html.Raw("</ul>\n");
        }

        if (!model.MayChange)
        {
            html.Raw("<p class=\"alert\">To change anything here, confirm it is you first.</p>\n")
                .Raw("<p><a").Attribute("href", model.Path + "/verify").Raw(">Confirm it is you</a></p>\n");
        }

        Factors(html, model);
        if (model.MayChange)
        {
            html.Raw("<h2>Password</h2>\n");
            Form(html, model, "/password")
                .Raw("<label for=\"current_password\">Current password</label>\n")
                .Raw("<input id=\"current_password\" name=\"current_password\" type=\"password\" autocomplete=\"current-password\" required=\"\" />\n")
                .Raw("<label for=\"new_password\">New password</label>\n")
                .Raw("<input id=\"new_password\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" required=\"\" />\n")
                .Button("Change password")
                .Raw("</form>\n");
        }

        Sessions(html, model);
        SignIns(html, model);
        return html.End(passkeyScript: model.AddPasskey is not null);
    }

    private static void Factors(HtmlWriter html, AccountPageModel model)
    {
        SecondFactorAccount account = model.Account;
        html.Raw("<h2>Passkeys</h2>\n");
        if (account.Passkeys.Count == 0)
        {
            html.Raw("<p>You have no passkeys.</p>\n");
        }
        else
        {
            html.Raw("<ul class=\"items\">\n");
            foreach (PasskeyCredential passkey in account.Passkeys)
            {
                html.Raw("<li><strong>").Text(passkey.Name).Raw("</strong> ").Text(passkey.BackupEligible ? "(synced)" : "(this device only)")
                    .Raw("<br />Added ").Text(When(passkey.CreatedAt)).Raw(", last used ").Text(passkey.LastUsedAt is { } used ? When(used) : "never");
                if (model.MayChange)
                {
                    Form(html, model, "/passkeys/remove").HiddenInput("passkey_id", passkey.Id.ToString(CultureInfo.InvariantCulture))
                        .Button("Remove " + passkey.Name, secondary: true).Raw("</form>\n");
                }

                html.Raw("</li>\n");
            }

            html.Raw("</ul>\n");
        }

        if (model.AddPasskey is { } add)
        {
            html.OpenPasskeyForm(add)
                .Raw("<label for=\"passkey_name\">Name for a new passkey</label>\n")
                .Raw("<input id=\"passkey_name\" name=\"passkey_name\" type=\"text\" maxlength=\"64\" autocomplete=\"off\" placeholder=\"e.g. Work laptop\" />\n")
                .PasskeyButton("Add a passkey")
                .Raw("</form>\n");
        }

        html.Raw("<h2>Authenticator app</h2>\n");
        if (model.TotpSetup is { } setup)
        {
            html.Raw("<p id=\"code-help\">Scan this QR code with an authenticator app, then enter the 6-digit code it shows.</p>\n")
                .Raw("<div class=\"qr\">").Raw(setup.QrSvg).Raw("</div>\n")
                .Raw("<p class=\"key\"><code>").Text(setup.Key).Raw("</code></p>\n");
            Form(html, model, "/totp/confirm")
                .Raw("<label for=\"code\">Code from the app</label>\n")
                .Raw("<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required=\"\" maxlength=\"32\" aria-describedby=\"code-help\" />\n")
                .Button("Turn on")
                .Raw("</form>\n");
        }
        else if (account.HasTotp)
        {
            html.Raw("<p>Set up ").Text(When(account.Totp!.ConfirmedAt!.Value)).Raw(", last used ")
                .Text(account.Totp.LastUsedAt is { } used ? When(used) : "never").Raw(".</p>\n");
            if (model.MayChange)
            {
                Form(html, model, "/totp/remove").Button("Remove the authenticator app", secondary: true).Raw("</form>\n");
            }
        }
        else
        {
            html.Raw("<p>You have no authenticator app.</p>\n");
            if (model.MayChange && model.TotpAllowed)
            {
                Form(html, model, "/totp").Button("Set up an authenticator app", secondary: true).Raw("</form>\n");
            }
        }

        html.Raw("<h2>Recovery codes</h2>\n<p>You have ").Text(account.RecoveryCodesLeft.ToString(CultureInfo.InvariantCulture)).Raw(" unused recovery codes.</p>\n");
        if (model.MayChange && account.HasAnyFactor)
        {
            Form(html, model, "/recovery-codes").Button("Make new recovery codes", secondary: true).Raw("</form>\n");
        }
    }

    private static void Sessions(HtmlWriter html, AccountPageModel model)
    {
        html.Raw("<h2>Where you are signed in</h2>\n<ul class=\"items\">\n");
        foreach (SessionInfo session in model.Sessions)
        {
            html.Raw("<li><strong>").Text(Device(session.UserAgent)).Raw("</strong>");
            if (session.Id == model.Session.Id)
            {
                html.Raw(" (this browser)");
            }

            html.Raw("<br />").Text(session.ClientIp ?? "address unknown").Raw(", signed in ").Text(When(session.AuthTime))
                .Raw(", last seen ").Text(When(session.LastSeenAt));
            if (model.MayChange)
            {
                Form(html, model, "/sessions/end").HiddenInput("session_id", session.Id).Button("End this session", secondary: true).Raw("</form>\n");
            }

            html.Raw("</li>\n");
        }

        html.Raw("</ul>\n");
    }

    private static void SignIns(HtmlWriter html, AccountPageModel model)
    {
        html.Raw("<h2>Recent sign-ins</h2>\n");
        if (model.SignIns.Count == 0)
        {
            html.Raw("<p>None recorded.</p>\n");
            return;
        }

        html.Raw("<ul class=\"items\">\n");
        foreach (AuditEventRecord signIn in model.SignIns)
        {
            string what = signIn.EventType switch
            {
                "login.succeeded" => "Signed in",
                "login.locked" => "Locked after too many wrong attempts",
                _ => "Sign-in refused",
            };
            html.Raw("<li>").Text(what).Raw(" – ").Text(When(signIn.OccurredAt)).Raw(", ").Text(signIn.Ip ?? "address unknown").Raw("</li>\n");
        }

        html.Raw("</ul>\n");
    }

    private static HtmlWriter Form(HtmlWriter html, AccountPageModel model, string action) =>
        html.OpenForm(new PageForm(model.Path + action, model.AntiforgeryToken, []));

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A short name for a user agent: the browser and the system, as far as they are plain to see.</summary>
    internal static string Device(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return "Unknown browser";
        }

        string browser = userAgent.Contains("Edg/", StringComparison.Ordinal) ? "Edge"
            : userAgent.Contains("Firefox/", StringComparison.Ordinal) ? "Firefox"
            : userAgent.Contains("Chrome/", StringComparison.Ordinal) ? "Chrome"
            : userAgent.Contains("Safari/", StringComparison.Ordinal) ? "Safari"
            : "Browser";
        string? system = userAgent.Contains("Windows", StringComparison.Ordinal) ? "Windows"
            : userAgent.Contains("Android", StringComparison.Ordinal) ? "Android"
            : userAgent.Contains("iPhone", StringComparison.Ordinal) || userAgent.Contains("iPad", StringComparison.Ordinal) ? "iOS"
            : userAgent.Contains("Mac OS X", StringComparison.Ordinal) ? "macOS"
            : userAgent.Contains("Linux", StringComparison.Ordinal) ? "Linux"
            : null;
        return system is null ? browser : browser + " on " + system;
    }
}
