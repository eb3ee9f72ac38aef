using Clavex.Core.Pkce;
using Clavex.Tests.Jose;

namespace Clavex.Tests.Pkce;

public class CodeChallengeTests
{
    // RFC 7636 Appendix B.
    private const string AppendixBVerifier = RfcVectors.Rfc7636.CodeVerifier;
    private const string AppendixBChallenge = RfcVectors.Rfc7636.CodeChallenge;

    [Test]
    public void Rfc7636_appendix_B_challenge_is_reproduced()
    {
        Assert.That(CodeChallenge.CreateS256(AppendixBVerifier), Is.EqualTo(AppendixBChallenge));
    }

    [Test]
    public void Rfc7636_appendix_B_verifier_matches_its_challenge()
    {
        Assert.That(CodeChallenge.VerifyS256(AppendixBVerifier, AppendixBChallenge), Is.True);
    }

    [TestCase("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", TestName = "A verifier differing in the last character fails")]
    [TestCase("eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", TestName = "A verifier differing in the first character fails")]
    public void A_different_verifier_fails(string verifier)
    {
        Assert.That(CodeChallenge.VerifyS256(verifier, AppendixBChallenge), Is.False);
    }

    [TestCase("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN", TestName = "A challenge differing in the last character fails")]
    [TestCase("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c", TestName = "A truncated challenge fails")]
    [TestCase("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=", TestName = "A padded challenge fails")]
    [TestCase("Ĕ9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", TestName = "A non-ASCII character that truncates to the right byte fails")]
    public void A_different_challenge_fails(string challenge)
    {
        Assert.That(CodeChallenge.VerifyS256(AppendixBVerifier, challenge), Is.False);
    }

    [Test]
    public void The_plain_verifier_is_not_accepted_as_an_S256_challenge()
    {
        // Downgrade attempt: the challenge is the verifier itself.
        Assert.That(CodeChallenge.VerifyS256(AppendixBVerifier, AppendixBVerifier), Is.False);
    }

    [TestCase(42, false, TestName = "A 42-character verifier is too short")]
    [TestCase(43, true, TestName = "A 43-character verifier is the shortest allowed")]
    [TestCase(128, true, TestName = "A 128-character verifier is the longest allowed")]
    [TestCase(129, false, TestName = "A 129-character verifier is too long")]
    public void Verifier_length_is_43_to_128(int length, bool valid)
    {
        Assert.That(CodeChallenge.IsValidVerifier(new string('a', length)), Is.EqualTo(valid));
    }

    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~", true)]
    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ+", false)]
    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ/", false)]
    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ=", false)]
    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ ", false)]
    [TestCase("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQé", false)]
    public void Verifier_characters_are_unreserved_only(string verifier, bool valid)
    {
        Assert.That(CodeChallenge.IsValidVerifier(verifier), Is.EqualTo(valid));
    }

    [Test]
    public void An_invalid_verifier_never_verifies_even_against_its_own_hash()
    {
        string verifier = new string('a', 42);
        Assert.That(CodeChallenge.VerifyS256(verifier, "elOGB_2quSlplZKfRRVlu7gULhhEEXMiqv0rPXawGv8"), Is.False);
    }

    [TestCase(AppendixBChallenge, true)]
    [TestCase("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c", false)]
    [TestCase("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM", false)]
    public void S256_challenge_shape_is_checked(string challenge, bool valid)
    {
        Assert.That(CodeChallenge.IsValidS256Challenge(challenge), Is.EqualTo(valid));
    }

    [Test]
    public void Plain_method_compares_verifier_and_challenge_exactly()
    {
        Assert.That(CodeChallenge.VerifyPlain(AppendixBVerifier, AppendixBVerifier), Is.True);
        Assert.That(CodeChallenge.VerifyPlain(AppendixBVerifier, AppendixBChallenge), Is.False);
    }
}
