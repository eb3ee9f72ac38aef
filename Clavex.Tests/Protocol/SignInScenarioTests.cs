using System.Text.Json;
using Clavex.Core.Authorization;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Token;
using Clavex.Tests.Support;
using static Clavex.Tests.Support.ProtocolFixture;

namespace Clavex.Tests.Protocol;

/// <summary>
/// The whole life of a sign-in through the core alone: authorize → login → code → token → userinfo → refresh →
/// reuse detection → revocation, with the admin guide's client and in-memory stores.
/// </summary>
public class SignInScenarioTests
{
    [Test]
    public async Task Alice_signs_in_to_jira_refreshes_and_is_cut_off_by_reuse_and_revocation()
    {
        var fixture = new ProtocolFixture();
        var credentials = new[] { ("client_id", "atlassian"), ("client_secret", fixture.AtlassianSecret) };

        // 1. Jira sends the browser to /authorize; there is no session yet, so the login page is shown.
        AuthorizationValidation validation = await fixture.ValidateAsync(
            [.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", "openid profile email groups offline_access")]);
        AuthorizationRequest request = validation.Request!;
        Assert.That(InteractionDecision.Decide(request, default, fixture.Clock.GetUtcNow()).Kind, Is.EqualTo(InteractionKind.Login));

        // 2. Alice logs in; the host creates a session and decides again.
        fixture.Clock.Advance(TimeSpan.FromSeconds(20));
        AuthenticationSession session = fixture.SessionFor(AliceSubject);
        InteractionDecision decision = InteractionDecision.Decide(request, new InteractionState(session, true, false, false), fixture.Clock.GetUtcNow());
        Assert.That(decision.Kind, Is.EqualTo(InteractionKind.IssueCode));

        // 3. The code goes back to Jira's callback with state and iss.
        AuthorizationResponse response = await fixture.CodeIssuer.IssueAsync(request, session, CancellationToken.None);
        string redirect = response.ToQueryRedirectUrl();
        Assert.That(redirect, Does.StartWith(JiraCallback + "?code="));
        Assert.That(redirect, Does.EndWith("&state=af0ifjsldkj&iss=https%3A%2F%2Fid.acme.eu%2Facme"));
        string code = response.Parameters[0].Value;

        // 4. Jira redeems the code with HTTP Basic, as Atlassian's built-in SSO does.
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        TokenResult tokens = await fixture.TokenAsync(
            new Core.Clients.BasicCredentials("atlassian", fixture.AtlassianSecret),
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", JiraCallback));
        TokenResponse first = tokens.Response!;
        Assert.That(Token.TokenTestSupport.ValidateIdToken(first.IdToken!, fixture), Is.EqualTo(Core.Jose.JwtValidationOutcome.Valid));
        Assert.That(first.RefreshToken, Is.Not.Null);

        // 5. Userinfo with the access token.
        var userInfo = await fixture.UserInfo.HandleAsync(fixture.Organization, first.AccessToken, CancellationToken.None);
        Assert.That(JsonDocument.Parse(userInfo.Json!).RootElement.GetProperty("preferred_username").GetString(), Is.EqualTo("alice"));

        // 6. Refresh an hour later: a new refresh token, the same subject.
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        TokenResponse second = (await fixture.TokenAsync([("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken!), .. credentials])).Response!;
        Assert.That(second.RefreshToken, Is.Not.EqualTo(first.RefreshToken));

        // 7. The old refresh token comes back (stolen?): the whole family is revoked.
        TokenResult reuse = await fixture.TokenAsync([("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken!), .. credentials]);
        Assert.That(reuse.Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidGrant));
        TokenResult afterReuse = await fixture.TokenAsync([("grant_type", "refresh_token"), ("refresh_token", second.RefreshToken!), .. credentials]);
        Assert.That(afterReuse.Error!.Description, Is.EqualTo("The refresh token has been revoked."));
        Assert.That((await fixture.UserInfo.HandleAsync(fixture.Organization, second.AccessToken, CancellationToken.None)).StatusCode, Is.EqualTo(401));

        // 8. A new sign-in, then Jira revokes its refresh token at logout (RFC 7009).
        string code2 = await fixture.AuthorizeAliceAsync([.. JiraAuthorizeRequest().Where(p => p.Item1 != "scope"), ("scope", "openid offline_access")]);
        TokenResponse third = (await fixture.RedeemAsync(code2)).Response!;
        var revocation = new RevocationEndpoint(fixture.Authenticator, fixture.AccessTokens, fixture.Grants, fixture.Clock);
        RevocationResult revoked = await revocation.HandleAsync(
            fixture.Organization, ProtocolParameters.From([("token", third.RefreshToken!), ("token_type_hint", "refresh_token"), .. credentials]), null, CancellationToken.None);
        Assert.That(revoked.IsSuccess, Is.True);
        Assert.That(revoked.GrantId, Is.Not.Null);
        TokenResult afterRevoke = await fixture.TokenAsync([("grant_type", "refresh_token"), ("refresh_token", third.RefreshToken!), .. credentials]);
        Assert.That(afterRevoke.Error!.Description, Is.EqualTo("The refresh token has been revoked."));
        Assert.That((await fixture.UserInfo.HandleAsync(fixture.Organization, third.AccessToken, CancellationToken.None)).Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidToken));
    }

    [Test]
    public async Task Revoking_an_unknown_token_succeeds_without_revoking_anything()
    {
        var fixture = new ProtocolFixture();
        var revocation = new RevocationEndpoint(fixture.Authenticator, fixture.AccessTokens, fixture.Grants, fixture.Clock);

        RevocationResult result = await revocation.HandleAsync(
            fixture.Organization,
            ProtocolParameters.From(("token", "nonsense"), ("client_id", "atlassian"), ("client_secret", fixture.AtlassianSecret)),
            null,
            CancellationToken.None);

        Assert.That(result.IsSuccess, Is.True);
        Assert.That(result.GrantId, Is.Null);
    }

    [Test]
    public async Task Revocation_requires_client_authentication()
    {
        var fixture = new ProtocolFixture();
        var revocation = new RevocationEndpoint(fixture.Authenticator, fixture.AccessTokens, fixture.Grants, fixture.Clock);

        RevocationResult result = await revocation.HandleAsync(
            fixture.Organization, ProtocolParameters.From(("token", "x"), ("client_id", "atlassian"), ("client_secret", "cs_wrong")), null, CancellationToken.None);

        Assert.That(result.Error!.Code, Is.EqualTo(OAuthErrorCode.InvalidClient));
    }
}
