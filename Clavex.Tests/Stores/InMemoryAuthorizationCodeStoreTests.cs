using System.Security.Cryptography;
using Clavex.Core.Authorization;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Token;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

public sealed class InMemoryAuthorizationCodeStoreTests
{
    private const long Acme = 1;
    private const long Globex = 2;

    private static readonly DateTimeOffset Now = TestClock.DefaultStart;
    private static readonly DateTimeOffset GrantExpiresAt = Now.AddDays(30);

    private InMemoryGrantStore _grants = null!;
    private InMemoryAuthorizationCodeStore _codes = null!;

    [SetUp]
    public void CreateStores()
    {
        _grants = new InMemoryGrantStore();
        _codes = new InMemoryAuthorizationCodeStore(_grants);
    }

    [Test]
    public async Task A_stored_code_is_redeemed_once_with_its_contents()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme);

        CodeRedemption redemption = await RedeemAsync(Acme, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
            Assert.That(redemption.Code, Is.SameAs(code));
        }
    }

    [Test]
    public async Task The_hash_is_compared_by_content_not_by_array_identity()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme);

        CodeRedemption redemption = await RedeemAsync(Acme, [.. code.CodeHash]);

        Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
    }

    [Test]
    public async Task A_second_redemption_reports_already_redeemed_with_the_code()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme);
        await RedeemAsync(Acme, code.CodeHash);

        CodeRedemption second = await RedeemAsync(Acme, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Status, Is.EqualTo(CodeRedemptionStatus.AlreadyRedeemed));
            Assert.That(second.Code, Is.SameAs(code));
        }
    }

    [Test]
    public async Task Of_many_concurrent_redemptions_exactly_one_succeeds()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        using var start = new ManualResetEventSlim();

        Task<CodeRedemption>[] attempts = [.. Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            start.Wait();
            return RedeemAsync(Acme, [.. code.CodeHash], NewRefreshToken());
        }))];
        start.Set();
        CodeRedemption[] results = await Task.WhenAll(attempts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.Redeemed), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.AlreadyRedeemed), Is.EqualTo(63));
            Assert.That(await _grants.FindAsync(Acme, code.GrantId, CancellationToken.None), Is.Not.Null);
        }
    }

    [Test]
    public async Task An_unknown_code_is_not_found()
    {
        CodeRedemption redemption = await RedeemAsync(Acme, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
            Assert.That(redemption.Code, Is.Null);
        }
    }

    [Test]
    public async Task A_code_of_one_organisation_is_not_found_in_another()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme);

        CodeRedemption redemption = await RedeemAsync(Globex, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
            Assert.That((await RedeemAsync(Acme, code.CodeHash)).Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        }
    }

    [Test]
    public async Task Redeeming_a_code_with_a_refresh_token_creates_its_grant_from_the_code()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        RefreshTokenRecord refreshToken = NewRefreshToken();

        await RedeemAsync(Acme, code.CodeHash, refreshToken);

        Grant? grant = await _grants.FindAsync(Acme, code.GrantId, CancellationToken.None);
        Assert.That(grant, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(grant!.OrganizationId, Is.EqualTo(Acme));
            Assert.That(grant.ClientId, Is.EqualTo(code.ClientId));
            Assert.That(grant.Subject, Is.EqualTo(code.Subject));
            Assert.That(grant.Scopes, Is.EqualTo(code.Scopes));
            Assert.That(grant.AuthTime, Is.EqualTo(code.AuthTime));
            Assert.That(grant.SessionId, Is.EqualTo(code.SessionId));
            Assert.That(grant.Acr, Is.EqualTo(code.Acr));
            Assert.That(grant.Amr, Is.EqualTo(code.Amr));
            Assert.That(grant.CreatedAt, Is.EqualTo(Now));
            Assert.That(grant.ExpiresAt, Is.EqualTo(GrantExpiresAt));
            Assert.That(grant.RevokedAt, Is.Null);
            Assert.That(await _grants.FindByRefreshTokenAsync(Acme, refreshToken.TokenHash, CancellationToken.None), Is.EqualTo(grant));
        }
    }

    [Test]
    public async Task Redeeming_a_code_without_a_refresh_token_creates_the_grant_without_a_token()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: false);
        RefreshTokenRecord refreshToken = NewRefreshToken();

        await RedeemAsync(Acme, code.CodeHash, refreshToken);

        using (Assert.EnterMultipleScope())
        {
            // The grant exists so that access tokens issued under it can be revoked.
            Assert.That((await _grants.FindAsync(Acme, code.GrantId, CancellationToken.None))?.Subject, Is.EqualTo(code.Subject));
            Assert.That(await _grants.FindByRefreshTokenAsync(Acme, refreshToken.TokenHash, CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_replayed_code_does_not_create_a_second_grant()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        await RedeemAsync(Acme, code.CodeHash);
        RefreshTokenRecord replayToken = NewRefreshToken();

        await RedeemAsync(Acme, code.CodeHash, replayToken);

        Assert.That(await _grants.FindByRefreshTokenAsync(Acme, replayToken.TokenHash, CancellationToken.None), Is.Null);
    }

    private async Task<AuthorizationCode> StoreCodeAsync(long organizationId, bool issueRefreshToken = false)
    {
        var code = new AuthorizationCode
        {
            OrganizationId = organizationId,
            CodeHash = RandomNumberGenerator.GetBytes(32),
            GrantId = "g_" + RandomNumberGenerator.GetHexString(16),
            ClientId = "jira",
            RedirectUri = "https://jira.acme.eu/plugins/servlet/oidc/callback",
            Subject = "u_7Hq2",
            Scopes = ["openid", "email", "offline_access"],
            Nonce = "n-0S6_WzA2Mj",
            AuthTime = Now.AddMinutes(-2),
            SessionId = "s_1",
            Acr = "urn:clavex:acr:pwd",
            Amr = ["pwd", "otp"],
            IssuedAt = Now,
            ExpiresAt = Now.AddSeconds(60),
            IssueRefreshToken = issueRefreshToken,
        };
        await _codes.StoreAsync(code, CancellationToken.None);
        return code;
    }

    private Task<CodeRedemption> RedeemAsync(long organizationId, byte[] codeHash, RefreshTokenRecord? refreshToken = null) =>
        _codes.RedeemAsync(organizationId, codeHash, Now, refreshToken ?? NewRefreshToken(), GrantExpiresAt, CancellationToken.None);

    private static RefreshTokenRecord NewRefreshToken() => new(RandomNumberGenerator.GetBytes(32), Now, Now.AddHours(8));
}
