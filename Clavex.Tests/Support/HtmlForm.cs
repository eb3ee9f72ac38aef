using System.Net;
using System.Text.RegularExpressions;

namespace Clavex.Tests.Support;

/// <summary>Reads the forms of Clavex's server-rendered pages the way a browser without JavaScript would submit them.</summary>
internal sealed partial class HtmlForm
{
    private HtmlForm(string action, List<KeyValuePair<string, string>> fields)
    {
        Action = action;
        Fields = fields;
    }

    public string Action { get; }

    public List<KeyValuePair<string, string>> Fields { get; }

    /// <summary>The first form on the page whose action ends with <paramref name="actionSuffix"/>.</summary>
    public static HtmlForm Find(string html, string actionSuffix)
    {
        foreach (Match form in FormPattern().Matches(html))
        {
            string action = WebUtility.HtmlDecode(form.Groups["action"].Value);
            if (!action.EndsWith(actionSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var fields = new List<KeyValuePair<string, string>>();
            foreach (Match input in InputPattern().Matches(form.Groups["body"].Value))
            {
                string tag = input.Value;
                if (!tag.Contains("type=\"hidden\"", StringComparison.Ordinal))
                {
                    continue;
                }

                string name = WebUtility.HtmlDecode(AttributePattern("name").Match(tag).Groups[1].Value);
                string value = WebUtility.HtmlDecode(AttributePattern("value").Match(tag).Groups[1].Value);
                fields.Add(new(name, value));
            }

            return new HtmlForm(action, fields);
        }

        throw new AssertionException($"No form posting to '*{actionSuffix}' on the page:\n{html}");
    }

    /// <summary>The value of a hidden field.</summary>
    public string Get(string name) => Fields.Single(f => f.Key == name).Value;

    public HtmlForm With(string name, string value)
    {
        Fields.RemoveAll(f => f.Key == name);
        Fields.Add(new(name, value));
        return this;
    }

    public FormUrlEncodedContent ToContent() => new(Fields);

    [GeneratedRegex("""<form[^>]*action="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""<(input|button)\b[^>]*>""", RegexOptions.Singleline)]
    private static partial Regex InputPattern();

    private static Regex AttributePattern(string attribute) => new($"""\b{attribute}="([^"]*)" """.TrimEnd(), RegexOptions.Singleline);
}
