using System.Text;
using System.Text.Encodings.Web;

namespace Clavex.Server.Login;

/// <summary>
/// Builds one page. Markup passes through <see cref="Raw"/> and is always a literal in this folder; every value
/// from outside goes through <see cref="Text"/> or <see cref="Attribute"/>, which HTML-encode it (quotes included,
/// so the same encoding is safe in double-quoted attributes). Void elements are self-closed, so a page also parses
/// as XML, which the tests rely on.
/// </summary>
internal sealed class HtmlWriter
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    private readonly StringBuilder _html = new(2048);

    private HtmlWriter()
    {
    }

    /// <summary>
    /// The document head (language, title, the fixed stylesheet and the organisation's accent colour) and the page's
    /// header: the organisation's logo and name, when the page belongs to one.
    /// </summary>
    public static HtmlWriter Begin(PageFrame frame, string title)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var writer = new HtmlWriter();
        writer
            .Raw("<!DOCTYPE html>\n<html").Attribute("lang", frame.Texts.Language).Raw(">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Raw("<title>").Text(frame.OrganizationName is { } name ? title + " – " + name : title).Raw("</title>\n")
            .Raw("<style>").Raw(InlineAssets.Stylesheet).Raw("</style>\n");
        if (frame.AccentColor is { } accent)
        {
            writer.Raw("<style>").Raw(InlineAssets.AccentStyle(accent)).Raw("</style>\n");
        }

        writer.Raw("</head>\n<body>\n<main>\n");
        if (frame.LogoUri is { } logo)
        {
            // Decorative: the organisation's name follows as text.
            writer.Raw("<img class=\"logo\" alt=\"\"").Attribute("src", logo).Raw(" />\n");
        }

        if (frame.OrganizationName is { } organization)
        {
            writer.Paragraph("org", organization);
        }

        return writer;
    }

    /// <summary>
    /// A page with its own stylesheet and layout (the admin console): the document head with <paramref name="stylesheet"/>
    /// inline (allowed by its hash), then an open <c>&lt;body&gt;</c> the caller fills.
    /// </summary>
    public static HtmlWriter BeginDocument(string language, string title, string stylesheet)
    {
        var writer = new HtmlWriter();
        return writer
            .Raw("<!DOCTYPE html>\n<html").Attribute("lang", language).Raw(">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Raw("<title>").Text(title).Raw("</title>\n")
            .Raw("<style>").Raw(stylesheet).Raw("</style>\n</head>\n<body>\n");
    }

    /// <summary>Closes a <see cref="BeginDocument"/> page, with the one script file it loads, if any.</summary>
    public string EndDocument(string? scriptPath)
    {
        if (scriptPath is not null)
        {
            Raw("<script").Attribute("src", scriptPath).Raw("></script>\n");
        }

        return Raw("</body>\n</html>\n")._html.ToString();
    }

    public HtmlWriter Raw(string markup)
    {
        _html.Append(markup);
        return this;
    }

    public HtmlWriter Text(string value)
    {
        _html.Append(Encoder.Encode(value));
        return this;
    }

    /// <summary><c> name="value"</c> with the value encoded.</summary>
    public HtmlWriter Attribute(string name, string value)
    {
        _html.Append(' ').Append(name).Append("=\"").Append(Encoder.Encode(value)).Append('"');
        return this;
    }

    /// <summary>A text with one <c>{0}</c>, the value in <c>&lt;strong&gt;</c>; both encoded.</summary>
    public HtmlWriter TextWithStrong(string text, string value)
    {
        int at = text.IndexOf("{0}", StringComparison.Ordinal);
        if (at < 0)
        {
            return Text(text);
        }

        return Text(text[..at]).Raw("<strong>").Text(value).Raw("</strong>").Text(text[(at + 3)..]);
    }

    public HtmlWriter Paragraph(string cssClass, string text) =>
        Raw("<p class=\"").Raw(cssClass).Raw("\">").Text(text).Raw("</p>\n");

    public HtmlWriter Heading(string text) => Raw("<h1>").Text(text).Raw("</h1>\n");

    public HtmlWriter HiddenInput(string name, string value) =>
        Raw("<input type=\"hidden\"").Attribute("name", name).Attribute("value", value).Raw(" />\n");

    public HtmlWriter Button(string text, string? name = null, string? value = null, bool secondary = false)
    {
        Raw("<button type=\"submit\"");
        if (secondary)
        {
            Raw(" class=\"secondary\"");
        }

        if (name is not null && value is not null)
        {
            Attribute("name", name).Attribute("value", value);
        }

        return Raw(">").Text(text).Raw("</button>\n");
    }

    /// <summary>Opens the form and writes the antiforgery token and the forwarded parameters as hidden inputs.</summary>
    public HtmlWriter OpenForm(PageForm form) => OpenForm(form, null);

    /// <summary>
    /// A passkey form (<see cref="PasskeyFormModel"/>): hidden until the passkey script finds WebAuthn in the browser,
    /// its options for the script in <c>data-passkey-options</c>, the challenge as a hidden input.
    /// </summary>
    public HtmlWriter OpenPasskeyForm(PasskeyFormModel passkey)
    {
        OpenForm(passkey.Form, passkey);
        HiddenInput(FormFieldNames.WebAuthnChallenge, passkey.Challenge);
        return HiddenInput(FormFieldNames.WebAuthnResponse, string.Empty);
    }

    /// <summary>The passkey form's button (it runs the ceremony; it does not submit) and the line the script reports on.</summary>
    public HtmlWriter PasskeyButton(string text, bool secondary = false) =>
        Raw(secondary ? "<button type=\"button\" class=\"secondary\" data-passkey-start=\"\">" : "<button type=\"button\" data-passkey-start=\"\">")
            .Text(text).Raw("</button>\n<p role=\"status\" data-passkey-status=\"\"></p>\n");

    private HtmlWriter OpenForm(PageForm form, PasskeyFormModel? passkey)
    {
        Raw("<form").Attribute("method", form.Method == FormMethod.Post ? "post" : "get").Attribute("action", form.Action);
        if (passkey is not null)
        {
            Raw(" hidden=\"\"").Attribute("data-passkey-mode", passkey.Create ? "create" : "get").Attribute("data-passkey-options", passkey.OptionsJson);
        }

        Raw(">\n");
        HiddenInput(AntiforgeryTokens.FormFieldName, form.AntiforgeryToken);

        foreach (var (name, value) in form.RequestParameters)
        {
            if (!FormFieldNames.IsReserved(name))
            {
                HiddenInput(name, value);
            }
        }

        return this;
    }

    public string End(string? script = null, bool passkeyScript = false)
    {
        Raw("</main>\n");
        if (script is not null)
        {
            Raw("<script>").Raw(script).Raw("</script>\n");
        }

        if (passkeyScript)
        {
            Raw("<script src=\"").Raw(PasskeyScript.Path).Raw("\"></script>\n");
        }

        return Raw("</body>\n</html>\n")._html.ToString();
    }
}
