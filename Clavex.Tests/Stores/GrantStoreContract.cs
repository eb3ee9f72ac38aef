using System.Security.Cryptography;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

/// <summary>
/// What every <see cref="IGrantStore"/> must do, run against the in-memory and the PostgreSQL implementation alike, so the
/// two cannot drift apart.
/// </summary>
public abstract class GrantStoreContract
{
    protected const string Jira = "jira";

    protected static readonly TimeSpan Sliding = TimeSpan.FromHours(8);

    private long _acme;
    private TestClock _clock = null!;
    private IGrantStore _store = null!;
    private Grant _grant = null!;
    private byte[] _first = null!;

    protected long Acme => _acme;

    protected IGrantStore Store => _store;

    protected Grant FirstGrant => _grant;

    protected byte[] FirstToken => _first;

    protected TestClock Clock => _clock;

    protected DateTimeOffset Now => _clock.GetUtcNow();

    protected abstract IGrantStore CreateStore();

    /// <summary>An organisation id the store accepts (the PostgreSQL store needs a real row).</summary>
    protected abstract Task<long> NewOrganizationAsync();

    [SetUp]
    public async Task CreateGrant()
    {
        _acme = await NewOrganizationAsync();
        _clock = new TestClock();
        _store = CreateStore();
        _grant = NewGrant(_acme, "g_1", expiresIn: TimeSpan.FromDays(30));
        _first = RandomNumberGenerator.GetBytes(32);
        await _store.CreateAsync(_grant, new RefreshTokenRecord(_first, Now, Now + Sliding), CancellationToken.None);
    }

    [Test]
    public async Task A_created_grant_is_found_with_all_its_members()
    {
        Grant full = NewGrant(_acme, "g_full", TimeSpan.FromDays(1)) with
        {
            SessionId = "s_1",
            Acr = "urn:clavex:acr:pwd",
            Amr = ["pwd", "otp"],
            AuthTime = Now.AddMinutes(-3).ToOffset(TimeSpan.FromHours(-5)),
        };
        await _store.CreateAsync(full, null, CancellationToken.None);

        Grant? found = await _store.FindAsync(_acme, "g_full", CancellationToken.None);

        AssertSameGrant(found!, full);
    }

    [Test]
    public async Task The_current_token_rotates_and_its_replacement_becomes_current()
    {
        byte[] second = RandomNumberGenerator.GetBytes(32);

        RefreshRotation rotation = await RotateAsync(_first, Jira, second);
        RefreshRotation next = await RotateAsync(second, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.Rotated));
            AssertSameGrant(rotation.Grant!, _grant);
            Assert.That(next.Status, Is.EqualTo(RefreshRotationStatus.Rotated));
        }
    }

    [Test]
    public async Task A_rotated_token_presented_again_is_reported_as_reuse_without_revoking()
    {
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        RefreshRotation reuse = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reuse.Status, Is.EqualTo(RefreshRotationStatus.Reused));
            Assert.That(reuse.Grant!.GrantId, Is.EqualTo(_grant.GrantId));
            Assert.That((await _store.FindAsync(_acme, _grant.GrantId, CancellationToken.None))!.RevokedAt, Is.Null);
        }
    }

    [Test]
    public async Task A_token_presented_by_another_client_is_a_mismatch_and_is_not_consumed()
    {
        byte[] attempted = RandomNumberGenerator.GetBytes(32);

        RefreshRotation mismatch = await RotateAsync(_first, "confluence", attempted);
        RefreshRotation rightful = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mismatch.Status, Is.EqualTo(RefreshRotationStatus.ClientMismatch));
            Assert.That(rightful.Status, Is.EqualTo(RefreshRotationStatus.Rotated));
            Assert.That(await _store.FindByRefreshTokenAsync(_acme, attempted, CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_rotated_token_presented_by_another_client_is_a_mismatch_not_reuse()
    {
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        RefreshRotation rotation = await RotateAsync(_first, "confluence", RandomNumberGenerator.GetBytes(32));

        Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.ClientMismatch));
    }

    [Test]
    public async Task A_token_of_a_revoked_grant_presented_by_another_client_is_a_mismatch()
    {
        await _store.RevokeAsync(_acme, _grant.GrantId, Now, CancellationToken.None);

        RefreshRotation rotation = await RotateAsync(_first, "confluence", RandomNumberGenerator.GetBytes(32));

        Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.ClientMismatch));
    }

    [Test]
    public async Task A_reused_token_of_a_revoked_grant_is_reported_as_revoked()
    {
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));
        await _store.RevokeAsync(_acme, _grant.GrantId, Now, CancellationToken.None);

        RefreshRotation rotation = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.Revoked));
    }

    [Test]
    public async Task A_rotated_token_past_its_expiry_is_still_reuse()
    {
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));
        _clock.Advance(Sliding);

        RefreshRotation rotation = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.Reused));
    }

    [Test]
    public async Task A_token_is_usable_until_just_before_the_grant_expiry()
    {
        Grant shortGrant = NewGrant(_acme, "g_short", expiresIn: TimeSpan.FromHours(10));
        byte[] first = RandomNumberGenerator.GetBytes(32);
        await _store.CreateAsync(shortGrant, new RefreshTokenRecord(first, Now, Now + Sliding), CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(7));
        byte[] second = RandomNumberGenerator.GetBytes(32);
        await RotateAsync(first, Jira, second, expiresAt: Now + Sliding);

        _clock.Advance(TimeSpan.FromHours(3) - TimeSpan.FromSeconds(1));
        RefreshRotation rotation = await RotateAsync(second, Jira, RandomNumberGenerator.GetBytes(32));

        Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.Rotated));
    }

    [Test]
    public async Task A_token_unused_for_the_sliding_window_has_expired()
    {
        _clock.Advance(Sliding);

        RefreshRotation rotation = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.Expired));
    }

    [Test]
    public async Task An_expired_token_is_not_consumed()
    {
        _clock.Advance(Sliding);
        byte[] replacement = RandomNumberGenerator.GetBytes(32);
        await RotateAsync(_first, Jira, replacement);

        RefreshRotation again = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.Status, Is.EqualTo(RefreshRotationStatus.Expired));
            Assert.That(await _store.FindByRefreshTokenAsync(_acme, replacement, CancellationToken.None), Is.Null);
        }
    }

    [Test]
    public async Task A_token_of_a_revoked_grant_is_refused_as_revoked()
    {
        await _store.RevokeAsync(_acme, _grant.GrantId, Now, CancellationToken.None);

        RefreshRotation rotation = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.Revoked));
            Assert.That(rotation.Grant!.RevokedAt, Is.EqualTo(Now));
        }
    }

    [Test]
    public async Task Revoking_twice_keeps_the_first_revocation_time()
    {
        await _store.RevokeAsync(_acme, _grant.GrantId, Now, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));

        await _store.RevokeAsync(_acme, _grant.GrantId, Now, CancellationToken.None);

        Grant? grant = await _store.FindAsync(_acme, _grant.GrantId, CancellationToken.None);
        Assert.That(grant!.RevokedAt, Is.EqualTo(TestClock.DefaultStart));
    }

    [Test]
    public async Task Revoking_an_unknown_grant_id_does_nothing_and_records_nothing()
    {
        await _store.RevokeAsync(_acme, "g_never", Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _store.FindAsync(_acme, "g_never", CancellationToken.None), Is.Null);
            Assert.That(await _store.FindAsync(_acme, _grant.GrantId, CancellationToken.None) is { RevokedAt: null }, Is.True);
        }
    }

    [Test]
    public async Task An_unknown_token_is_not_found()
    {
        RefreshRotation rotation = await RotateAsync(RandomNumberGenerator.GetBytes(32), Jira, RandomNumberGenerator.GetBytes(32));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.NotFound));
            Assert.That(rotation.Grant, Is.Null);
        }
    }

    [Test]
    public async Task A_current_token_is_found_with_its_grant_times_and_state()
    {
        RefreshTokenLookup? lookup = await _store.FindByRefreshTokenAsync(_acme, [.. _first], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lookup?.Grant.GrantId, Is.EqualTo(_grant.GrantId));
            Assert.That(lookup?.CreatedAt, Is.EqualTo(Now));
            Assert.That(lookup?.ExpiresAt, Is.EqualTo(Now + Sliding));
            Assert.That(lookup?.Rotated, Is.False);
            Assert.That(lookup!.IsActive(Now), Is.True);
            Assert.That(lookup.IsActive(Now + Sliding), Is.False, "expired");
        }
    }

    [Test]
    public async Task A_rotated_token_still_finds_its_grant_but_is_not_active()
    {
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        RefreshTokenLookup? lookup = await _store.FindByRefreshTokenAsync(_acme, [.. _first], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lookup?.Grant.GrantId, Is.EqualTo(_grant.GrantId));
            Assert.That(lookup?.Rotated, Is.True);
            Assert.That(lookup!.IsActive(Now), Is.False);
        }
    }

    [Test]
    public async Task A_token_of_a_revoked_grant_is_not_active()
    {
        await _store.RevokeAsync(_acme, _grant.GrantId, Now, CancellationToken.None);

        RefreshTokenLookup? lookup = await _store.FindByRefreshTokenAsync(_acme, [.. _first], CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lookup?.Grant.RevokedAt, Is.EqualTo(Now));
            Assert.That(lookup!.IsActive(Now), Is.False);
        }
    }

    [Test]
    public async Task Another_organisation_sees_neither_the_grant_nor_its_tokens()
    {
        long globex = await NewOrganizationAsync();

        RefreshRotation rotation = await _store.RotateAsync(globex, _first, Jira, NewRecord(Now + Sliding), Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.NotFound));
            Assert.That(await _store.FindAsync(globex, _grant.GrantId, CancellationToken.None), Is.Null);
            Assert.That(await _store.FindByRefreshTokenAsync(globex, _first, CancellationToken.None), Is.Null);
            Assert.That((await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32))).Status, Is.EqualTo(RefreshRotationStatus.Rotated));
        }
    }

    [Test]
    public async Task Two_organisations_may_each_have_a_grant_with_the_same_id()
    {
        long globex = await NewOrganizationAsync();
        await _store.CreateAsync(NewGrant(globex, _grant.GrantId, TimeSpan.FromDays(1)) with { Subject = "u_globex" }, null, CancellationToken.None);

        await _store.RevokeAsync(globex, _grant.GrantId, Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await _store.FindAsync(globex, _grant.GrantId, CancellationToken.None))!.Subject, Is.EqualTo("u_globex"));
            Assert.That((await _store.FindAsync(_acme, _grant.GrantId, CancellationToken.None))!.RevokedAt, Is.Null);
        }
    }

    [Test]
    public async Task Revoking_all_grants_of_a_subject_spares_other_subjects_and_organisations()
    {
        long globex = await NewOrganizationAsync();
        await _store.CreateAsync(NewGrant(_acme, "g_2", TimeSpan.FromDays(30)), null, CancellationToken.None);
        await _store.CreateAsync(NewGrant(_acme, "g_bob", TimeSpan.FromDays(30)) with { Subject = "u_bob" }, null, CancellationToken.None);
        await _store.CreateAsync(NewGrant(globex, "g_1", TimeSpan.FromDays(30)), null, CancellationToken.None);
        await _store.CreateAsync(NewGrant(_acme, "g_old", TimeSpan.FromDays(30)) with { RevokedAt = Now.AddDays(-1) }, null, CancellationToken.None);

        int revoked = await _store.RevokeAllForSubjectAsync(_acme, _grant.Subject, Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(revoked, Is.EqualTo(2));
            Assert.That((await _store.FindAsync(_acme, "g_1", CancellationToken.None))!.RevokedAt, Is.EqualTo(Now));
            Assert.That((await _store.FindAsync(_acme, "g_2", CancellationToken.None))!.RevokedAt, Is.EqualTo(Now));
            Assert.That((await _store.FindAsync(_acme, "g_old", CancellationToken.None))!.RevokedAt, Is.EqualTo(Now.AddDays(-1)));
            Assert.That((await _store.FindAsync(_acme, "g_bob", CancellationToken.None))!.RevokedAt, Is.Null);
            Assert.That((await _store.FindAsync(globex, "g_1", CancellationToken.None))!.RevokedAt, Is.Null);
        }
    }

    private static void AssertSameGrant(Grant actual, Grant expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.OrganizationId, Is.EqualTo(expected.OrganizationId));
            Assert.That(actual.GrantId, Is.EqualTo(expected.GrantId));
            Assert.That(actual.ClientId, Is.EqualTo(expected.ClientId));
            Assert.That(actual.Subject, Is.EqualTo(expected.Subject));
            Assert.That(actual.Scopes, Is.EqualTo(expected.Scopes));
            Assert.That(actual.AuthTime, Is.EqualTo(expected.AuthTime));
            Assert.That(actual.SessionId, Is.EqualTo(expected.SessionId));
            Assert.That(actual.Acr, Is.EqualTo(expected.Acr));
            Assert.That(actual.Amr, Is.EqualTo(expected.Amr));
            Assert.That(actual.CreatedAt, Is.EqualTo(expected.CreatedAt));
            Assert.That(actual.ExpiresAt, Is.EqualTo(expected.ExpiresAt));
            Assert.That(actual.RevokedAt, Is.EqualTo(expected.RevokedAt));
        }
    }

    protected Task<RefreshRotation> RotateAsync(byte[] presented, string clientId, byte[] replacement, DateTimeOffset? expiresAt = null) =>
        _store.RotateAsync(_acme, presented, clientId, new RefreshTokenRecord(replacement, Now, expiresAt ?? Now + Sliding), Now, CancellationToken.None);

    protected RefreshTokenRecord NewRecord(DateTimeOffset expiresAt) => new(RandomNumberGenerator.GetBytes(32), Now, expiresAt);

    protected Grant NewGrant(long organizationId, string grantId, TimeSpan expiresIn) => new()
    {
        OrganizationId = organizationId,
        GrantId = grantId,
        ClientId = Jira,
        Subject = "u_7Hq2",
        Scopes = ["openid", "offline_access"],
        AuthTime = Now,
        CreatedAt = Now,
        ExpiresAt = Now + expiresIn,
    };
}
