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
        const string ErrorId = "error";
        bool hasError = !string.IsNullOrEmpty(model.ErrorMessage);
        var html = HtmlWriter.Begin($"Sign in to {model.ClientName} – {model.OrganizationName}")
            .Paragraph("org", model.OrganizationName)
            .Heading($"Sign in to {model.ClientName}");
        if (hasError)
        {
            html.Raw("<p class=\"alert\" role=\"alert\"").Attribute("id", ErrorId).Raw(">").Text(model.ErrorMessage!).Raw("</p>\n");
        }

        html.OpenForm(model.Form)
            .Raw("<label for=\"username\">Username</label>\n")
            .Raw("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required=\"\"")
            .Attribute("value", model.Username ?? string.Empty);
        if (hasError)
        {
            html.Attribute("aria-describedby", ErrorId);
        }

        html.Raw(" />\n")
            .Raw("<label for=\"password\">Password</label>\n")
            .Raw("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required=\"\"");
        if (hasError)
        {
            html.Attribute("aria-describedby", ErrorId);
        }

        html.Raw(" />\n")
            .Button("Sign in")
            .Raw("</form>\n");
        if (model.Passkey is { } passkey)
        {
            html.OpenPasskeyForm(passkey)
                .PasskeyButton("Sign in with a passkey", secondary: true)
                .Raw("</form>\n");
        }

        return html.End(passkeyScript: model.Passkey is not null);
    }

    public static string SecondFactor(SecondFactorPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = HtmlWriter.Begin($"Verify it is you – {model.OrganizationName}")
            .Paragraph("org", model.OrganizationName)
            .Heading("Verify it is you");
        Alert(html, model.ErrorMessage);
        if (model.Passkey is { } passkey)
        {
            html.OpenPasskeyForm(passkey)
                .Raw("<p>Use your passkey or security key to sign in to ").Text(model.ClientName).Raw(".</p>\n")
                .PasskeyButton("Use a passkey")
                .Raw("</form>\n");
        }

        html.Raw(model.OffersTotp
                ? "<p id=\"code-help\">Enter the 6-digit code from your authenticator app. Lost your device? Enter one of your recovery codes instead.</p>\n"
                : "<p id=\"code-help\">Cannot use your passkey? Enter one of your recovery codes.</p>\n")
            .OpenForm(model.Form);
        CodeInput(html, model.OffersTotp ? "Code" : "Recovery code", model.ErrorMessage is not null, numeric: false);
        return html.Button("Verify", secondary: model.Passkey is not null)
            .Raw("</form>\n")
            .End(passkeyScript: model.Passkey is not null);
    }

    public static string Enrolment(EnrolmentPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string title = model.QrSvg is null ? "Set up a passkey" : model.Passkey is null ? "Set up an authenticator app" : "Set up a second factor";
        var html = HtmlWriter.Begin($"{title} – {model.OrganizationName}")
            .Paragraph("org", model.OrganizationName)
            .Heading(title);
        Alert(html, model.ErrorMessage);
        html.Raw("<p>").Text(model.OrganizationName).Raw(" asks for a second factor when you sign in.</p>\n");
        if (model.Passkey is { } passkey)
        {
            html.OpenPasskeyForm(passkey)
                .Raw("<h2>Passkey or security key</h2>\n")
                .Raw("<label for=\"passkey_name\">Name for this passkey</label>\n")
                .Raw("<input id=\"passkey_name\" name=\"passkey_name\" type=\"text\" maxlength=\"64\" autocomplete=\"off\" placeholder=\"e.g. Work laptop\" />\n")
                .PasskeyButton("Create a passkey")
                .Raw("</form>\n");
            if (model.QrSvg is null)
            {
                html.Raw("<noscript><p class=\"alert\">Creating a passkey needs JavaScript. Turn it on for this page, or use a browser that runs it.</p></noscript>\n");
            }
        }

        if (model.QrSvg is not null)
        {
            if (model.Passkey is not null)
            {
                html.Raw("<h2>Authenticator app</h2>\n");
            }

            html.Raw("<p id=\"code-help\">Scan this QR code with an authenticator app, then enter the 6-digit code it shows.</p>\n")
                .Raw("<div class=\"qr\">").Raw(model.QrSvg).Raw("</div>\n")
                .Raw("<p>Cannot scan it? Enter this key in the app (time-based):</p>\n")
                .Raw("<p class=\"key\"><code>").Text(GroupKey(model.Key!)).Raw("</code></p>\n")
                .OpenForm(model.Form);
            CodeInput(html, "Code from the app", model.ErrorMessage is not null, numeric: true);
            html.Button("Turn on", secondary: model.Passkey is not null)
                .Raw("</form>\n");
        }

        return html.End(passkeyScript: model.Passkey is not null);
    }

    public static string RecoveryCodes(RecoveryCodesPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = HtmlWriter.Begin($"Recovery codes – {model.OrganizationName}")
            .Paragraph("org", model.OrganizationName);
        if (model.NewCodes is { } codes)
        {
            html.Heading("Save your recovery codes")
                .Raw("<p>If you lose your device, each of these codes lets you sign in once. Write them down or store them in a password manager now: they are not shown again.</p>\n")
                .Raw("<ul class=\"codes\" aria-label=\"Recovery codes\">\n");
            foreach (string code in codes)
            {
                html.Raw("<li>").Text(code).Raw("</li>\n");
            }

            html.Raw("</ul>\n");
        }
        else
        {
            html.Heading("You used a recovery code");
            if (model.CodesLeft == 0)
            {
                html.Raw("<p class=\"alert\" role=\"alert\">That was your last recovery code. Ask an administrator to reset your second factor before you need another one.</p>\n");
            }
            else
            {
                html.Raw("<p>That code cannot be used again. You have <strong>")
                    .Text(model.CodesLeft.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Raw(model.CodesLeft == 1 ? "</strong> recovery code left.</p>\n" : "</strong> recovery codes left.</p>\n");
            }
        }

        return html.OpenForm(model.ContinueForm)
            .Button("Continue")
            .Raw("</form>\n")
            .End();
    }

    public static string Consent(ConsentPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = HtmlWriter.Begin($"Allow {model.ClientName}? – {model.OrganizationName}")
            .Paragraph("org", model.OrganizationName)
            .Heading($"Allow {model.ClientName} to use your account?")
            .Raw("<p id=\"scopes\">").Text(model.ClientName).Raw(" is asking for:</p>\n")
            .Raw("<ul aria-labelledby=\"scopes\">\n");
        foreach (string scope in model.Scopes)
        {
            string? description = ScopeDescriptions.For(scope);
            if (description is null)
            {
                html.Raw("<li><code>").Text(scope).Raw("</code></li>\n");
            }
            else
            {
                html.Raw("<li>").Text(description).Raw("</li>\n");
            }
        }

        return html.Raw("</ul>\n")
            .OpenForm(model.Form)
            .Button("Allow", FormFieldNames.Decision, FormFieldNames.Allow)
            .Button("Deny", FormFieldNames.Decision, FormFieldNames.Deny, secondary: true)
            .Raw("</form>\n")
            .End();
    }

    public static string LogoutConfirm(LogoutPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return HtmlWriter.Begin($"Sign out of {model.OrganizationName}?")
            .Heading($"Sign out of {model.OrganizationName}?")
            .OpenForm(model.Form)
            .Button("Sign out", FormFieldNames.Decision, FormFieldNames.SignOut)
            .Button("Cancel", FormFieldNames.Decision, FormFieldNames.Cancel, secondary: true)
            .Raw("</form>\n")
            .End();
    }

    public static string LoggedOut(LoggedOutPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return HtmlWriter.Begin($"Signed out of {model.OrganizationName}")
            .Heading($"You have signed out of {model.OrganizationName}")
            .Raw("<p>You can close this window.</p>\n")
            .End();
    }

    public static string Error(ErrorPageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return HtmlWriter.Begin(model.Title)
            .Heading(model.Title)
            .Raw("<p>").Text(model.Message).Raw("</p>\n")
            .Raw("<p>Reference: <code>").Text(model.CorrelationId).Raw("</code></p>\n")
            .End();
    }

    /// <summary>
    /// OAuth 2.0 Form Post Response Mode §2: the response parameters as hidden inputs of a form that POSTs to the
    /// redirect URI and submits itself; without JavaScript the person presses Continue. The redirect URI must be an
    /// absolute http(s) URI, already matched against the client's registration.
    /// </summary>
    public static string FormPost(string redirectUri, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _ = SecurityHeaders.OriginOf(redirectUri);
        var html = HtmlWriter.Begin("Returning to the application")
            .Raw("<form method=\"post\"").Attribute("action", redirectUri).Raw(">\n");
        foreach (var (name, value) in parameters)
        {
            html.HiddenInput(name, value);
        }

        return html
            .Raw("<noscript>\n<p>Your browser is not running scripts, so press Continue to return to the application.</p>\n")
            .Button("Continue")
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
