using Clavex.Core.Users;

namespace Clavex.Tests.Users;

/// <summary>NIST SP 800-63B §3.1.1.2 as PasswordPolicy applies it: length, the shipped list, patterns, context words.</summary>
public class PasswordPolicyTests
{
    [TestCase("correct horse battery staple")]
    [TestCase("a brand new passphrase")]
    [TestCase("Tr0ub4dor&3 is not it")]
    [TestCase("mösjö fyrtiotvå grön")]
    public void A_long_unusual_password_is_accepted(string password) =>
        Assert.That(PasswordPolicy.Default.Problem(password, "alice", "alice@acme.eu", "acme"), Is.Null);

    [TestCase("elevenchars", 11)]
    [TestCase("short", 5)]
    public void A_password_under_the_minimum_is_refused_with_its_length(string password, int length) =>
        Assert.That(PasswordPolicy.Default.Problem(password), Is.EqualTo(
            $"must be at least 12 characters (it has {length}); a few unrelated words make a long password that is easy to remember."));

    [Test]
    public void Length_counts_characters_not_utf16_units()
    {
        // Twelve emoji are 24 UTF-16 code units; the minimum is about what a person types.
        string twelve = string.Concat(Enumerable.Repeat("🦊", 11));
        Assert.That(PasswordPolicy.Default.Problem(twelve), Does.StartWith("must be at least 12 characters (it has 11)"));
    }

    [TestCase("password123456")]
    [TestCase("Password2026!!")]
    [TestCase("P@ssw0rd202612")]
    [TestCase("qwertyuiopasdf")]
    [TestCase("iloveyouiloveyou")]
    [TestCase("123456789012")]
    [TestCase("aaaaaaaaaaaaaa")]
    [TestCase("abcdefghijklm")]
    [TestCase("zyxwvutsrqponm")]
    [TestCase("Welcome2026!!!")]
    [TestCase("Confluence2026!")]
    public void Common_passwords_and_patterns_are_refused_also_with_digits_appended(string password) =>
        Assert.That(PasswordPolicy.Default.Problem(password), Is.EqualTo(
            "is one of the passwords attackers try first (a common or breached password, or a simple pattern); choose another."));

    [TestCase("alice.andersson1", "alice.andersson")]
    [TestCase("AliceAndersson!", "alice.andersson@acme.eu")]
    [TestCase("acmecorp2026!", "acmecorp")]
    public void The_accounts_own_words_are_refused(string password, string context) =>
        Assert.That(PasswordPolicy.Default.Problem(password, context), Is.EqualTo(
            "must not be built from the username, the e-mail address or the organisation's name."));

    [Test]
    public void A_context_word_inside_a_long_passphrase_is_fine() =>
        Assert.That(PasswordPolicy.Default.Problem("alice likes green tea at noon", "alice"), Is.Null);

    [Test]
    public void The_minimum_is_the_organisations()
    {
        var strict = new PasswordPolicy { MinLength = 20 };
        Assert.That(strict.Problem("a brand new passphrase"), Is.Null);
        Assert.That(strict.Problem("sixteen chars ok"), Does.StartWith("must be at least 20 characters (it has 16)"));
        Assert.That(new PasswordPolicy { MinLength = 8 }.Problem("gr8 tune"), Is.Null);
    }
}
