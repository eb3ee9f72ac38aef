using System.Text.RegularExpressions;
using Clavex.Core.Interaction;
using Clavex.Server.Login;
using NSec.Cryptography;

namespace Clavex.Tests.Login;

public sealed partial class PasswordHasherTests
{
    private static readonly PasswordHasher Hasher = new();

    [GeneratedRegex(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$")]
    private static partial Regex OwaspPhcString();

    [Test]
    public void A_hash_is_a_PHC_string_with_OWASP_parameters_and_unpadded_base64()
    {
        Assert.That(Hasher.Hash("correct horse battery staple"), Does.Match(OwaspPhcString()));
    }

    [Test]
    public void The_same_password_hashes_differently_each_time()
    {
        string first = Hasher.Hash("correct horse battery staple");
        string second = Hasher.Hash("correct horse battery staple");

        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public void A_hashed_password_verifies()
    {
        string stored = Hasher.Hash("correct horse battery staple");

        Assert.That(Hasher.Verify("correct horse battery staple", stored), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [TestCase("correct horse battery stapl")]
    [TestCase("Correct horse battery staple")]
    [TestCase("correct horse battery staple ")]
    public void A_wrong_password_fails(string password)
    {
        string stored = Hasher.Hash("correct horse battery staple");

        Assert.That(Hasher.Verify(password, stored), Is.EqualTo(PasswordVerification.Failed));
    }

    [TestCase("password", Argon2ReferenceVectors.Password)]
    [TestCase("correct horse battery staple", Argon2ReferenceVectors.CorrectHorse)]
    public void Hashes_from_the_argon2_reference_implementation_verify(string password, string stored)
    {
        // Verification recomputes the full 32-byte hash from the stored salt, so this is a known-answer test.
        Assert.That(Hasher.Verify(password, stored), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [TestCase(Argon2ReferenceVectors.Password)]
    [TestCase(Argon2ReferenceVectors.PasswordWeak)]
    [TestCase(Argon2ReferenceVectors.PasswordShortHash)]
    public void A_reference_PHC_string_parses_and_formats_back_to_itself(string stored)
    {
        Assert.That(Argon2idPhcString.TryParse(stored, out var parsed), Is.True);

        Assert.That(Argon2idPhcString.Format(parsed!.Parameters, parsed.Salt, parsed.Hash), Is.EqualTo(stored));
    }

    [Test]
    public void The_hash_of_a_known_salt_equals_the_reference_implementations_bytes()
    {
        Assert.That(Argon2idPhcString.TryParse(Argon2ReferenceVectors.CorrectHorse, out var reference), Is.True);
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { MemorySize = 19456, NumberOfPasses = 2, DegreeOfParallelism = 1 });

        byte[] hash = algorithm.DeriveBytes("correct horse battery staple"u8, "saltsaltsaltsalt"u8, 32);

        Assert.That(Convert.ToHexStringLower(hash), Is.EqualTo("40a1eb839b5ac8b19c37e6341d53cd681ab290e54b53194c919c9c5c4d6e5913"));
        Assert.That(hash, Is.EqualTo(reference!.Hash));
    }

    [Test]
    public void A_hash_with_lower_memory_and_passes_asks_for_a_rehash()
    {
        Assert.That(Hasher.Verify("password", Argon2ReferenceVectors.PasswordWeak), Is.EqualTo(PasswordVerification.SucceededRehashNeeded));
    }

    [Test]
    public void A_hash_shorter_than_32_bytes_asks_for_a_rehash()
    {
        Assert.That(Hasher.Verify("password", Argon2ReferenceVectors.PasswordShortHash), Is.EqualTo(PasswordVerification.SucceededRehashNeeded));
    }

    [Test]
    public void A_wrong_password_against_a_weak_hash_fails_without_asking_for_a_rehash()
    {
        Assert.That(Hasher.Verify("passw0rd", Argon2ReferenceVectors.PasswordWeak), Is.EqualTo(PasswordVerification.Failed));
    }

    [Test]
    public void A_hash_with_stronger_parameters_verifies_without_a_rehash()
    {
        Assert.That(Hasher.Verify("password", Argon2ReferenceVectors.PasswordStronger), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [Test]
    public void The_rehash_replacing_a_weak_hash_uses_current_parameters()
    {
        Assert.That(Hasher.Verify("password", Argon2ReferenceVectors.PasswordWeak), Is.EqualTo(PasswordVerification.SucceededRehashNeeded));

        string rehashed = Hasher.Hash("password");

        Assert.That(rehashed, Does.Match(OwaspPhcString()));
        Assert.That(Hasher.Verify("password", rehashed), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [TestCase(null, TestName = "No stored hash fails")]
    [TestCase("", TestName = "An empty stored hash fails")]
    [TestCase("password", TestName = "A plaintext stored value fails")]
    [TestCase("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", TestName = "A bcrypt hash fails")]
    [TestCase("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Another Argon2 variant fails")]
    [TestCase("$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Argon2 version 1.0 fails")]
    [TestCase("$argon2id$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A missing version fails")]
    [TestCase("$argon2id$v=19$t=2,m=19456,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Parameters out of order fail")]
    [TestCase("$argon2id$v=19$m=019456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A leading zero fails")]
    [TestCase("$argon2id$v=19$m=-19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A negative memory size fails")]
    [TestCase("$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Zero passes fail")]
    [TestCase("$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Memory below 8 KiB fails")]
    [TestCase("$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Memory of 4 GiB is refused before any work")]
    [TestCase("$argon2id$v=19$m=19456,t=99999999,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A huge pass count is refused before any work")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1,keyid=abc$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "An optional keyid fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA==$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A padded salt fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdB$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A salt with non-zero trailing bits fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "An 8-byte salt fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV-9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "A base64url character in the hash fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9Zxzt mHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "Whitespace in the hash fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG", TestName = "A truncated hash fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$", TestName = "An empty hash fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE$", TestName = "A trailing separator fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", TestName = "An empty salt fails")]
    [TestCase("$argon2id$v=19$m=19456,t=2,p=1", TestName = "Parameters alone fail")]
    [TestCase(Argon2ReferenceVectors.PasswordTwoLanes, TestName = "Two lanes, which libsodium cannot compute, fail")]
    public void A_malformed_or_unsupported_stored_hash_fails_without_throwing(string? stored)
    {
        PasswordVerification result = PasswordVerification.Succeeded;

        Assert.That(() => result = Hasher.Verify("password", stored), Throws.Nothing);
        Assert.That(result, Is.EqualTo(PasswordVerification.Failed));
    }

    [Test]
    public void An_empty_password_never_verifies_even_against_a_hash_of_the_empty_string()
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters { MemorySize = 19456, NumberOfPasses = 2, DegreeOfParallelism = 1 });
        byte[] salt = "somesaltsomesalt"u8.ToArray();
        string stored = Argon2idPhcString.Format(Argon2idParameters.Owasp, salt, algorithm.DeriveBytes(ReadOnlySpan<byte>.Empty, salt, 32));

        Assert.That(Hasher.Verify("", stored), Is.EqualTo(PasswordVerification.Failed));
    }

    [Test]
    public void An_empty_password_cannot_be_hashed()
    {
        Assert.That(() => Hasher.Hash(""), Throws.ArgumentException);
    }

    [Test]
    public void A_password_of_the_maximum_length_round_trips()
    {
        string password = new('x', PasswordHasher.MaxPasswordLength);

        Assert.That(Hasher.Verify(password, Hasher.Hash(password)), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [Test]
    public void A_password_over_the_maximum_length_is_neither_hashed_nor_verified()
    {
        string password = new('x', PasswordHasher.MaxPasswordLength + 1);

        Assert.That(() => Hasher.Hash(password), Throws.ArgumentException);
        Assert.That(Hasher.Verify(password, Argon2ReferenceVectors.Password), Is.EqualTo(PasswordVerification.Failed));
    }

    // Built in code: attribute arguments are stored as UTF-8, which would turn a lone surrogate into U+FFFD.
    [TestCase(0xD800, 4, TestName = "A lone high surrogate is refused")]
    [TestCase(0xDC00, 4, TestName = "A lone low surrogate is refused")]
    [TestCase(0xD83D, 8, TestName = "A high surrogate at the end is refused")]
    public void Ill_formed_UTF16_is_neither_hashed_nor_verified(int surrogate, int position)
    {
        string password = "password".Insert(position, ((char)surrogate).ToString());

        Assert.That(() => Hasher.Hash(password), Throws.ArgumentException);
        Assert.That(Hasher.Verify(password, Argon2ReferenceVectors.Password), Is.EqualTo(PasswordVerification.Failed));
    }

    [Test]
    public void A_password_outside_the_BMP_round_trips()
    {
        Assert.That(Hasher.Verify("🔑 geheim", Hasher.Hash("🔑 geheim")), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [TestCase("Am\u00E9lie", TestName = "The precomposed spelling matches the reference NFC hash")]
    [TestCase("Ame\u0301lie", TestName = "The decomposed spelling matches the reference NFC hash")]
    public void Passwords_are_hashed_as_UTF8_of_their_NFC_form(string password)
    {
        Assert.That(Hasher.Verify(password, Argon2ReferenceVectors.AmelieNfc), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [Test]
    public void A_password_set_in_one_spelling_verifies_in_the_other()
    {
        Assert.That(Hasher.Verify("Ame\u0301lie", Hasher.Hash("Am\u00E9lie")), Is.EqualTo(PasswordVerification.Succeeded));
    }

    [Test]
    public void Compatibility_characters_are_not_folded()
    {
        // NFC keeps the ligature; NFKC would have made it "fi".
        Assert.That(Hasher.Verify("fine", Hasher.Hash("\uFB01ne")), Is.EqualTo(PasswordVerification.Failed));
    }

    [TestCase("password")]
    [TestCase("correct horse battery staple")]
    [TestCase("")]
    public void Verifying_against_the_dummy_always_fails(string password)
    {
        Assert.That(Hasher.VerifyAgainstDummy(password), Is.EqualTo(PasswordVerification.Failed));
    }

    [Test]
    public void Hashers_can_be_made_only_with_parameters_libsodium_computes()
    {
        Assert.That(() => new PasswordHasher(new Argon2idParameters(19456, 2, 2)), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new PasswordHasher(new Argon2idParameters(19456, 0, 1)), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_hasher_with_other_parameters_writes_them_into_the_PHC_string()
    {
        var cheap = new PasswordHasher(new Argon2idParameters(4096, 1, 1));

        string stored = cheap.Hash("password");

        Assert.That(stored, Does.StartWith("$argon2id$v=19$m=4096,t=1,p=1$"));
        Assert.That(Hasher.Verify("password", stored), Is.EqualTo(PasswordVerification.SucceededRehashNeeded));
    }
}
