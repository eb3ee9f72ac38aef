using System.Globalization;
using System.Text.Json;
using Clavex.Server.Login;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// One console page: the header with the organisation, the sections and the admin, then <c>&lt;main&gt;</c> with the
/// page's content, written through <see cref="HtmlWriter"/> (values always encoded). Every form is a POST to the
/// console with the antiforgery token, except the filters, which are GETs.
/// </summary>
internal sealed class ConsoleHtml
{
    public static readonly (string Section, string Title)[] Sections =
        [("clients", "Clients"), ("users", "Users"), ("groups", "Groups"), ("keys", "Signing keys"), ("audit", "Audit log")];

    private readonly HtmlWriter _html;
    private readonly string _antiforgeryToken;
    private int _ids;

    private ConsoleHtml(Frame frame, string title, string? section)
    {
        _antiforgeryToken = frame.AntiforgeryToken;
        _html = HtmlWriter.BeginDocument("en", title + " – " + frame.Brand, ConsoleAssets.Stylesheet);
        _html.Raw("<a class=\"skip\" href=\"#main\">Skip to the content</a>\n<header>\n")
            .Raw("<a class=\"brand\"").Attribute("href", frame.Home).Raw(">").Text(frame.Brand).Raw("</a>\n")
            .Raw("<nav aria-label=\"Sections\"><ul>\n");
        foreach ((string key, string name) in frame.Sections)
        {
            _html.Raw("<li><a").Attribute("href", frame.Home + "/" + key);
            if (key == section)
            {
                _html.Raw(" aria-current=\"page\"");
            }

            _html.Raw(">").Text(name).Raw("</a></li>\n");
        }

        _html.Raw("</ul></nav>\n<span>").Text(frame.User).Raw("</span>\n");
        Form(frame.Home + "/sign-out").Raw("<button type=\"submit\" class=\"secondary\">Sign out</button>\n</form>\n");
        _html.Raw("</header>\n<main id=\"main\">\n");
    }

    /// <summary>A page of an organisation's console.</summary>
    public static ConsoleHtml Begin(ConsoleRequest request, string title, string? section) =>
        new(new Frame(request.Organization.Slug + " · Clavex admin", request.Base, Sections, request.Admin.Username, request.AntiforgeryToken), title, section);

    /// <summary>A page of the operator's console (<see cref="OperatorPages"/>), signed in with the admin token.</summary>
    public static ConsoleHtml BeginOperator(string antiforgeryToken, string title) =>
        new(new Frame("Clavex operator", OperatorPages.Base, [("organizations", "Organisations")], "operator (admin token)", antiforgeryToken), title, "organizations");

    /// <summary>The header every page shares: the brand and where it leads, the sections, who is signed in.</summary>
    private sealed record Frame(string Brand, string Home, IReadOnlyList<(string Key, string Title)> Sections, string User, string AntiforgeryToken);

    public ConsoleHtml Raw(string markup)
    {
        _html.Raw(markup);
        return this;
    }

    public ConsoleHtml Text(string? value)
    {
        _html.Text(value ?? string.Empty);
        return this;
    }

    public ConsoleHtml Attribute(string name, string value)
    {
        _html.Attribute(name, value);
        return this;
    }

    public ConsoleHtml H1(string text) => Raw("<h1>").Text(text).Raw("</h1>\n");

    public ConsoleHtml H2(string text) => Raw("<h2>").Text(text).Raw("</h2>\n");

    public ConsoleHtml P(string text, string? cssClass = null) =>
        (cssClass is null ? Raw("<p>") : Raw("<p").Attribute("class", cssClass).Raw(">")).Text(text).Raw("</p>\n");

    /// <summary>The notice of a <c>?done=</c> redirect and the error of a refused change, announced to screen readers.</summary>
    public ConsoleHtml Messages(string? notice, string? error)
    {
        if (notice is not null)
        {
            Raw("<p role=\"status\" class=\"notice\">").Text(notice).Raw("</p>\n");
        }

        if (error is not null)
        {
            Raw("<p role=\"alert\" class=\"alert\" id=\"error\">").Text(error).Raw("</p>\n");
        }

        return this;
    }

    public ConsoleHtml Link(string href, string text) => Raw("<a").Attribute("href", href).Raw(">").Text(text).Raw("</a>");

    /// <summary>Opens a POST form to <paramref name="action"/> with the antiforgery token (close it with <see cref="EndForm"/>).</summary>
    public ConsoleHtml Form(string action, bool inline = false)
    {
        Raw("<form method=\"post\"").Attribute("action", action);
        if (inline)
        {
            Raw(" class=\"inline\"");
        }

        Raw(">\n");
        return Hidden(AntiforgeryTokens.FormFieldName, _antiforgeryToken);
    }

    public ConsoleHtml GetForm(string action) => Raw("<form method=\"get\"").Attribute("action", action).Raw(">\n");

    public ConsoleHtml EndForm() => Raw("</form>\n");

    public ConsoleHtml Hidden(string name, string value) => Raw("<input type=\"hidden\"").Attribute("name", name).Attribute("value", value).Raw(" />\n");

    public ConsoleHtml Field(string label, string name, string? value, string type = "text", string? hint = null, bool required = false, string? autocomplete = null)
    {
        string id = "f-" + name;
        Raw("<label").Attribute("for", id).Raw(">").Text(label).Raw("</label>\n");
        Raw("<input").Attribute("type", type).Attribute("id", id).Attribute("name", name).Attribute("value", value ?? string.Empty);
        if (required)
        {
            Raw(" required=\"\"");
        }

        Raw(" autocomplete=\"").Raw(autocomplete ?? "off").Raw("\"");
        return Described(id, hint).Raw(" />\n").Hint(id, hint);
    }

    /// <summary>A list edited one value per line (redirect URIs, groups).</summary>
    public ConsoleHtml Lines(string label, string name, IEnumerable<string> values, string? hint = null)
    {
        string id = "f-" + name;
        Raw("<label").Attribute("for", id).Raw(">").Text(label).Raw("</label>\n<textarea").Attribute("id", id).Attribute("name", name);
        return Described(id, hint).Raw(">").Text(string.Join('\n', values)).Raw("</textarea>\n").Hint(id, hint);
    }

    public ConsoleHtml Check(string label, string name, bool isChecked, string? hint = null)
    {
        string id = "f-" + name;
        Raw("<label class=\"check\"><input type=\"checkbox\" value=\"on\"").Attribute("id", id).Attribute("name", name);
        if (isChecked)
        {
            Raw(" checked=\"\"");
        }

        return Described(id, hint).Raw(" /> ").Text(label).Raw("</label>\n").Hint(id, hint);
    }

    public ConsoleHtml Select(string label, string name, IReadOnlyList<(string Value, string Text)> options, string? selected, string? hint = null)
    {
        string id = "f-" + name;
        Raw("<label").Attribute("for", id).Raw(">").Text(label).Raw("</label>\n<select").Attribute("id", id).Attribute("name", name);
        Described(id, hint).Raw(">\n");
        foreach ((string value, string text) in options)
        {
            Raw("<option").Attribute("value", value);
            if (value == selected)
            {
                Raw(" selected=\"\"");
            }

            Raw(">").Text(text).Raw("</option>\n");
        }

        return Raw("</select>\n").Hint(id, hint);
    }

    public ConsoleHtml Button(string text, string kind = "", string? name = null, string? value = null)
    {
        Raw("<button type=\"submit\"");
        if (kind.Length > 0)
        {
            Attribute("class", kind);
        }

        if (name is not null && value is not null)
        {
            Attribute("name", name).Attribute("value", value);
        }

        return Raw(">").Text(text).Raw("</button>\n");
    }

    /// <summary>A one-button POST form, for the actions in a table row.</summary>
    public ConsoleHtml Action(string action, string text, string kind = "secondary", params (string Name, string Value)[] fields)
    {
        Form(action, inline: true);
        foreach ((string name, string value) in fields)
        {
            Hidden(name, value);
        }

        return Button(text, kind).EndForm();
    }

    /// <summary>A value shown this once (a new secret), with a copy button the console script reveals.</summary>
    public ConsoleHtml Secret(string label, string value)
    {
        string id = "secret-" + (++_ids).ToString(CultureInfo.InvariantCulture);
        return Raw("<p><strong>").Text(label).Raw("</strong></p>\n<code class=\"secret\"").Attribute("id", id).Raw(">").Text(value).Raw("</code>\n")
            .Raw("<button type=\"button\" class=\"secondary\" hidden=\"\"").Attribute("data-copy", id).Raw(">Copy</button>")
            .Raw("<span role=\"status\"").Attribute("id", id + "-status").Raw("></span>\n");
    }

    /// <summary>A table's head; rows follow as raw <c>&lt;tr&gt;</c> through <see cref="Cell"/>.</summary>
    public ConsoleHtml Table(string caption, params string[] headers)
    {
        Raw("<table>\n<caption class=\"hint\">").Text(caption).Raw("</caption>\n<thead><tr>");
        foreach (string header in headers)
        {
            Raw("<th scope=\"col\">").Text(header).Raw("</th>");
        }

        return Raw("</tr></thead>\n<tbody>\n");
    }

    public ConsoleHtml EndTable() => Raw("</tbody>\n</table>\n");

    public ConsoleHtml Cell(string? text, string? cssClass = null) =>
        (cssClass is null ? Raw("<td>") : Raw("<td").Attribute("class", cssClass).Raw(">")).Text(text).Raw("</td>");

    public ConsoleHtml Pretty(JsonElement json) =>
        Raw("<pre>").Text(JsonSerializer.Serialize(json, PrettyJson)).Raw("</pre>\n");

    public string End(bool script = false) => _html.Raw("</main>\n").EndDocument(script ? ConsoleAssets.ScriptPath : null);

    public static string When(string? rfc3339) =>
        rfc3339 is not null && DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
            ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : "—";

    private static readonly JsonSerializerOptions PrettyJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private ConsoleHtml Described(string id, string? hint) => hint is null ? this : Attribute("aria-describedby", id + "-hint");

    private ConsoleHtml Hint(string id, string? hint) =>
        hint is null ? this : Raw("<p class=\"hint\"").Attribute("id", id + "-hint").Raw(">").Text(hint).Raw("</p>\n");
}
