using System.Security.Cryptography;
using Clavex.Core.Authorization;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

/// <summary>
/// What every <see cref="IAuthorizationCodeStore"/> must do, run against the in-memory and the PostgreSQL
/// implementation alike, so the two cannot drift apart. Each implementation's own tests add what only it has.
/// </summary>
public abstract class AuthorizationCodeStoreContract
{
    protected static readonly DateTimeOffset Now = TestClock.DefaultStart;
    protected static readonly DateTimeOffset GrantExpiresAt = Now.AddDays(30);

    protected long Acme { get; private set; }

    protected IGrantStore Grants { get; private set; } = null!;

    protected IAuthorizationCodeStore Codes { get; private set; } = null!;

    /// <summary>The code store and the grant store it creates grants in.</summary>
    protected abstract (IAuthorizationCodeStore Codes, IGrantStore Grants) CreateStores();

    /// <summary>An organisation id the stores accept (the PostgreSQL stores need a real row).</summary>
    protected abstract Task<long> NewOrganizationAsync();

    [SetUp]
    public async Task CreateStoresAsync()
    {
        (Codes, Grants) = CreateStores();
        Acme = await NewOrganizationAsync();
    }

    [Test]
    public async Task A_stored_code_is_redeemed_once_with_all_its_contents()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);

        CodeRedemption redemption = await RedeemAsync(Acme, code.CodeHash);

        Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        AssertSameCode(redemption.Code!, code);
    }

    [Test]
    public async Task Optional_members_absent_from_the_code_are_absent_when_redeemed()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, c => c with { Nonce = null, CodeChallenge = null, CodeChallengeMethod = null, SessionId = null, Acr = null, Amr = [] });

        CodeRedemption redemption = await RedeemAsync(Acme, code.CodeHash);

        AssertSameCode(redemption.Code!, code);
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

        Assert.That(second.Status, Is.EqualTo(CodeRedemptionStatus.AlreadyRedeemed));
        AssertSameCode(second.Code!, code);
    }

    [Test]
    public async Task Of_twenty_concurrent_redemptions_exactly_one_succeeds_and_only_its_refresh_token_exists()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        RefreshTokenRecord[] tokens = [.. Enumerable.Range(0, 20).Select(_ => NewRefreshToken())];
        using var start = new ManualResetEventSlim();

        Task<CodeRedemption>[] attempts = [.. tokens.Select(token => Task.Run(() =>
        {
            start.Wait();
            return RedeemAsync(Acme, [.. code.CodeHash], token);
        }))];
        start.Set();
        CodeRedemption[] results = await Task.WhenAll(attempts);

        int winner = Array.FindIndex(results, r => r.Status == CodeRedemptionStatus.Redeemed);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.Redeemed), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Status == CodeRedemptionStatus.AlreadyRedeemed), Is.EqualTo(19));
            Assert.That(await Grants.FindAsync(Acme, code.GrantId, CancellationToken.None), Is.Not.Null);
            for (int i = 0; i < tokens.Length; i++)
            {
                RefreshTokenLookup? holder = await Grants.FindByRefreshTokenAsync(Acme, tokens[i].TokenHash, CancellationToken.None);
                Assert.That(holder is not null, Is.EqualTo(i == winner), $"refresh token of attempt {i}");
            }
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
    public async Task A_code_of_one_organisation_is_not_found_in_another_nor_consumed_by_it()
    {
        long globex = await NewOrganizationAsync();
        AuthorizationCode code = await StoreCodeAsync(Acme);

        CodeRedemption redemption = await RedeemAsync(globex, code.CodeHash);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(redemption.Status, Is.EqualTo(CodeRedemptionStatus.NotFound));
            Assert.That(await Grants.FindAsync(globex, code.GrantId, CancellationToken.None), Is.Null);
            Assert.That((await RedeemAsync(Acme, code.CodeHash)).Status, Is.EqualTo(CodeRedemptionStatus.Redeemed));
        }
    }

    [Test]
    public async Task Redeeming_a_code_with_a_refresh_token_creates_its_grant_from_the_code()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        RefreshTokenRecord refreshToken = NewRefreshToken();

        await RedeemAsync(Acme, code.CodeHash, refreshToken);

        Grant? grant = await Grants.FindAsync(Acme, code.GrantId, CancellationToken.None);
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
            Assert.That((await Grants.FindByRefreshTokenAsync(Acme, refreshToken.TokenHash, CancellationToken.None))?.Grant.GrantId, Is.EqualTo(code.GrantId));
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
            Assert.That((await Grants.FindAsync(Acme, code.GrantId, CancellationToken.None))?.Subject, Is.EqualTo(code.Subject));
            Assert.That(await Grants.FindByRefreshTokenAsync(Acme, refreshToken.TokenHash, CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_replayed_code_does_not_create_a_second_grant_or_token()
    {
        AuthorizationCode code = await StoreCodeAsync(Acme, issueRefreshToken: true);
        await RedeemAsync(Acme, code.CodeHash);
        RefreshTokenRecord replayToken = NewRefreshToken();

        CodeRedemption replay = await RedeemAsync(Acme, code.CodeHash, replayToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(replay.Status, Is.EqualTo(CodeRedemptionStatus.AlreadyRedeemed));
            Assert.That(await Grants.FindByRefreshTokenAsync(Acme, replayToken.TokenHash, CancellationToken.None), Is.Null);
        }
    }

    protected static void AssertSameCode(AuthorizationCode actual, AuthorizationCode expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.OrganizationId, Is.EqualTo(expected.OrganizationId));
            Assert.That(actual.CodeHash, Is.EqualTo(expected.CodeHash));
            Assert.That(actual.GrantId, Is.EqualTo(expected.GrantId));
            Assert.That(actual.ClientId, Is.EqualTo(expected.ClientId));
            Assert.That(actual.RedirectUri, Is.EqualTo(expected.RedirectUri));
            Assert.That(actual.Subject, Is.EqualTo(expected.Subject));
            Assert.That(actual.Scopes, Is.EqualTo(expected.Scopes));
            Assert.That(actual.Nonce, Is.EqualTo(expected.Nonce));
            Assert.That(actual.CodeChallenge, Is.EqualTo(expected.CodeChallenge));
            Assert.That(actual.CodeChallengeMethod, Is.EqualTo(expected.CodeChallengeMethod));
            Assert.That(actual.AuthTime, Is.EqualTo(expected.AuthTime));
            Assert.That(actual.SessionId, Is.EqualTo(expected.SessionId));
            Assert.That(actual.Acr, Is.EqualTo(expected.Acr));
            Assert.That(actual.Amr, Is.EqualTo(expected.Amr));
            Assert.That(actual.IssuedAt, Is.EqualTo(expected.IssuedAt));
            Assert.That(actual.ExpiresAt, Is.EqualTo(expected.ExpiresAt));
            Assert.That(actual.IssueRefreshToken, Is.EqualTo(expected.IssueRefreshToken));
        }
    }

    protected async Task<AuthorizationCode> StoreCodeAsync(long organizationId, bool issueRefreshToken = false) =>
        await StoreCodeAsync(organizationId, c => c with { IssueRefreshToken = issueRefreshToken });

    protected async Task<AuthorizationCode> StoreCodeAsync(long organizationId, Func<AuthorizationCode, AuthorizationCode> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        AuthorizationCode code = edit(new AuthorizationCode
        {
            OrganizationId = organizationId,
            CodeHash = RandomNumberGenerator.GetBytes(32),
            GrantId = "g_" + RandomNumberGenerator.GetHexString(16),
            ClientId = "jira",
            RedirectUri = "https://jira.acme.eu/plugins/servlet/oidc/callback",
            Subject = "u_7Hq2",
            Scopes = ["openid", "email", "offline_access"],
            Nonce = "n-0S6_WzA2Mj",
            CodeChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            CodeChallengeMethod = "S256",

            // An offset other than zero: stored and read back as the same instant.
            AuthTime = Now.AddMinutes(-2).ToOffset(TimeSpan.FromHours(2)),
            SessionId = "s_1",
            Acr = "urn:clavex:acr:pwd",
            Amr = ["pwd", "otp"],
            IssuedAt = Now,
            ExpiresAt = Now.AddSeconds(60).AddMilliseconds(250),
        });
        await Codes.StoreAsync(code, CancellationToken.None);
        return code;
    }

    protected Task<CodeRedemption> RedeemAsync(long organizationId, byte[] codeHash, RefreshTokenRecord? refreshToken = null) =>
        Codes.RedeemAsync(organizationId, codeHash, Now, refreshToken ?? NewRefreshToken(), GrantExpiresAt, CancellationToken.None);

    protected static RefreshTokenRecord NewRefreshToken() => new(RandomNumberGenerator.GetBytes(32), Now, Now.AddHours(8));
}
