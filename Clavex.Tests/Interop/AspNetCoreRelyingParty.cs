using System.Security.Claims;
using Clavex.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clavex.Tests.Interop;

/// <summary>
/// A web app as its developers would write it with ASP.NET Core's cookie and OpenID Connect handlers, on
/// 127.0.0.1: <c>/protected</c> requires sign-in and answers with the user's claims and the saved tokens;
/// <c>/signout</c> signs out here and at Clavex; <c>/signed-out</c> is where that ends.
/// </summary>
internal sealed class AspNetCoreRelyingParty : IAsyncDisposable
{
    private AspNetCoreRelyingParty(WebApplication app, Uri baseUrl, ClientSecretBasicHandler backchannel)
    {
        App = app;
        BaseUrl = baseUrl;
        Backchannel = backchannel;
    }

    public WebApplication App { get; }

    public Uri BaseUrl { get; }

    public ClientSecretBasicHandler Backchannel { get; }

    public static async Task<AspNetCoreRelyingParty> StartAsync(string issuer, int port, RegisteredClient client, bool clientSecretBasic)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var backchannel = new ClientSecretBasicHandler(clientSecretBasic);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = ["--urls", baseUrl.AbsoluteUri] });
        builder.Logging.ClearProviders();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(options =>
            {
                options.Authority = issuer;
                options.RequireHttpsMetadata = false; // http is allowed on loopback only
                options.ClientId = client.ClientId;
                options.ClientSecret = client.Secret;
                options.ResponseType = "code";
                options.ResponseMode = "query"; // the handler's default is form_post; Jira and Confluence use query
                options.UsePkce = true;
                options.Scope.Clear();
                foreach (string scope in new[] { "openid", "profile", "email", "groups", "offline_access" })
                {
                    options.Scope.Add(scope);
                }

                options.GetClaimsFromUserInfoEndpoint = true;
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.ClaimActions.MapJsonKey("groups", "groups");
                options.TokenValidationParameters.NameClaimType = "preferred_username";
                options.BackchannelHttpHandler = backchannel;

                // The handler's correlation and nonce cookies default to SameSite=None, which needs Secure; this app
                // is plain http on loopback. The callback is a top-level GET redirect, so Lax is enough.
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
            });
        builder.Services.AddAuthorization();

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/protected", async Task<IResult> (HttpContext context) => Results.Json(new
        {
            name = context.User.Identity?.Name,
            claims = context.User.Claims.Select(c => new { type = c.Type, value = c.Value, issuer = c.Issuer }),
            access_token = await context.GetTokenAsync("access_token"),
            id_token = await context.GetTokenAsync("id_token"),
            refresh_token = await context.GetTokenAsync("refresh_token"),
            token_type = await context.GetTokenAsync("token_type"),
        })).RequireAuthorization();
        app.MapGet("/signout", () => Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/signed-out" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapGet("/signed-out", (ClaimsPrincipal user) => Results.Text(user.Identity?.IsAuthenticated == true ? "still signed in" : "signed out"));
        await app.StartAsync();
        return new AspNetCoreRelyingParty(app, baseUrl, backchannel);
    }

    public static int FreePort() => ClavexTestServer.FreePort();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
