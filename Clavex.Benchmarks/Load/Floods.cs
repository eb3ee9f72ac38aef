using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Clavex.Benchmarks.Load;

/// <summary>
/// A flood the measured scenario runs beside (<c>--flood</c>), from another client address: each request says it comes
/// from <see cref="Address"/> through <c>X-Forwarded-For</c>, which Clavex believes only when it was started with
/// <c>CLAVEX_KNOWN_PROXIES=127.0.0.1</c> (docs/benchmarks.md). What the flood is answered is its "failures": a count by
/// status and error.
/// </summary>
internal abstract class FloodWorker : LoadWorker
{
    /// <summary>The attacker's address (TEST-NET-3, RFC 5737).</summary>
    public const string Address = "203.0.113.66";

    public static readonly string[] Kinds = ["bad-password", "bad-secret", "healthz"];

    protected FloodWorker(BenchTarget target)
        : base(target) => Http.DefaultRequestHeaders.Add("X-Forwarded-For", Address);

    public static FloodWorker CreateFlood(string kind, BenchTarget target) => kind switch
    {
        "bad-password" => new BadPasswordFlood(target),
        "bad-secret" => new BadSecretFlood(target),
        "healthz" => new HealthFlood(target),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>
/// Password spraying: the login form posted again and again with a wrong password, each time for another username, as
/// an attacker trying one password on many accounts does. The address's budget of failures runs out after the first
/// few dozen; from then on each post is refused with a 429 before any password is hashed.
/// </summary>
internal sealed partial class BadPasswordFlood(BenchTarget target) : FloodWorker(target)
{
    private List<KeyValuePair<string, string>> _fields = [];
    private string _action = string.Empty;
    private int _attempt;

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        (string _, string challenge) = BenchTarget.NewPkce();
        using HttpResponseMessage page = await Http.GetAsync(Target.AuthorizeUrl(challenge, "openid"), cancellationToken);
        string html = await page.Content.ReadAsStringAsync(cancellationToken);
        Match form = FormPattern().Match(html);
        if (page.StatusCode != HttpStatusCode.OK || !form.Success)
        {
            return $"flood authorize {(int)page.StatusCode}";
        }

        _action = WebUtility.HtmlDecode(form.Groups[1].Value);
        _fields = [.. HiddenPattern().Matches(html).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];
        return null;
    }

    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        // Every username is new, so only the per-address budget can stop the spraying.
        string username = "spray" + Interlocked.Increment(ref _attempt).ToString(System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        using var content = new FormUrlEncodedContent([.. _fields, new("username", username), new("password", "Winter2026!")]);
        using HttpResponseMessage posted = await Http.PostAsync(_action, content, cancellationToken);
        await posted.Content.ReadAsByteArrayAsync(cancellationToken);
        return $"login {(int)posted.StatusCode}";
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+/login)\">")]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\" />")]
    private static partial Regex HiddenPattern();
}

/// <summary>client_credentials with the bench client's id and a wrong secret: what guessing a client secret costs Clavex.</summary>
internal sealed class BadSecretFlood(BenchTarget target) : FloodWorker(target)
{
    private readonly AuthenticationHeaderValue _wrong = new(
        "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(BenchTarget.ClientId + ":" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)))));

    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{Target.Slug}/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = _wrong;
        using HttpResponseMessage response = await Http.SendAsync(request, cancellationToken);
        (System.Text.Json.JsonDocument? body, string? failure) = await BenchTarget.JsonOrFailureAsync(response, "token", cancellationToken);
        body?.Dispose();
        return failure ?? "token 200 (a wrong secret was accepted)";
    }
}

/// <summary>
/// GET /healthz, which does no work of its own: what any request costs Clavex (Kestrel, the middleware, the response),
/// the floor a refusal's cost is compared with.
/// </summary>
internal sealed class HealthFlood(BenchTarget target) : FloodWorker(target)
{
    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await Http.GetAsync("/healthz", cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return $"healthz {(int)response.StatusCode}";
    }
}
