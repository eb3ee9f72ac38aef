using System.Xml.Linq;
using Clavex.Server.Login;

namespace Clavex.Tests.Login;

public sealed class PagesTests
{
    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void Every_page_is_a_complete_document_in_UTF8_with_its_language_and_a_title(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var page = HtmlPage.Parse(html);
        string language = html.Contains("Benutzername", StringComparison.Ordinal) || html.Contains(" Sie ", StringComparison.Ordinal) ? "de" : "en";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(html, Does.StartWith($"<!DOCTYPE html>\n<html lang=\"{language}\">"));
            Assert.That((string?)page.Elements("meta").First().Attribute("charset"), Is.EqualTo("utf-8"));
            Assert.That(page.Single("title").Value, Is.Not.Empty);
            Assert.That(page.Elements("main").Count(), Is.EqualTo(1));
            Assert.That(page.Elements("h1").Count() + page.Elements("form").Count(), Is.GreaterThanOrEqualTo(1));
        }
    }

    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void Every_visible_input_has_a_label_and_every_label_an_input(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var page = HtmlPage.Parse(html);
        var visible = page.Elements("input").Where(input => (string?)input.Attribute("type") != "hidden").ToList();
        var labels = page.Elements("label").Select(label => (string?)label.Attribute("for")).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(visible.Select(input => (string?)input.Attribute("id")), Is.EquivalentTo(labels));
            Assert.That(labels, Is.Unique.And.All.Not.Null);
            Assert.That(page.Elements("label").Select(label => label.Value), Is.All.Not.Empty);
        }
    }

    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void No_page_has_inline_handlers_or_style_attributes_that_the_policy_would_block(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var attributes = HtmlPage.Parse(html).Document.Descendants().Attributes().Select(attribute => attribute.Name.LocalName);

        Assert.That(attributes, Has.None.StartsWith("on").And.None.EqualTo("style"));
    }

    // Login

    [Test]
    public void The_login_page_names_the_organisation_and_the_client()
    {
        var page = HtmlPage.Parse(PageSamples.Login());

        Assert.That(page.Single("h1").Value, Is.EqualTo("Sign in to Jira + Confluence"));
        Assert.That(page.Elements("p").First().Value, Is.EqualTo("Acme"));
    }

    [Test]
    public void The_login_page_asks_for_username_and_current_password_with_autocomplete_hints()
    {
        var page = HtmlPage.Parse(PageSamples.Login(username: "amelie"));
        var inputs = page.Elements("input").Where(input => (string?)input.Attribute("type") != "hidden").ToDictionary(input => (string)input.Attribute("name")!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(inputs.Keys, Is.EqualTo(new[] { "username", "password" }));
            Assert.That((string?)inputs["username"].Attribute("autocomplete"), Is.EqualTo("username"));
            Assert.That((string?)inputs["username"].Attribute("value"), Is.EqualTo("amelie"));
            Assert.That((string?)inputs["password"].Attribute("autocomplete"), Is.EqualTo("current-password"));
            Assert.That((string?)inputs["password"].Attribute("type"), Is.EqualTo("password"));
            Assert.That(inputs["password"].Attribute("value"), Is.Null);
        }
    }

    [Test]
    public void The_login_form_posts_to_the_models_action()
    {
        var form = HtmlPage.Parse(PageSamples.Login(action: "/acme/login?x=1&y=2")).Single("form");

        Assert.That((string?)form.Attribute("method"), Is.EqualTo("post"));
        Assert.That((string?)form.Attribute("action"), Is.EqualTo("/acme/login?x=1&y=2"));
    }

    [Test]
    public void The_login_page_keeps_every_original_request_parameter_as_a_hidden_input()
    {
        var page = HtmlPage.Parse(PageSamples.Login());

        Assert.That(page.HiddenFields, Is.EqualTo(new[] { new KeyValuePair<string, string>(AntiforgeryTokens.FormFieldName, PageSamples.Token) }
            .Concat(PageSamples.AuthorizationRequest)));
    }

    [Test]
    public void Request_parameters_named_like_our_own_fields_are_not_forwarded()
    {
        var page = HtmlPage.Parse(PageSamples.Login(parameters:
        [
            new("client_id", "atlassian"), new("password", "planted"), new("username", "mallory"),
            new("decision", "allow"), new(AntiforgeryTokens.FormFieldName, "forged"),
        ]));

        Assert.That(page.HiddenFields, Is.EqualTo(new KeyValuePair<string, string>[]
        {
            new(AntiforgeryTokens.FormFieldName, PageSamples.Token), new("client_id", "atlassian"),
        }));
    }

    [Test]
    public void A_login_error_is_announced_and_describes_both_fields()
    {
        var page = HtmlPage.Parse(PageSamples.Login(error: PageTexts.English.IncorrectCredentials));
        var alert = page.Elements("p").Single(p => (string?)p.Attribute("role") == "alert");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alert.Value, Is.EqualTo("The username or password is incorrect."));
            Assert.That(page.Elements("input").Where(input => (string?)input.Attribute("aria-describedby") == (string?)alert.Attribute("id")).Count(), Is.EqualTo(2));
        }
    }

    [Test]
    public void Without_an_error_there_is_no_alert()
    {
        var page = HtmlPage.Parse(PageSamples.Login(error: null));

        Assert.That(page.Document.Descendants().Attributes("role"), Is.Empty);
        Assert.That(page.Document.Descendants().Attributes("aria-describedby"), Is.Empty);
    }

    [Test]
    public void Without_a_login_hint_the_username_is_empty()
    {
        var username = HtmlPage.Parse(PageSamples.Login(username: null)).Elements("input").Single(input => (string?)input.Attribute("id") == "username");

        Assert.That((string?)username.Attribute("value"), Is.Empty);
    }

    // Consent

    [Test]
    public void The_consent_page_lists_scopes_in_plain_words_and_unknown_ones_by_name()
    {
        var page = HtmlPage.Parse(PageSamples.Consent(scopes: ["openid", "profile", "email", "groups", "offline_access", "phone", "address", "jira:write"]));

        Assert.That(page.Elements("li").Select(li => li.Value), Is.EqualTo(new[]
        {
            "Sign you in", "Your name and username", "Your email address", "Your group memberships", "Stay signed in",
            "Your phone number", "Your postal address", "jira:write",
        }));
    }

    [Test]
    public void The_consent_page_has_Allow_and_Deny_buttons_in_a_protected_form_that_keeps_the_request()
    {
        var page = HtmlPage.Parse(PageSamples.Consent());
        var buttons = page.Elements("button").Select(button => ((string?)button.Attribute("name"), (string?)button.Attribute("value"), button.Value));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(buttons, Is.EqualTo(new[] { ("decision", "allow", "Allow"), ("decision", "deny", "Deny") }));
            Assert.That(page.HiddenFields, Is.EqualTo(new[] { new KeyValuePair<string, string>(AntiforgeryTokens.FormFieldName, PageSamples.Token) }
                .Concat(PageSamples.AuthorizationRequest)));
            Assert.That(page.Single("h1").Value, Does.Contain("Jira + Confluence"));
        }
    }

    // Logout

    [Test]
    public void The_logout_page_asks_and_offers_Sign_out_or_Cancel()
    {
        var page = HtmlPage.Parse(PageSamples.LogoutConfirm());
        var buttons = page.Elements("button").Select(button => ((string?)button.Attribute("value"), button.Value));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Single("h1").Value, Is.EqualTo("Sign out of Acme?"));
            Assert.That(buttons, Is.EqualTo(new[] { ("sign_out", "Sign out"), ("cancel", "Cancel") }));
            Assert.That(page.HiddenFields.Select(field => field.Key), Is.EqualTo(new[] { AntiforgeryTokens.FormFieldName, "post_logout_redirect_uri", "state" }));
        }
    }

    [Test]
    public void The_logged_out_page_says_so_and_has_no_form()
    {
        var page = HtmlPage.Parse(PageSamples.LoggedOut());

        Assert.That(page.Single("h1").Value, Is.EqualTo("You have signed out of Acme"));
        Assert.That(page.Elements("form"), Is.Empty);
    }

    // Error

    [Test]
    public void The_error_page_shows_title_message_and_reference()
    {
        var page = HtmlPage.Parse(PageSamples.Error());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Single("title").Value, Is.EqualTo("This application is not set up correctly"));
            Assert.That(page.Single("h1").Value, Is.EqualTo("This application is not set up correctly"));
            Assert.That(page.Elements("p").Select(p => p.Value), Is.EqualTo(new[]
            {
                "The redirect URI https://jira.acme.eu/x is not registered for client 'atlassian'.",
                "Reference: 0HN7R2Q4V1K9C",
                "If you need help, send this reference to your administrator: it finds what happened in the audit log.",
            }));
        }
    }

    // Form post

    [Test]
    public void The_form_post_page_posts_every_parameter_once_to_the_redirect_uri()
    {
        KeyValuePair<string, string>[] parameters = [new("code", "SplxlOBeZQQYbYS6WxSbIA"), new("state", "af0ifjsldkj"), new("iss", "https://id.acme.eu/acme")];
        var page = HtmlPage.Parse(PageSamples.FormPost(parameters: parameters));
        var form = page.Single("form");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)form.Attribute("method"), Is.EqualTo("post"));
            Assert.That((string?)form.Attribute("action"), Is.EqualTo(PageSamples.JiraCallback));
            Assert.That(page.HiddenFields, Is.EqualTo(parameters));
        }
    }

    [Test]
    public void The_form_post_page_submits_itself_and_offers_Continue_without_JavaScript()
    {
        var page = HtmlPage.Parse(PageSamples.FormPost());
        var button = page.Single("button");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Single("script").Value, Is.EqualTo("document.forms[0].submit();"));
            Assert.That(button.Value, Is.EqualTo("Continue"));
            Assert.That(button.Ancestors("noscript"), Is.Not.Empty);
            Assert.That(button.Ancestors("form"), Is.Not.Empty);
        }
    }

    [TestCase("javascript:alert(1)")]
    [TestCase("data:text/html,hi")]
    [TestCase("com.atlassian.app:/callback")]
    [TestCase("/relative/callback")]
    public void The_form_post_page_refuses_a_redirect_uri_that_is_not_http(string redirectUri)
    {
        Assert.That(() => PageSamples.FormPost(redirectUri), Throws.ArgumentException);
    }

    [TestCaseSource(typeof(PageSamples), nameof(PageSamples.All))]
    public void Only_the_form_post_page_has_a_script(string html, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var scripts = HtmlPage.Parse(html).Elements("script").ToList();
        bool isFormPost = headers[0].Value.Contains("script-src", StringComparison.Ordinal);

        Assert.That(scripts, Has.Count.EqualTo(isFormPost ? 1 : 0));
    }
}
