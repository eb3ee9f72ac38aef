using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Clavex.Core.Factors;
using Clavex.Tests.Support;

namespace Clavex.Tests.Factors;

public class TotpTests
{
    // RFC 6238 Appendix B: the seeds of the reference implementation, one per HMAC.
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    private const long NeverUsed = -1;

    // RFC 6238 Appendix B, copied from the table: time (s), T, TOTP, mode.
    private static readonly object[] AppendixB =
    [
        new object[] { 59L, 0x0000000000000001L, "94287082", "SHA1" },
        new object[] { 59L, 0x0000000000000001L, "46119246", "SHA256" },
        new object[] { 59L, 0x0000000000000001L, "90693936", "SHA512" },
        new object[] { 1111111109L, 0x00000000023523ECL, "07081804", "SHA1" },
        new object[] { 1111111109L, 0x00000000023523ECL, "68084774", "SHA256" },
        new object[] { 1111111109L, 0x00000000023523ECL, "25091201", "SHA512" },
        new object[] { 1111111111L, 0x00000000023523EDL, "14050471", "SHA1" },
        new object[] { 1111111111L, 0x00000000023523EDL, "67062674", "SHA256" },
        new object[] { 1111111111L, 0x00000000023523EDL, "99943326", "SHA512" },
        new object[] { 1234567890L, 0x000000000273EF07L, "89005924", "SHA1" },
        new object[] { 1234567890L, 0x000000000273EF07L, "91819424", "SHA256" },
        new object[] { 1234567890L, 0x000000000273EF07L, "93441116", "SHA512" },
        new object[] { 2000000000L, 0x0000000003F940AAL, "69279037", "SHA1" },
        new object[] { 2000000000L, 0x0000000003F940AAL, "90698825", "SHA256" },
        new object[] { 2000000000L, 0x0000000003F940AAL, "38618901", "SHA512" },
        new object[] { 20000000000L, 0x0000000027BC86AAL, "65353130", "SHA1" },
        new object[] { 20000000000L, 0x0000000027BC86AAL, "77737706", "SHA256" },
        new object[] { 20000000000L, 0x0000000027BC86AAL, "47863826", "SHA512" },
    ];

    // RFC 4226 Appendix D: HOTP of the SHA1 seed for counters 0 to 9, which are also TOTP steps 0 to 9.
    private static readonly string[] AppendixD =
        ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];

    [TestCaseSource(nameof(AppendixB))]
    public void The_reference_implementation_reproduces_rfc6238_appendix_B(long unixTime, long step, string totp, string mode)
    {
        Assert.That(TestTotp.Compute(SeedFor(mode), unixTime / 30, 8, mode), Is.EqualTo(totp));
    }

    [TestCaseSource(nameof(AppendixB))]
    public void Compute_reproduces_rfc6238_appendix_B(long unixTime, long step, string totp, string mode)
    {
        Assert.That(Totp.Compute(SeedFor(mode), step, 8, new HashAlgorithmName(mode)), Is.EqualTo(totp));
    }

    [TestCaseSource(nameof(AppendixB))]
    public void StepAt_gives_the_T_of_rfc6238_appendix_B(long unixTime, long step, string totp, string mode)
    {
        Assert.That(Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime)), Is.EqualTo(step));
    }

    [Test]
    public void Compute_reproduces_rfc4226_appendix_D_with_six_digits_and_sha1_by_default()
    {
        string[] codes = new string[AppendixD.Length];
        for (int counter = 0; counter < codes.Length; counter++)
        {
            codes[counter] = Totp.Compute(Sha1Seed, counter);
        }

        Assert.That(codes, Is.EqualTo(AppendixD));
    }

    [TestCase("SHA1")]
    [TestCase("SHA256")]
    [TestCase("SHA512")]
    public void Compute_agrees_with_the_reference_implementation_over_many_steps(string mode)
    {
        byte[] secret = Encoding.ASCII.GetBytes("a secret that is neither seed, 35 B");
        var expected = new List<string>();
        var actual = new List<string>();
        for (long unixTime = 0; unixTime < 3_000_000_000L; unixTime += 7_777_777)
        {
            expected.Add(TestTotp.Compute(secret, unixTime / 30, 6, mode));
            actual.Add(Totp.Compute(secret, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime)), 6, new HashAlgorithmName(mode)));
        }

        Assert.That(actual, Is.EqualTo(expected));
    }

    [TestCase(0L, 0L)]
    [TestCase(29L, 0L)]
    [TestCase(30L, 1L)]
    [TestCase(59L, 1L)]
    [TestCase(60L, 2L)]
    [TestCase(-1L, -1L)]
    [TestCase(-30L, -1L)]
    [TestCase(-31L, -2L)]
    public void StepAt_is_the_floor_of_unix_seconds_over_30(long unixTime, long step)
    {
        Assert.That(Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime)), Is.EqualTo(step));
    }

    [Test]
    public void Constants_are_what_authenticator_apps_expect()
    {
        Assert.That((Totp.SecretBytes, Totp.Digits, Totp.Step, Totp.AllowedSkewSteps), Is.EqualTo((20, 6, TimeSpan.FromSeconds(30), 1)));
    }

    [Test]
    public void A_new_secret_is_160_random_bits()
    {
        byte[] first = Totp.NewSecret();
        byte[] second = Totp.NewSecret();

        Assert.That(first, Has.Length.EqualTo(20));
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [TestCase(5)]
    [TestCase(9)]
    public void Compute_refuses_digit_counts_rfc4226_does_not_define(int digits)
    {
        Assert.That(() => Totp.Compute(Sha1Seed, 1, digits), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Compute_refuses_an_hmac_rfc6238_does_not_define()
    {
        Assert.That(() => Totp.Compute(Sha1Seed, 1, 6, HashAlgorithmName.MD5), Throws.ArgumentException);
    }

    // At 130 s the current step is 4; its neighbours are steps 3 and 5 (RFC 4226 Appendix D codes).
    private static readonly DateTimeOffset AtStep4 = DateTimeOffset.FromUnixTimeSeconds((4 * 30) + 10);

    [Test]
    public void The_code_of_the_current_step_is_accepted_and_its_step_returned()
    {
        Assert.That(Totp.Verify(Sha1Seed, "338314", AtStep4, NeverUsed), Is.EqualTo(4));
    }

    [TestCase("969429", 3L, TestName = "The code of the previous step is accepted")]
    [TestCase("254676", 5L, TestName = "The code of the next step is accepted")]
    public void A_code_one_step_away_is_accepted(string code, long step)
    {
        Assert.That(Totp.Verify(Sha1Seed, code, AtStep4, NeverUsed), Is.EqualTo(step));
    }

    [TestCase("359152", TestName = "The code of two steps ago is refused")]
    [TestCase("287922", TestName = "The code of two steps ahead is refused")]
    public void A_code_two_steps_away_is_refused(string code)
    {
        Assert.That(Totp.Verify(Sha1Seed, code, AtStep4, NeverUsed), Is.Null);
    }

    [Test]
    public void A_replayed_code_is_refused()
    {
        Assert.That(Totp.Verify(Sha1Seed, "338314", AtStep4, lastUsedStep: 4), Is.Null);
    }

    [Test]
    public void A_code_of_a_step_before_the_last_used_one_is_refused()
    {
        Assert.That(Totp.Verify(Sha1Seed, "969429", AtStep4, lastUsedStep: 4), Is.Null);
    }

    [Test]
    public void The_current_code_is_refused_once_a_later_step_was_used()
    {
        Assert.That(Totp.Verify(Sha1Seed, "338314", AtStep4, lastUsedStep: 5), Is.Null);
    }

    [Test]
    public void The_current_code_is_accepted_after_the_previous_step_was_used()
    {
        Assert.That(Totp.Verify(Sha1Seed, "338314", AtStep4, lastUsedStep: 3), Is.EqualTo(4));
    }

    [Test]
    public void A_code_computed_by_the_reference_implementation_now_is_accepted()
    {
        byte[] secret = Totp.NewSecret();
        var now = new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.Zero);

        Assert.That(Totp.Verify(secret, TestTotp.Compute(secret, now.ToUnixTimeSeconds() / 30), now, NeverUsed), Is.EqualTo(now.ToUnixTimeSeconds() / 30));
    }

    [TestCase("338315", TestName = "A wrong code is refused")]
    [TestCase("33831", TestName = "A 5-digit code is refused")]
    [TestCase("3383140", TestName = "A 7-digit code is refused")]
    [TestCase("0338314", TestName = "A 7-digit code with a leading zero is refused")]
    [TestCase("33831a", TestName = "A code with a letter is refused")]
    [TestCase("+33831", TestName = "A code with a sign is refused")]
    [TestCase("338-314", TestName = "A code with a dash is refused")]
    [TestCase("٣٣٨٣١٤", TestName = "A code in Arabic-Indic digits is refused")]
    [TestCase("", TestName = "An empty code is refused")]
    [TestCase("      ", TestName = "A blank code is refused")]
    [TestCase(null, TestName = "A missing code is refused")]
    public void A_malformed_or_wrong_code_is_refused(string? code)
    {
        Assert.That(Totp.Verify(Sha1Seed, code, AtStep4, NeverUsed), Is.Null);
    }

    [TestCase("338 314", TestName = "A code grouped as the app shows it is accepted")]
    [TestCase(" 338314 ", TestName = "A code with surrounding spaces is accepted")]
    [TestCase("3 3 8 3 1 4", TestName = "A code with a space between every digit is accepted")]
    public void Spaces_in_a_code_are_ignored(string code)
    {
        Assert.That(Totp.Verify(Sha1Seed, code, AtStep4, NeverUsed), Is.EqualTo(4));
    }

    [Test]
    public void The_otpauth_uri_follows_the_key_uri_format()
    {
        string uri = Totp.OtpAuthUri("Clavex Example", "alice@example.com", Sha1Seed);

        Assert.That(uri, Is.EqualTo(
            "otpauth://totp/Clavex%20Example:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            + "&issuer=Clavex%20Example&algorithm=SHA1&digits=6&period=30"));
    }

    [Test]
    public void The_otpauth_uri_percent_encodes_reserved_characters_in_label_and_issuer()
    {
        string uri = Totp.OtpAuthUri("A&B:C", "x/y?z", [0xff]);

        Assert.That(uri, Is.EqualTo("otpauth://totp/A%26B%3AC:x%2Fy%3Fz?secret=74&issuer=A%26B%3AC&algorithm=SHA1&digits=6&period=30"));
    }

    private static byte[] SeedFor(string mode) => mode switch
    {
        "SHA1" => Sha1Seed,
        "SHA256" => Sha256Seed,
        "SHA512" => Sha512Seed,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}

public class Base32Tests
{
    // RFC 4648 §10 test vectors, base32 without the padding.
    [TestCase("", "")]
    [TestCase("f", "MY")]
    [TestCase("fo", "MZXQ")]
    [TestCase("foo", "MZXW6")]
    [TestCase("foob", "MZXW6YQ")]
    [TestCase("fooba", "MZXW6YTB")]
    [TestCase("foobar", "MZXW6YTBOI")]
    public void Rfc4648_section_10_vectors_encode(string data, string encoded)
    {
        Assert.That(Base32.Encode(Encoding.ASCII.GetBytes(data)), Is.EqualTo(encoded));
    }

    [TestCase("", "")]
    [TestCase("MY", "f")]
    [TestCase("MZXQ", "fo")]
    [TestCase("MZXW6", "foo")]
    [TestCase("MZXW6YQ", "foob")]
    [TestCase("MZXW6YTB", "fooba")]
    [TestCase("MZXW6YTBOI", "foobar")]
    [TestCase("MY======", "f", TestName = "RFC 4648 §10 padded form of f decodes")]
    [TestCase("MZXW6YQ=", "foob", TestName = "RFC 4648 §10 padded form of foob decodes")]
    [TestCase("MZXW6YTBOI======", "foobar", TestName = "RFC 4648 §10 padded form of foobar decodes")]
    [TestCase("mzxw6ytboi", "foobar", TestName = "Lower case decodes")]
    [TestCase("MzXw6YtBoI", "foobar", TestName = "Mixed case decodes")]
    [TestCase("MZXW 6YTB OI", "foobar", TestName = "Groups separated by spaces decode")]
    [TestCase("MZXW-6YTB-OI", "foobar", TestName = "Groups separated by dashes decode")]
    [TestCase("MZXW6YQ= ", "foob", TestName = "A space after the padding is skipped")]
    public void Rfc4648_section_10_vectors_decode(string encoded, string data)
    {
        Assert.That(Base32.TryDecode(encoded, out byte[] bytes), Is.True);
        Assert.That(Encoding.ASCII.GetString(bytes), Is.EqualTo(data));
    }

    [TestCase("MZXW6YT1", TestName = "The digit 1 is refused")]
    [TestCase("MZXW6YT0", TestName = "The digit 0 is refused")]
    [TestCase("MZXW6YT8", TestName = "The digit 8 is refused")]
    [TestCase("MZXW6YT+", TestName = "A base64 character is refused")]
    [TestCase("MZXW\t6YTB", TestName = "A tab is refused")]
    [TestCase("MZXW_6YTB", TestName = "An underscore is refused")]
    [TestCase("MZXWÉYTB", TestName = "A non-ASCII letter is refused")]
    [TestCase("MY=A", TestName = "A character after padding is refused")]
    [TestCase("M", TestName = "A single character is refused")]
    [TestCase("MZX", TestName = "Three characters cannot end a base32 string")]
    [TestCase("MZXW6Y", TestName = "Six characters cannot end a base32 string")]
    [TestCase("MZ", TestName = "Non-zero bits after the last byte are refused")]
    public void Malformed_base32_is_refused(string encoded)
    {
        Assert.That(Base32.TryDecode(encoded, out byte[] bytes), Is.False);
        Assert.That(bytes, Is.Empty);
    }

    [Test]
    public void A_totp_secret_round_trips_as_32_characters()
    {
        byte[] secret = Totp.NewSecret();
        string encoded = Base32.Encode(secret);

        Assert.That(encoded, Has.Length.EqualTo(32));
        Assert.That(Base32.TryDecode(encoded, out byte[] decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(secret));
    }
}

public partial class RecoveryCodesTests
{
    [GeneratedRegex("^[abcdefghjkmnpqrstuvwxyz23456789]{5}-[abcdefghjkmnpqrstuvwxyz23456789]{5}$")]
    private static partial Regex DisplayedCode();

    [Test]
    public void Ten_distinct_codes_are_generated()
    {
        IReadOnlyList<string> codes = RecoveryCodes.Generate();

        Assert.That(codes, Has.Count.EqualTo(10));
        Assert.That(codes, Is.Unique);
    }

    [Test]
    public void Codes_are_two_lower_case_groups_of_five_unambiguous_characters()
    {
        Assert.That(RecoveryCodes.Generate(), Has.All.Matches(DisplayedCode()));
    }

    [Test]
    public void Every_character_of_the_alphabet_is_drawn_and_no_other()
    {
        var seen = new SortedSet<char>();
        for (int i = 0; i < 100; i++)
        {
            foreach (string code in RecoveryCodes.Generate())
            {
                seen.UnionWith(code.Replace("-", "", StringComparison.Ordinal));
            }
        }

        // 10 000 draws from 31 symbols: the chance of missing one is below 10^-130.
        Assert.That(string.Concat(seen), Is.EqualTo("23456789abcdefghjkmnpqrstuvwxyz"));
    }

    [Test]
    public void A_generated_code_normalizes_to_itself_without_the_dash()
    {
        string code = RecoveryCodes.Generate()[0];

        Assert.That(RecoveryCodes.Normalize(code), Is.EqualTo(code.Replace("-", "", StringComparison.Ordinal)));
    }

    [TestCase("abcde-fghjk")]
    [TestCase("ABCDE-FGHJK", TestName = "Upper case is accepted")]
    [TestCase("abcdefghjk", TestName = "A code without the dash is accepted")]
    [TestCase("abcde fghjk", TestName = "A space instead of the dash is accepted")]
    [TestCase("  aBcDe - FgHjK  ", TestName = "Surrounding spaces and mixed case are accepted")]
    [TestCase("ab-cd-ef-gh-jk", TestName = "Dashes anywhere are accepted")]
    public void Normalize_accepts_what_people_type(string input)
    {
        Assert.That(RecoveryCodes.Normalize(input), Is.EqualTo("abcdefghjk"));
    }

    [TestCase("abcde-fghj", TestName = "Nine characters are refused")]
    [TestCase("abcde-fghjkm", TestName = "Eleven characters are refused")]
    [TestCase("abcde-fghj0", TestName = "The digit 0 is refused")]
    [TestCase("abcde-fghjo", TestName = "The letter o is refused")]
    [TestCase("abcde-fghj1", TestName = "The digit 1 is refused")]
    [TestCase("abcde-fghji", TestName = "The letter i is refused")]
    [TestCase("abcde-fghjl", TestName = "The letter l is refused")]
    [TestCase("ABCDE-FGHJL", TestName = "The upper-case letter L is refused")]
    [TestCase("abcde_fghjk", TestName = "An underscore is refused")]
    [TestCase("abcde-fghjé", TestName = "A non-ASCII letter is refused")]
    [TestCase("", TestName = "An empty code is refused")]
    [TestCase(null, TestName = "A missing code is refused")]
    public void Normalize_refuses_anything_else(string? input)
    {
        Assert.That(RecoveryCodes.Normalize(input), Is.Null);
    }

    [TestCase("abcdefghjk", "22f3f00d7f9cfe6eeefa9b71bdcb093a9080fcf4981d2dbf932648fa15a2d793")]
    [TestCase("k7m2p9x3qr", "bbf589dde43d4c4fb15e67242e38bffffd6054af8e981803d162678a5dbff0db")]
    public void The_hash_is_sha256_of_the_normalized_code(string normalized, string sha256Hex)
    {
        Assert.That(Convert.ToHexStringLower(RecoveryCodes.Hash(normalized)), Is.EqualTo(sha256Hex));
    }

    [TestCase("abcde-fghjk", TestName = "The displayed form is not hashed")]
    [TestCase("ABCDEFGHJK", TestName = "An upper-case form is not hashed")]
    public void Hash_refuses_a_code_that_is_not_normalized(string code)
    {
        Assert.That(() => RecoveryCodes.Hash(code), Throws.ArgumentException);
    }

    [Test]
    public void A_typed_code_hashes_like_the_generated_one()
    {
        string code = RecoveryCodes.Generate()[0];
        string typed = $" {code.ToUpperInvariant().Replace("-", " ", StringComparison.Ordinal)} ";

        Assert.That(RecoveryCodes.Hash(RecoveryCodes.Normalize(typed)!), Is.EqualTo(RecoveryCodes.Hash(RecoveryCodes.Normalize(code)!)));
    }
}
