using Clavex.Core.Factors;
using Clavex.Core.Jose;
using Clavex.Tests.Support;

namespace Clavex.Tests.Factors;

public class PasskeyChallengesTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Test]
    public void A_challenge_checks_only_for_its_purpose_organisation_and_subject_until_it_expires()
    {
        var clock = new TestClock(TestClock.DefaultStart);
        var challenges = new PasskeyChallenges(Key, clock);
        string encoded = Base64UrlEncoding.Encode(challenges.Issue(PasskeyPurpose.SecondFactor, 7, "u_alice"));

        string? replayKey = challenges.Check(encoded, PasskeyPurpose.SecondFactor, 7, "u_alice", out byte[]? bytes);
        Assert.That(replayKey, Does.StartWith("passkey:"));
        Assert.That(Base64UrlEncoding.Encode(bytes!), Is.EqualTo(encoded));
        Assert.That(challenges.Check(encoded, PasskeyPurpose.Registration, 7, "u_alice", out _), Is.Null, "another ceremony");
        Assert.That(challenges.Check(encoded, PasskeyPurpose.SecondFactor, 8, "u_alice", out _), Is.Null, "another organisation");
        Assert.That(challenges.Check(encoded, PasskeyPurpose.SecondFactor, 7, "u_bob", out _), Is.Null, "another user");
        Assert.That(new PasskeyChallenges(new byte[32], clock).Check(encoded, PasskeyPurpose.SecondFactor, 7, "u_alice", out _), Is.Null, "another server key");

        char flipped = encoded[10] == 'A' ? 'B' : 'A';
        Assert.That(challenges.Check(encoded[..10] + flipped + encoded[11..], PasskeyPurpose.SecondFactor, 7, "u_alice", out _), Is.Null, "tampered");
        Assert.That(challenges.Check("not base64url!", PasskeyPurpose.SecondFactor, 7, "u_alice", out _), Is.Null);
        Assert.That(challenges.Check(null, PasskeyPurpose.SecondFactor, 7, "u_alice", out _), Is.Null);

        clock.Advance(PasskeyChallenges.Lifetime - TimeSpan.FromSeconds(1));
        Assert.That(challenges.Check(encoded, PasskeyPurpose.SecondFactor, 7, "u_alice", out _), Is.EqualTo(replayKey));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(challenges.Check(encoded, PasskeyPurpose.SecondFactor, 7, "u_alice", out _), Is.Null, "expired");
    }

    [Test]
    public void Two_challenges_differ_and_a_user_handle_is_stable_per_organisation_and_subject()
    {
        var challenges = new PasskeyChallenges(Key, new TestClock(TestClock.DefaultStart));
        byte[] first = challenges.Issue(PasskeyPurpose.Passwordless, 1, string.Empty);
        byte[] second = challenges.Issue(PasskeyPurpose.Passwordless, 1, string.Empty);
        Assert.That(first, Is.Not.EqualTo(second));
        byte[] handle = challenges.UserHandle(1, "u_alice");
        byte[] again = challenges.UserHandle(1, "u_alice");
        Assert.That(handle, Is.EqualTo(again).And.Length.EqualTo(32));
        Assert.That(challenges.UserHandle(1, "u_alice"), Is.Not.EqualTo(challenges.UserHandle(2, "u_alice")));
        Assert.That(challenges.UserHandle(1, "u_alice"), Is.Not.EqualTo(challenges.UserHandle(1, "u_bob")));
    }
}
