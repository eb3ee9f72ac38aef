using System.Globalization;
using Clavex.Core.Factors;
using Clavex.Core.Sessions;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Account;

/// <summary>What the account page shows: the user's factors, sessions and recent sign-ins, and what they may change now.</summary>
public sealed record AccountPageModel(
    PageFrame Frame,
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

    public override string ToString() => $"AccountPageModel {{ OrganizationName = {Frame.OrganizationName}, Subject = {Session.Subject} }}";
}

/// <summary>The account page's HTML (<see cref="AccountEndpoints"/>), through the same writer and stylesheet as the login pages.</summary>
public static class AccountPage
{
    public const string PasswordChanged = "password_changed";
    public const string PasskeyAdded = "passkey_added";
    public const string TotpAdded = "totp_added";
    public const string FactorRemoved = "factor_removed";
    public const string SessionEnded = "session_ended";

    /// <summary>The message of a <c>?done=</c> redirect; anything else shows nothing.</summary>
    public static string? Notice(PageTexts texts, string? done)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return done switch
        {
            PasswordChanged => texts.PasswordChanged,
            PasskeyAdded => texts.PasskeyAdded,
            TotpAdded => texts.TotpAdded,
            FactorRemoved => texts.FactorRemoved,
            SessionEnded => texts.SessionEnded,
            _ => null,
        };
    }

    public static string Render(AccountPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        SecondFactorAccount account = model.Account;
        PageTexts t = model.Frame.Texts;
        var html = HtmlWriter.Begin(model.Frame, t.AccountTitle)
            .Heading(t.AccountTitle)
            .Raw("<p>").TextWithStrong(t.SignedInAs, account.Username).Raw("</p>\n");
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
            html.Raw("<h2>").Text(t.NewRecoveryCodesHeading).Raw("</h2>\n<p>").Text(t.NewRecoveryCodesHelp).Raw("</p>\n")
                .Raw("<ul class=\"codes\"").Attribute("aria-label", t.RecoveryCodesTitle).Raw(">\n");
            foreach (string code in codes)
            {
                html.Raw("<li>").Text(code).Raw("</li>\n");
            }

            html.Raw("</ul>\n");
        }

        if (!model.MayChange)
        {
            html.Raw("<p class=\"alert\">").Text(t.ConfirmFirst).Raw("</p>\n")
                .Raw("<p><a").Attribute("href", model.Path + "/verify").Raw(">").Text(t.ConfirmLink).Raw("</a></p>\n");
        }

        Factors(html, model);
        if (model.MayChange)
        {
            html.Raw("<h2>").Text(t.PasswordHeading).Raw("</h2>\n");
            Form(html, model, "/password")
                .Raw("<label for=\"current_password\">").Text(t.CurrentPassword).Raw("</label>\n")
                .Raw("<input id=\"current_password\" name=\"current_password\" type=\"password\" autocomplete=\"current-password\" required=\"\" />\n")
                .Raw("<label for=\"new_password\">").Text(t.NewPassword).Raw("</label>\n")
                .Raw("<input id=\"new_password\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" required=\"\" />\n")
                .Button(t.ChangePassword)
                .Raw("</form>\n");
        }

        Sessions(html, model);
        SignIns(html, model);
        return html.End(passkeyScript: model.AddPasskey is not null);
    }

    private static void Factors(HtmlWriter html, AccountPageModel model)
    {
        SecondFactorAccount account = model.Account;
        PageTexts t = model.Frame.Texts;
        html.Raw("<h2>").Text(t.PasskeysHeading).Raw("</h2>\n");
        if (account.Passkeys.Count == 0)
        {
            html.Raw("<p>").Text(t.NoPasskeys).Raw("</p>\n");
        }
        else
        {
            html.Raw("<ul class=\"items\">\n");
            foreach (PasskeyCredential passkey in account.Passkeys)
            {
                html.Raw("<li><strong>").Text(passkey.Name).Raw("</strong> ").Text(passkey.BackupEligible ? t.Synced : t.ThisDeviceOnly)
                    .Raw("<br />").Text(PageTexts.Format(t.AddedLastUsed, When(passkey.CreatedAt), passkey.LastUsedAt is { } used ? When(used) : t.Never));
                if (model.MayChange)
                {
                    Form(html, model, "/passkeys/remove").HiddenInput("passkey_id", passkey.Id.ToString(CultureInfo.InvariantCulture))
                        .Button(PageTexts.Format(t.RemoveNamed, passkey.Name), secondary: true).Raw("</form>\n");
                }

                html.Raw("</li>\n");
            }

            html.Raw("</ul>\n");
        }

        if (model.AddPasskey is { } add)
        {
            html.OpenPasskeyForm(add)
                .Raw("<label for=\"passkey_name\">").Text(t.NewPasskeyName).Raw("</label>\n")
                .Raw("<input id=\"passkey_name\" name=\"passkey_name\" type=\"text\" maxlength=\"64\" autocomplete=\"off\"").Attribute("placeholder", t.PasskeyNamePlaceholder).Raw(" />\n")
                .PasskeyButton(t.AddPasskey)
                .Raw("</form>\n");
        }

        html.Raw("<h2>").Text(t.AuthenticatorAppHeading).Raw("</h2>\n");
        if (model.TotpSetup is { } setup)
        {
            html.Raw("<p id=\"code-help\">").Text(t.ScanQrCode).Raw("</p>\n")
                .Raw("<div class=\"qr\">").Raw(setup.QrSvg).Raw("</div>\n")
                .Raw("<p class=\"key\"><code>").Text(setup.Key).Raw("</code></p>\n");
            Form(html, model, "/totp/confirm")
                .Raw("<label for=\"code\">").Text(t.CodeFromApp).Raw("</label>\n")
                .Raw("<input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required=\"\" maxlength=\"32\" aria-describedby=\"code-help\" />\n")
                .Button(t.TurnOn)
                .Raw("</form>\n");
        }
        else if (account.HasTotp)
        {
            html.Raw("<p>").Text(PageTexts.Format(t.TotpSetUpLastUsed, When(account.Totp!.ConfirmedAt!.Value), account.Totp.LastUsedAt is { } used ? When(used) : t.Never))
                .Raw("</p>\n");
            if (model.MayChange)
            {
                Form(html, model, "/totp/remove").Button(t.RemoveTotp, secondary: true).Raw("</form>\n");
            }
        }
        else
        {
            html.Raw("<p>").Text(t.NoTotp).Raw("</p>\n");
            if (model.MayChange && model.TotpAllowed)
            {
                Form(html, model, "/totp").Button(t.SetUpTotp, secondary: true).Raw("</form>\n");
            }
        }

        html.Raw("<h2>").Text(t.RecoveryCodesTitle).Raw("</h2>\n<p>")
            .Text(PageTexts.Format(t.UnusedRecoveryCodes, account.RecoveryCodesLeft.ToString(CultureInfo.InvariantCulture))).Raw("</p>\n");
        if (model.MayChange && account.HasAnyFactor)
        {
            Form(html, model, "/recovery-codes").Button(t.MakeNewRecoveryCodes, secondary: true).Raw("</form>\n");
        }
    }

    private static void Sessions(HtmlWriter html, AccountPageModel model)
    {
        PageTexts t = model.Frame.Texts;
        html.Raw("<h2>").Text(t.SessionsHeading).Raw("</h2>\n<ul class=\"items\">\n");
        foreach (SessionInfo session in model.Sessions)
        {
            html.Raw("<li><strong>").Text(Device(t, session.UserAgent)).Raw("</strong>");
            if (session.Id == model.Session.Id)
            {
                html.Raw(" ").Text(t.ThisBrowser);
            }

            html.Raw("<br />").Text(PageTexts.Format(t.SessionLine, session.ClientIp ?? t.AddressUnknown, When(session.AuthTime), When(session.LastSeenAt)));
            if (model.MayChange)
            {
                Form(html, model, "/sessions/end").HiddenInput("session_id", session.Id).Button(t.EndSession, secondary: true).Raw("</form>\n");
            }

            html.Raw("</li>\n");
        }

        html.Raw("</ul>\n");
    }

    private static void SignIns(HtmlWriter html, AccountPageModel model)
    {
        PageTexts t = model.Frame.Texts;
        html.Raw("<h2>").Text(t.SignInsHeading).Raw("</h2>\n");
        if (model.SignIns.Count == 0)
        {
            html.Raw("<p>").Text(t.NoneRecorded).Raw("</p>\n");
            return;
        }

        html.Raw("<ul class=\"items\">\n");
        foreach (AuditEventRecord signIn in model.SignIns)
        {
            string what = signIn.EventType switch
            {
                "login.succeeded" => t.SignedIn,
                "login.locked" => t.LockedOut,
                _ => t.SignInRefused,
            };
            html.Raw("<li>").Text(what).Raw(" – ").Text(When(signIn.OccurredAt)).Raw(", ").Text(signIn.Ip ?? t.AddressUnknown).Raw("</li>\n");
        }

        html.Raw("</ul>\n");
    }

    private static HtmlWriter Form(HtmlWriter html, AccountPageModel model, string action) =>
        html.OpenForm(new PageForm(model.Path + action, model.AntiforgeryToken, []));

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A short name for a user agent: the browser and the system, as far as they are plain to see.</summary>
    internal static string Device(PageTexts texts, string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return texts.UnknownBrowser;
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
        return system is null ? browser : PageTexts.Format(texts.BrowserOnSystem, browser, system);
    }
}
