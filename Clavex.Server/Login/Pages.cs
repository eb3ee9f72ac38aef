namespace Clavex.Server.Login;

/// <summary>
/// The pages a person sees at the provider, as complete HTML documents. They work without JavaScript (only the form
/// post page runs a one-line script, with a button as the fallback) and carry one fixed inline stylesheet, which
/// <see cref="SecurityHeaders"/> allows by hash. Send each with the headers <see cref="SecurityHeaders"/> gives for it.
/// </summary>
public static class Pages
{
    public static string Login(LoginPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        const string ErrorId = "error";
        bool hasError = !string.IsNullOrEmpty(model.ErrorMessage);
        string heading = PageTexts.Format(t.LoginTitle, model.ClientName);
        var html = HtmlWriter.Begin(model.Frame, heading).Heading(heading);
        if (hasError)
        {
            html.Raw("<p class=\"alert\" role=\"alert\"").Attribute("id", ErrorId).Raw(">").Text(model.ErrorMessage!).Raw("</p>\n");
        }

        html.OpenForm(model.Form)
            .Raw("<label for=\"username\">").Text(t.Username).Raw("</label>\n")
            .Raw("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required=\"\"")
            .Attribute("value", model.Username ?? string.Empty);
        if (hasError)
        {
            html.Attribute("aria-describedby", ErrorId);
        }

        html.Raw(" />\n")
            .Raw("<label for=\"password\">").Text(t.Password).Raw("</label>\n")
            .Raw("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required=\"\"");
        if (hasError)
        {
            html.Attribute("aria-describedby", ErrorId);
        }

        // After a refused attempt the username is kept: focus goes to the password, which is what needs retyping.
        if (hasError && !string.IsNullOrEmpty(model.Username))
        {
            html.Raw(" autofocus=\"\"");
        }

        html.Raw(" />\n")
            .Button(t.SignIn)
            .Raw("</form>\n");
        if (model.Passkey is { } passkey)
        {
            html.OpenPasskeyForm(passkey)
                .PasskeyButton(t.SignInWithPasskey, secondary: true)
                .Raw("</form>\n");
        }

        return html.End(passkeyScript: model.Passkey is not null);
    }

    public static string SecondFactor(SecondFactorPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        var html = HtmlWriter.Begin(model.Frame, t.VerifyTitle).Heading(t.VerifyTitle);
        Alert(html, model.ErrorMessage);
        if (model.Passkey is { } passkey)
        {
            html.OpenPasskeyForm(passkey)
                .Raw("<p>").Text(PageTexts.Format(t.UsePasskeyFor, model.ClientName)).Raw("</p>\n")
                .PasskeyButton(t.UsePasskey)
                .Raw("</form>\n");
        }

        html.Raw("<p id=\"code-help\">").Text(model.OffersTotp ? t.CodeHelpTotp : t.CodeHelpRecoveryOnly).Raw("</p>\n")
            .OpenForm(model.Form);
        CodeInput(html, model.OffersTotp ? t.Code : t.RecoveryCode, model.ErrorMessage is not null, numeric: false);
        return html.Button(t.Verify, secondary: model.Passkey is not null)
            .Raw("</form>\n")
            .End(passkeyScript: model.Passkey is not null);
    }

    public static string Enrolment(EnrolmentPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        string title = model.QrSvg is null ? t.EnrolPasskeyTitle : model.Passkey is null ? t.EnrolTotpTitle : t.EnrolEitherTitle;
        var html = HtmlWriter.Begin(model.Frame, title).Heading(title);
        Alert(html, model.ErrorMessage);
        html.Raw("<p>").Text(PageTexts.Format(t.EnrolIntro, model.Frame.OrganizationName)).Raw("</p>\n");
        if (model.Passkey is { } passkey)
        {
            html.OpenPasskeyForm(passkey)
                .Raw("<h2>").Text(t.PasskeyHeading).Raw("</h2>\n")
                .Raw("<label for=\"passkey_name\">").Text(t.PasskeyName).Raw("</label>\n")
                .Raw("<input id=\"passkey_name\" name=\"passkey_name\" type=\"text\" maxlength=\"64\" autocomplete=\"off\"").Attribute("placeholder", t.PasskeyNamePlaceholder).Raw(" />\n")
                .PasskeyButton(t.CreatePasskey)
                .Raw("</form>\n");
            if (model.QrSvg is null)
            {
                html.Raw("<noscript><p class=\"alert\">").Text(t.PasskeyNeedsScript).Raw("</p></noscript>\n");
            }
        }

        if (model.QrSvg is not null)
        {
            if (model.Passkey is not null)
            {
                html.Raw("<h2>").Text(t.AuthenticatorAppHeading).Raw("</h2>\n");
            }

            html.Raw("<p id=\"code-help\">").Text(t.ScanQrCode).Raw("</p>\n")
                .Raw("<div class=\"qr\">").Raw(model.QrSvg).Raw("</div>\n")
                .Raw("<p>").Text(t.CannotScan).Raw("</p>\n")
                .Raw("<p class=\"key\"><code>").Text(GroupKey(model.Key!)).Raw("</code></p>\n")
                .OpenForm(model.Form);
            CodeInput(html, t.CodeFromApp, model.ErrorMessage is not null, numeric: true);
            html.Button(t.TurnOn, secondary: model.Passkey is not null)
                .Raw("</form>\n");
        }

        return html.End(passkeyScript: model.Passkey is not null);
    }

    public static string RecoveryCodes(RecoveryCodesPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        var html = HtmlWriter.Begin(model.Frame, t.RecoveryCodesTitle);
        if (model.NewCodes is { } codes)
        {
            html.Heading(t.SaveRecoveryCodes)
                .Raw("<p>").Text(t.SaveRecoveryCodesHelp).Raw("</p>\n")
                .Raw("<ul class=\"codes\"").Attribute("aria-label", t.RecoveryCodesTitle).Raw(">\n");
            foreach (string code in codes)
            {
                html.Raw("<li>").Text(code).Raw("</li>\n");
            }

            html.Raw("</ul>\n");
        }
        else
        {
            html.Heading(t.UsedRecoveryCode);
            if (model.CodesLeft == 0)
            {
                html.Raw("<p class=\"alert\" role=\"alert\">").Text(t.LastRecoveryCodeUsed).Raw("</p>\n");
            }
            else
            {
                html.Raw("<p>").TextWithStrong(model.CodesLeft == 1 ? t.RecoveryCodeLeft : t.RecoveryCodesLeft,
                    model.CodesLeft.ToString(System.Globalization.CultureInfo.InvariantCulture)).Raw("</p>\n");
            }
        }

        return html.OpenForm(model.ContinueForm)
            .Button(t.Continue)
            .Raw("</form>\n")
            .End();
    }

    public static string Consent(ConsentPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        string heading = PageTexts.Format(t.ConsentTitle, model.ClientName);
        var html = HtmlWriter.Begin(model.Frame, heading)
            .Heading(heading)
            .Raw("<p id=\"scopes\">").Text(PageTexts.Format(t.ConsentAsking, model.ClientName)).Raw("</p>\n")
            .Raw("<ul aria-labelledby=\"scopes\">\n");
        foreach (string scope in model.Scopes)
        {
            if (t.Scopes.TryGetValue(scope, out string? description))
            {
                html.Raw("<li>").Text(description).Raw("</li>\n");
            }
            else
            {
                html.Raw("<li><code>").Text(scope).Raw("</code></li>\n");
            }
        }

        return html.Raw("</ul>\n")
            .OpenForm(model.Form)
            .Button(t.Allow, FormFieldNames.Decision, FormFieldNames.Allow)
            .Button(t.Deny, FormFieldNames.Decision, FormFieldNames.Deny, secondary: true)
            .Raw("</form>\n")
            .End();
    }

    public static string LogoutConfirm(LogoutPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        string heading = PageTexts.Format(t.SignOutTitle, model.Frame.OrganizationName);
        return HtmlWriter.Begin(model.Frame, heading)
            .Heading(heading)
            .OpenForm(model.Form)
            .Button(t.SignOut, FormFieldNames.Decision, FormFieldNames.SignOut)
            .Button(t.Cancel, FormFieldNames.Decision, FormFieldNames.Cancel, secondary: true)
            .Raw("</form>\n")
            .End();
    }

    public static string LoggedOut(LoggedOutPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        string heading = PageTexts.Format(t.SignedOutTitle, model.Frame.OrganizationName);
        var html = HtmlWriter.Begin(model.Frame, heading).Heading(heading);
        if (model.ReturnTo is { } returnTo)
        {
            html.Raw("<p><a class=\"button\"").Attribute("href", returnTo.Uri).Raw(">").Text(PageTexts.Format(t.BackTo, returnTo.Name)).Raw("</a></p>\n");
        }
        else
        {
            html.Raw("<p>").Text(t.CloseWindow).Raw("</p>\n");
        }

        return html.End();
    }

    public static string Error(ErrorPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        PageTexts t = model.Frame.Texts;
        return HtmlWriter.Begin(model.Frame, model.Title)
            .Heading(model.Title)
            .Raw("<p>").Text(model.Message).Raw("</p>\n")
            .Raw("<p>").Text(t.Reference).Raw(" <code>").Text(model.CorrelationId).Raw("</code></p>\n")
            .Raw("<p class=\"hint\">").Text(t.SendReference).Raw("</p>\n")
            .End();
    }

    /// <summary>
    /// OAuth 2.0 Form Post Response Mode §2: the response parameters as hidden inputs of a form that POSTs to the
    /// redirect URI and submits itself; without JavaScript the person presses Continue. The redirect URI must be an
    /// absolute http(s) URI, already matched against the client's registration.
    /// </summary>
    public static string FormPost(PageTexts texts, string redirectUri, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(parameters);
        _ = SecurityHeaders.OriginOf(redirectUri);
        var html = HtmlWriter.Begin(new PageFrame(texts, null), texts.ReturningTitle)
            .Raw("<form method=\"post\"").Attribute("action", redirectUri).Raw(">\n");
        foreach (var (name, value) in parameters)
        {
            html.HiddenInput(name, value);
        }

        return html
            .Raw("<noscript>\n<p>").Text(texts.ReturningNoScript).Raw("</p>\n")
            .Button(texts.Continue)
            .Raw("</noscript>\n</form>\n")
            .End(InlineAssets.AutoSubmitScript);
    }

    private static void Alert(HtmlWriter html, string? message)
    {
        if (!string.IsNullOrEmpty(message))
        {
            html.Raw("<p class=\"alert\" role=\"alert\" id=\"error\">").Text(message).Raw("</p>\n");
        }
    }

    /// <summary>A one-time code field: no autocomplete of old values, the platform's one-time-code suggestion, no spell check.</summary>
    private static void CodeInput(HtmlWriter html, string label, bool hasError, bool numeric)
    {
        html.Raw("<label for=\"code\">").Text(label).Raw("</label>\n")
            .Raw("<input id=\"code\" name=\"code\" type=\"text\" autocomplete=\"one-time-code\" autocapitalize=\"none\" spellcheck=\"false\" required=\"\" maxlength=\"32\"");
        if (numeric)
        {
            html.Raw(" inputmode=\"numeric\" pattern=\"[0-9 ]*\"");
        }

        html.Attribute("aria-describedby", hasError ? "error code-help" : "code-help").Raw(" />\n");
    }

    // Groups of four, as authenticator apps show keys.
    private static string GroupKey(string key)
    {
        var grouped = new System.Text.StringBuilder(key.Length + (key.Length / 4));
        for (int i = 0; i < key.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                grouped.Append(' ');
            }

            grouped.Append(key[i]);
        }

        return grouped.ToString();
    }
}
