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

        return html.Raw(" />\n")
            .Button("Sign in")
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
}
