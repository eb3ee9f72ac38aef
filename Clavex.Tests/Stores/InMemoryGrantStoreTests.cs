using System.Security.Cryptography;
using Clavex.Core.Stores;
using Clavex.Core.Stores.InMemory;
using Clavex.Core.Token;
using Clavex.Tests.Support;

namespace Clavex.Tests.Stores;

public sealed class InMemoryGrantStoreTests
{
    private const long Acme = 1;
    private const long Globex = 2;
    private const string Jira = "jira";

    private static readonly TimeSpan Sliding = TimeSpan.FromHours(8);

    private TestClock _clock = null!;
    private InMemoryGrantStore _store = null!;
    private Grant _grant = null!;
    private byte[] _first = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    [SetUp]
    public async Task CreateGrant()
    {
        _clock = new TestClock();
        _store = new InMemoryGrantStore();
        _grant = NewGrant(Acme, "g_1", expiresIn: TimeSpan.FromDays(30));
        _first = RandomNumberGenerator.GetBytes(32);
        await _store.CreateAsync(_grant, new RefreshTokenRecord(_first, Now, Now + Sliding), CancellationToken.None);
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
            Assert.That(rotation.Grant, Is.EqualTo(_grant));
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
            Assert.That((await _store.FindAsync(Acme, _grant.GrantId, CancellationToken.None))!.RevokedAt, Is.Null);
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
            Assert.That(await _store.FindByRefreshTokenAsync(Acme, attempted, CancellationToken.None), Is.Null);
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
    public async Task The_replacement_expiry_is_capped_at_the_grant_expiry()
    {
        Grant shortGrant = NewGrant(Acme, "g_short", expiresIn: TimeSpan.FromHours(10));
        byte[] first = RandomNumberGenerator.GetBytes(32);
        await _store.CreateAsync(shortGrant, new RefreshTokenRecord(first, Now, Now + Sliding), CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(7));
        byte[] second = RandomNumberGenerator.GetBytes(32);
        await RotateAsync(first, Jira, second, expiresAt: Now + Sliding);

        // The replacement asked for 15 h from the start; the grant ends at 10 h.
        _clock.Advance(TimeSpan.FromHours(3));
        RefreshRotation atAbsoluteEnd = await RotateAsync(second, Jira, RandomNumberGenerator.GetBytes(32));

        Assert.That(atAbsoluteEnd.Status, Is.EqualTo(RefreshRotationStatus.Expired));
    }

    [Test]
    public async Task A_token_is_usable_until_just_before_the_grant_expiry()
    {
        Grant shortGrant = NewGrant(Acme, "g_short", expiresIn: TimeSpan.FromHours(10));
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
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        RefreshRotation again = await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        Assert.That(again.Status, Is.EqualTo(RefreshRotationStatus.Expired));
    }

    [Test]
    public async Task A_token_of_a_revoked_grant_is_refused_as_revoked()
    {
        await _store.RevokeAsync(Acme, _grant.GrantId, Now, CancellationToken.None);

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
        await _store.RevokeAsync(Acme, _grant.GrantId, Now, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));

        await _store.RevokeAsync(Acme, _grant.GrantId, Now, CancellationToken.None);

        Grant? grant = await _store.FindAsync(Acme, _grant.GrantId, CancellationToken.None);
        Assert.That(grant!.RevokedAt, Is.EqualTo(TestClock.DefaultStart));
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
    public async Task A_rotated_token_still_finds_its_grant()
    {
        await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));

        Grant? grant = await _store.FindByRefreshTokenAsync(Acme, [.. _first], CancellationToken.None);

        Assert.That(grant?.GrantId, Is.EqualTo(_grant.GrantId));
    }

    [Test]
    public async Task Another_organisation_sees_neither_the_grant_nor_its_tokens()
    {
        RefreshRotation rotation = await _store.RotateAsync(Globex, _first, Jira, NewRecord(Now + Sliding), Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotation.Status, Is.EqualTo(RefreshRotationStatus.NotFound));
            Assert.That(await _store.FindAsync(Globex, _grant.GrantId, CancellationToken.None), Is.Null);
            Assert.That(await _store.FindByRefreshTokenAsync(Globex, _first, CancellationToken.None), Is.Null);
            Assert.That((await RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32))).Status, Is.EqualTo(RefreshRotationStatus.Rotated));
        }
    }

    [Test]
    public async Task Revoking_all_grants_of_a_subject_spares_other_subjects_and_organisations()
    {
        await _store.CreateAsync(NewGrant(Acme, "g_2", TimeSpan.FromDays(30)), null, CancellationToken.None);
        await _store.CreateAsync(NewGrant(Acme, "g_bob", TimeSpan.FromDays(30)) with { Subject = "u_bob" }, null, CancellationToken.None);
        await _store.CreateAsync(NewGrant(Globex, "g_1", TimeSpan.FromDays(30)), null, CancellationToken.None);

        int revoked = await _store.RevokeAllForSubjectAsync(Acme, _grant.Subject, Now, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(revoked, Is.EqualTo(2));
            Assert.That((await _store.FindAsync(Acme, "g_1", CancellationToken.None))!.RevokedAt, Is.EqualTo(Now));
            Assert.That((await _store.FindAsync(Acme, "g_2", CancellationToken.None))!.RevokedAt, Is.EqualTo(Now));
            Assert.That((await _store.FindAsync(Acme, "g_bob", CancellationToken.None))!.RevokedAt, Is.Null);
            Assert.That((await _store.FindAsync(Globex, "g_1", CancellationToken.None))!.RevokedAt, Is.Null);
        }
    }

    [Test]
    public async Task Of_many_concurrent_rotations_of_one_token_exactly_one_succeeds()
    {
        using var start = new ManualResetEventSlim();

        Task<RefreshRotation>[] attempts = [.. Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            start.Wait();
            return RotateAsync(_first, Jira, RandomNumberGenerator.GetBytes(32));
        }))];
        start.Set();
        RefreshRotation[] results = await Task.WhenAll(attempts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Count(r => r.Status == RefreshRotationStatus.Rotated), Is.EqualTo(1));
            Assert.That(results.Count(r => r.Status == RefreshRotationStatus.Reused), Is.EqualTo(63));
        }
    }

    private Task<RefreshRotation> RotateAsync(byte[] presented, string clientId, byte[] replacement, DateTimeOffset? expiresAt = null) =>
        _store.RotateAsync(Acme, presented, clientId, new RefreshTokenRecord(replacement, Now, expiresAt ?? Now + Sliding), Now, CancellationToken.None);

    private RefreshTokenRecord NewRecord(DateTimeOffset expiresAt) => new(RandomNumberGenerator.GetBytes(32), Now, expiresAt);

    private Grant NewGrant(long organizationId, string grantId, TimeSpan expiresIn) => new()
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
