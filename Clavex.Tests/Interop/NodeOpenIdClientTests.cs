using System.Diagnostics;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Tests.Server;
using Clavex.Tests.Support;

namespace Clavex.Tests.Interop;

/// <summary>
/// openid-client (panva, an OpenID Certified relying party) in Node: discovery, authorization URL with PKCE, state
/// and nonce, Clavex's login form, code exchange with ID token validation, userinfo and refresh; node/rp.mjs
/// prints what it got and this asserts on it. <c>.ci/run</c> installs node/ with <c>npm ci</c>.
/// </summary>
public class NodeOpenIdClientTests : ServerTestBase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [TestCase(TokenEndpointAuthMethod.ClientSecretPost)]
    [TestCase(TokenEndpointAuthMethod.ClientSecretBasic)]
    public async Task Openid_client_signs_alice_in_reads_userinfo_and_refreshes(TokenEndpointAuthMethod method)
    {
        string node = RequireNode();
        TestOrganization org = await Server.SeedOrganizationAsync();
        RegisteredClient client = await InteropClients.RegisterAsync(Server, org, "node-openid-client", ClavexTestServer.FreePort(), method, "/callback");

        JsonElement result = await RunAsync(node, new Dictionary<string, string>
        {
            ["CLAVEX_ISSUER"] = org.Issuer,
            ["CLAVEX_CLIENT_ID"] = client.ClientId,
            ["CLAVEX_CLIENT_SECRET"] = client.Secret,
            ["CLAVEX_REDIRECT_URI"] = client.RedirectUri,
            ["CLAVEX_USERNAME"] = "alice",
            ["CLAVEX_PASSWORD"] = org.AlicePassword,
            ["CLAVEX_CLIENT_AUTH"] = TokenEndpointAuthMethods.GetName(method),
        });

        Assert.That(result.GetProperty("authorization_endpoint").GetString(), Is.EqualTo(org.Issuer + "/authorize"));
        Assert.That(result.GetProperty("callback_state_matched").GetBoolean(), Is.True);
        Assert.That(result.GetProperty("token_type").GetString(), Is.EqualTo("bearer").IgnoreCase);
        Assert.That(result.GetProperty("has_refresh_token").GetBoolean(), Is.True);
        JsonElement idToken = result.GetProperty("id_token_claims");
        Assert.That(idToken.GetProperty("iss").GetString(), Is.EqualTo(org.Issuer));
        Assert.That(idToken.GetProperty("aud").GetString(), Is.EqualTo(client.ClientId));
        Assert.That(idToken.GetProperty("sub").GetString(), Is.EqualTo(org.AliceSubject));
        Assert.That(idToken.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));
        JsonElement userinfo = result.GetProperty("userinfo");
        Assert.That(userinfo.GetProperty("sub").GetString(), Is.EqualTo(org.AliceSubject));
        Assert.That(userinfo.GetProperty("email").GetString(), Is.EqualTo("alice@acme.eu"));
        Assert.That(userinfo.GetProperty("email_verified").GetBoolean(), Is.True);
        Assert.That(userinfo.GetProperty("groups").EnumerateArray().Select(g => g.GetString()),
            Is.EquivalentTo(new[] { "jira-administrators", "jira-software-users", "confluence-users" }));
        JsonElement refreshed = result.GetProperty("refreshed");
        Assert.That(refreshed.GetProperty("has_access_token").GetBoolean(), Is.True);
        Assert.That(refreshed.GetProperty("access_token_changed").GetBoolean(), Is.True);
    }

    /// <summary>node on PATH and node/node_modules installed, or the test is skipped saying which is missing.</summary>
    private static string RequireNode()
    {
        string? node = InteropPaths.FindOnPath("node");
        if (node is null)
        {
            Assert.Ignore("node is not on PATH; install Node.js 20.19+ to run the openid-client interop test.");
        }

        if (!Directory.Exists(Path.Combine(InteropPaths.NodeProject, "node_modules")))
        {
            Assert.Ignore($"{InteropPaths.NodeProject}/node_modules is missing; run `npm ci` there (as .ci/run does).");
        }

        return node!;
    }

    private static async Task<JsonElement> RunAsync(string node, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(node, ["rp.mjs"])
        {
            WorkingDirectory = InteropPaths.NodeProject,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"rp.mjs did not finish within {Timeout}.\n{await stderr}");
            }
        }

        string output = await stdout;
        Assert.That(process.ExitCode, Is.Zero, $"rp.mjs failed:\n{await stderr}\n{output}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
