using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Clavex.Benchmarks.Load;

/// <summary>One worker of a scenario: its own keep-alive connection and state, and one iteration at a time.</summary>
internal abstract class LoadWorker(BenchTarget target) : IDisposable
{
    protected BenchTarget Target { get; } = target;

    protected HttpClient Http { get; } = target.NewBrowser();

    /// <summary>Whatever the worker needs before it is timed (a session, a refresh token, an access token).</summary>
    public virtual Task<string?> PrepareAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>One iteration; null when it succeeded, else the failure to count ("token 400 invalid_grant").</summary>
    public abstract Task<string?> RunOnceAsync(CancellationToken cancellationToken);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Http.Dispose();
        }
    }

    public static LoadWorker Create(string scenario, BenchTarget target) => scenario switch
    {
        "code" => new CodeWorker(target),
        "refresh" => new RefreshWorker(target),
        "cc" => new ClientCredentialsWorker(target),
        "userinfo" => new UserInfoWorker(target),
        "introspect" => new IntrospectWorker(target),
        "login" => new LoginWorker(target),
        "mixed" => new MixedWorker(target),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    /// <summary>RS256 signatures the server makes per iteration: what the signing ceiling divides by (0: none).</summary>
    public static int SignaturesPer(string scenario) => scenario switch
    {
        "code" or "refresh" => 2,
        "cc" => 1,
        _ => 0,
    };

    /// <summary>A whole code flow on a fresh session: the token response, or the failure.</summary>
    protected async Task<(JsonDocument? Tokens, string? Failure)> SignInAndRedeemAsync(string scope, CancellationToken cancellationToken)
    {
        (string verifier, string challenge) = BenchTarget.NewPkce();
        (string? code, string? failure) = await Target.SignInAsync(Http, challenge, scope, promptLogin: false, cancellationToken);
        return code is null ? (null, failure) : await RedeemAsync(code, verifier, cancellationToken);
    }

    protected Task<(JsonDocument? Body, string? Failure)> RedeemAsync(string code, string verifier, CancellationToken cancellationToken) =>
        Target.TokenAsync(Http, [
            new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", BenchTarget.RedirectUri), new("code_verifier", verifier)],
            "token", cancellationToken);
}

/// <summary>A signed-in browser: authorize (with the session cookie and PKCE) and the token request, as Jira signs in a user.</summary>
internal sealed class CodeWorker(BenchTarget target) : LoadWorker(target)
{
    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        (JsonDocument? tokens, string? failure) = await SignInAndRedeemAsync("openid", cancellationToken);
        tokens?.Dispose();
        return failure;
    }

    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        (string verifier, string challenge) = BenchTarget.NewPkce();
        using HttpResponseMessage authorize = await Http.GetAsync(Target.AuthorizeUrl(challenge), cancellationToken);
        (string? code, string? failure) = BenchTarget.CodeOf(authorize, "authorize");
        if (code is null)
        {
            return failure;
        }

        (JsonDocument? tokens, failure) = await RedeemAsync(code, verifier, cancellationToken);
        tokens?.Dispose();
        return failure;
    }
}

/// <summary>Refresh-token rotation: each worker always presents its newest refresh token.</summary>
internal sealed class RefreshWorker(BenchTarget target) : LoadWorker(target)
{
    private string? _refreshToken;

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        (JsonDocument? tokens, string? failure) = await SignInAndRedeemAsync("openid profile email groups offline_access", cancellationToken);
        using (tokens)
        {
            _refreshToken = tokens?.RootElement.GetProperty("refresh_token").GetString();
        }

        return failure;
    }

    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (_refreshToken is null && await PrepareAsync(cancellationToken) is string setupFailure)
        {
            return setupFailure;
        }

        (JsonDocument? tokens, string? failure) = await Target.TokenAsync(Http,
            [new("grant_type", "refresh_token"), new("refresh_token", _refreshToken!)], "token", cancellationToken);
        using (tokens)
        {
            // A refused rotation leaves the family revoked: start a new one next time.
            _refreshToken = tokens?.RootElement.GetProperty("refresh_token").GetString();
        }

        return failure;
    }
}

internal sealed class ClientCredentialsWorker(BenchTarget target) : LoadWorker(target)
{
    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        (JsonDocument? tokens, string? failure) = await Target.TokenAsync(Http, [new("grant_type", "client_credentials")], "token", cancellationToken);
        tokens?.Dispose();
        return failure;
    }
}

/// <summary>Shared by userinfo and introspect: an access token of the bench user, renewed when refused.</summary>
internal abstract class AccessTokenWorker(BenchTarget target) : LoadWorker(target)
{
    protected string? AccessToken { get; set; }

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        (JsonDocument? tokens, string? failure) = await SignInAndRedeemAsync("openid profile email groups", cancellationToken);
        using (tokens)
        {
            AccessToken = tokens?.RootElement.GetProperty("access_token").GetString();
        }

        return failure;
    }
}

internal sealed class UserInfoWorker(BenchTarget target) : AccessTokenWorker(target)
{
    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{Target.Slug}/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        using HttpResponseMessage response = await Http.SendAsync(request, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return null;
        }

        AccessToken = null;
        string? failure = $"userinfo {(int)response.StatusCode}";
        return await PrepareAsync(cancellationToken) ?? failure;
    }
}

internal sealed class IntrospectWorker(BenchTarget target) : AccessTokenWorker(target)
{
    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{Target.Slug}/introspect")
        {
            Content = new FormUrlEncodedContent([new("token", AccessToken!)]),
        };
        request.Headers.Authorization = Target.BasicCredentials;
        using HttpResponseMessage response = await Http.SendAsync(request, cancellationToken);
        (JsonDocument? body, string? failure) = await BenchTarget.JsonOrFailureAsync(response, "introspect", cancellationToken);
        using (body)
        {
            if (failure is null && !body!.RootElement.GetProperty("active").GetBoolean())
            {
                await PrepareAsync(cancellationToken);
                return "introspect 200 active=false";
            }
        }

        return failure;
    }
}

/// <summary>The password form every time (prompt=login): what a sign-in costs, Argon2id included.</summary>
internal sealed class LoginWorker(BenchTarget target) : LoadWorker(target)
{
    public override async Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        (string _, string challenge) = BenchTarget.NewPkce();
        (string? _, string? failure) = await Target.SignInAsync(Http, challenge, "openid", promptLogin: true, cancellationToken);
        return failure;
    }
}

/// <summary>
/// The soak's traffic: code flows, refreshes, client_credentials and userinfo in turn, each with its own connection
/// and state, so a long run exercises every table and cache that grows.
/// </summary>
internal sealed class MixedWorker(BenchTarget target) : LoadWorker(target)
{
    private readonly LoadWorker[] _flows = [new CodeWorker(target), new RefreshWorker(target), new ClientCredentialsWorker(target), new UserInfoWorker(target)];
    private int _next;

    public override async Task<string?> PrepareAsync(CancellationToken cancellationToken)
    {
        foreach (LoadWorker flow in _flows)
        {
            if (await flow.PrepareAsync(cancellationToken) is string failure)
            {
                return failure;
            }
        }

        return null;
    }

    public override Task<string?> RunOnceAsync(CancellationToken cancellationToken)
    {
        LoadWorker flow = _flows[_next];
        _next = (_next + 1) % _flows.Length;
        return flow.RunOnceAsync(cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (LoadWorker flow in _flows)
            {
                flow.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}

