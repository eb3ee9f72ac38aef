using System.Security.Cryptography;
using System.Text;

namespace Clavex.Server.Login;

/// <summary>
/// The only inline content the pages carry, fixed text, and the CSP source expressions that allow exactly it
/// (CSP Level 3 §8.4: the hash is over the element's text as UTF-8; no 'unsafe-inline').
/// </summary>
internal static class InlineAssets
{
    public const string Stylesheet =
        "body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1b1b1b;background:#f3f4f6}" +
        "main{max-width:26rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem;overflow-wrap:anywhere}" +
        "h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}" +
        "h2{font-size:1.1rem;margin:1.5rem 0 .5rem}" +
        ".org{margin:0 0 .25rem;color:#4b5563}" +
        "label{display:block;margin-top:1rem;font-weight:600}" +
        "input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:.25rem}" +
        "button{margin:1.5rem .5rem 0 0;padding:.5rem 1.25rem;font:inherit;color:#fff;background:var(--accent,#1d4ed8);border:1px solid var(--accent,#1d4ed8);border-radius:.25rem;cursor:pointer}" +
        "button.secondary{color:var(--accent,#1d4ed8);background:#fff}" +
        "a{color:var(--accent,#1d4ed8)}a.button{display:inline-block;margin-top:.5rem;padding:.5rem 1.25rem;color:#fff;background:var(--accent,#1d4ed8);border-radius:.25rem;text-decoration:none}" +
        ".logo{display:block;max-width:12rem;max-height:3rem;margin:0 0 .75rem}" +
        ".hint{color:#4b5563;font-size:.9rem}" +
        ":focus-visible{outline:3px solid #c2410c;outline-offset:2px}" +
        ".alert{padding:.75rem;color:#7f1d1d;background:#fef2f2;border-left:4px solid #b91c1c}" +
        "code{font-family:ui-monospace,monospace}" +
        ".qr{margin:1rem 0;text-align:center}" +
        ".key{font-family:ui-monospace,monospace;font-size:1.1rem;letter-spacing:.08em;word-spacing:.3em}" +
        ".notice{padding:.75rem;color:#14532d;background:#f0fdf4;border-left:4px solid #15803d}" +
        ".items{padding-left:1.25rem}.items li{margin-bottom:1rem}.items button{margin-top:.5rem}" +
        ".codes{columns:2;padding-left:1.5rem;font-family:ui-monospace,monospace;font-size:1.1rem}";

    /// <summary>OAuth 2.0 Form Post Response Mode §2: the page "auto-submits" the form; a script element, since an
    /// <c>onload</c> attribute would need 'unsafe-hashes'.</summary>
    public const string AutoSubmitScript = "document.forms[0].submit();";

    public static string StylesheetSource { get; } = HashSource(Stylesheet);

    /// <summary>
    /// An organisation's accent colour (<c>#rrggbb</c>, checked by the admin API) as the one custom property the
    /// stylesheet reads; a second style element, allowed by its own hash (<see cref="AccentStyleSource"/>).
    /// </summary>
    public static string AccentStyle(string color) => ":root{--accent:" + color + "}";

    public static string AccentStyleSource(string color) => HashSource(AccentStyle(color));

    public static string AutoSubmitScriptSource { get; } = HashSource(AutoSubmitScript);

    private static string HashSource(string content) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)))}'";
}
