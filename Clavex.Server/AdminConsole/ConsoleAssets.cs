using System.Security.Cryptography;
using System.Text;
using Clavex.Server.Login;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The console's stylesheet (inline, allowed by its hash) and its one script file, <c>/assets/console.js</c>, and the
/// headers every console page is sent with: nothing but that style and script, forms to the console only, never framed,
/// never cached, no referrer (console URLs name users and clients).
/// </summary>
public static class ConsoleAssets
{
    public const string ScriptPath = "/assets/console.js";

    public const string Stylesheet =
        "body{margin:0;font:.95rem/1.5 system-ui,sans-serif;color:#1b1b1b;background:#f3f4f6}" +
        ".skip{position:absolute;left:-999rem}.skip:focus{left:1rem;top:.5rem;padding:.5rem;color:#000;background:#fff}" +
        "header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.5rem 1.5rem;color:#fff;background:#1e293b}" +
        "header a{color:#fff}header .brand{font-weight:700}" +
        "nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;list-style:none}" +
        "nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}" +
        "header form{margin-left:auto}header button{margin:0;color:#fff;background:transparent;border-color:#94a3b8}" +
        "main{max-width:96rem;margin:1.5rem auto;padding:1.25rem 2rem 2rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem;overflow-wrap:anywhere}" +
        "h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem}" +
        "table{width:100%;border-collapse:collapse;margin:.5rem 0}th,td{padding:.4rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid #e5e7eb}" +
        "th{font-weight:600;white-space:nowrap;background:#f9fafb}caption{text-align:left}" +
        "label{display:block;margin-top:.75rem;font-weight:600}" +
        "input,select,textarea{box-sizing:border-box;width:100%;max-width:40rem;padding:.4rem;font:inherit;border:1px solid #6b7280;border-radius:.25rem}" +
        "textarea{min-height:4.5rem;font-family:ui-monospace,monospace}" +
        "fieldset{max-width:40rem;margin:1rem 0;padding:.25rem 1rem .75rem;border:1px solid #d1d5db;border-radius:.25rem}legend{font-weight:600}" +
        ".check{display:flex;gap:.5rem;align-items:center;margin-top:.35rem;font-weight:400}.check input{width:auto}" +
        "button{margin:1rem .5rem 0 0;padding:.4rem 1rem;font:inherit;color:#fff;background:#1d4ed8;border:1px solid #1d4ed8;border-radius:.25rem;cursor:pointer}" +
        "button.secondary{color:#1d4ed8;background:#fff}button.danger{background:#b91c1c;border-color:#b91c1c}" +
        "form.inline{display:inline}form.inline button{margin:0 .25rem 0 0;padding:.15rem .6rem}" +
        "a{color:#1d4ed8}.hint{color:#4b5563;font-size:.85rem}" +
        ":focus-visible{outline:3px solid #c2410c;outline-offset:2px}" +
        ".alert{padding:.75rem;color:#7f1d1d;background:#fef2f2;border-left:4px solid #b91c1c}" +
        ".notice{padding:.75rem;color:#14532d;background:#f0fdf4;border-left:4px solid #15803d}" +
        ".secret{display:block;max-width:40rem;padding:.5rem;font:1.05rem ui-monospace,monospace;word-break:break-all;background:#fefce8;border:1px dashed #a16207}" +
        "code,pre{font-family:ui-monospace,monospace}pre{white-space:pre-wrap;margin:.25rem 0;padding:.5rem;background:#f9fafb;border:1px solid #e5e7eb}" +
        ".filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:0 1rem}" +
        ".pass{color:#14532d}.fail{color:#991b1b;font-weight:600}.off{color:#6b7280}" +
        ".events{padding:0;list-style:none}.events li{padding:.2rem 0;border-bottom:1px solid #f3f4f6}.events dl{margin:.5rem 0}" +
        ".side{display:grid;grid-template-columns:repeat(auto-fit,minmax(24rem,1fr));gap:0 1.5rem}.side td{font-size:.85rem}" +
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}";

    public static string StylesheetSource { get; } = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Stylesheet))) + "'";

    public static byte[] Script { get; } = Load();

    public static string ScriptETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(Script).AsSpan(0, 16)) + "\"";

    public static IReadOnlyList<KeyValuePair<string, string>> Headers { get; } =
    [
        new(SecurityHeaders.ContentSecurityPolicy,
            $"default-src 'none'; style-src {StylesheetSource}; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        new(SecurityHeaders.XContentTypeOptions, "nosniff"),
        new(SecurityHeaders.ReferrerPolicy, "no-referrer"),
        new(SecurityHeaders.CacheControl, "no-store"),
    ];

    private static byte[] Load()
    {
        using Stream stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("Clavex.Server.AdminConsole.Assets.console.js")
            ?? throw new InvalidOperationException("The console script is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
