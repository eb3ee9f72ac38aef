using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Clavex.Core.Factors;

/// <summary>Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), as authenticator apps compute them.</summary>
public static class Totp
{
    /// <summary>RFC 4226 §4 R6: at least 128 bits, 160 recommended; 160 is what authenticator apps expect.</summary>
    public const int SecretBytes = 20;

    /// <summary>RFC 4226 §5.3: six digits, the length every authenticator app shows by default.</summary>
    public const int Digits = 6;

    /// <summary>RFC 6238 §5.2: one step either way absorbs clock drift and the time the user takes to type.</summary>
    public const int AllowedSkewSteps = 1;

    private const int MinDigits = 6;
    private const int MaxDigits = 8;
    private const int MaxHashBytes = 64;

    /// <summary>RFC 6238 §4.1 X: the default time step of 30 seconds.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private static readonly long StepSeconds = (long)Step.TotalSeconds;

    /// <summary>RFC 4226 §7.5: a random shared secret of <see cref="SecretBytes"/> bytes from a cryptographically strong generator.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>RFC 6238 §4.2: <c>T = floor((Current Unix time − T0) / X)</c> with T0 = 0 and X = 30 seconds.</summary>
    public static long StepAt(DateTimeOffset time) => long.DivRem(time.ToUnixTimeSeconds(), StepSeconds) switch
    {
        (long quotient, < 0) => quotient - 1,
        (long quotient, _) => quotient,
    };

    /// <summary>
    /// RFC 6238 §4.2: <c>TOTP = HOTP(K, T)</c>, and RFC 4226 §5.3: HMAC of the 8-byte big-endian counter, dynamic
    /// truncation to 31 bits, the low <paramref name="digits"/> decimal digits zero-padded. HMAC-SHA1 unless
    /// <paramref name="algorithm"/> is SHA256 or SHA512 (RFC 6238 §1.2).
    /// </summary>
    public static string Compute(ReadOnlySpan<byte> secret, long step, int digits = Digits, HashAlgorithmName? algorithm = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, MinDigits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, MaxDigits);
        HashAlgorithmName name = algorithm ?? HashAlgorithmName.SHA1;
        if (name != HashAlgorithmName.SHA1 && name != HashAlgorithmName.SHA256 && name != HashAlgorithmName.SHA512)
        {
            throw new ArgumentException("TOTP is defined over HMAC-SHA1, HMAC-SHA256 or HMAC-SHA512 (RFC 6238 §1.2).", nameof(algorithm));
        }

        Span<char> code = stackalloc char[MaxDigits];
        WriteCode(secret, step, digits, name, code[..digits]);
        return new string(code[..digits]);
    }

    /// <summary>
    /// RFC 6238 §5.2: accepts <paramref name="code"/> (six ASCII digits; whitespace such as the space apps show in
    /// "123 456" is ignored) if it is the code of the current step or of one within <see cref="AllowedSkewSteps"/>,
    /// and returns that step. RFC 6238 §5.2 also requires that a code be accepted only once, so a step not after
    /// <paramref name="lastUsedStep"/> is refused; the caller stores the returned step as the new last used step.
    /// The three candidates are all computed and compared in constant time, so timing does not show which matched.
    /// </summary>
    public static long? Verify(ReadOnlySpan<byte> secret, string? code, DateTimeOffset now, long lastUsedStep)
    {
        Span<byte> submitted = stackalloc byte[Digits];
        if (!TryReadCode(code, submitted))
        {
            return null;
        }

        long current = StepAt(now);
        Span<char> expectedChars = stackalloc char[Digits];
        Span<byte> expected = stackalloc byte[Digits];
        long matchedStep = -1;
        bool matched = false;
        for (long candidate = current - AllowedSkewSteps; candidate <= current + AllowedSkewSteps; candidate++)
        {
            WriteCode(secret, candidate, Digits, HashAlgorithmName.SHA1, expectedChars);
            for (int i = 0; i < Digits; i++)
            {
                expected[i] = (byte)expectedChars[i];
            }

            // Non-short-circuit '&': every candidate costs the same whether or not an earlier one matched.
            bool accepted = CryptographicOperations.FixedTimeEquals(expected, submitted) & (candidate > lastUsedStep) & (candidate >= 0);
            if (accepted)
            {
                // The latest matching step wins, so the stored last used step can only move forward.
                matchedStep = candidate;
                matched = true;
            }
        }

        return matched ? matchedStep : null;
    }

    /// <summary>
    /// The Key Uri Format that Google Authenticator and the other apps read from the QR code:
    /// <c>otpauth://totp/Issuer:account?secret=…&amp;issuer=Issuer&amp;algorithm=SHA1&amp;digits=6&amp;period=30</c>, with
    /// the secret in unpadded Base32 (RFC 4648 §6) and label and issuer percent-encoded (RFC 3986 §2.1).
    /// </summary>
    public static string OtpAuthUri(string issuer, string accountName, ReadOnlySpan<byte> secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        string encodedIssuer = Uri.EscapeDataString(issuer);
        return $"otpauth://totp/{encodedIssuer}:{Uri.EscapeDataString(accountName)}?secret={Base32.Encode(secret)}"
            + $"&issuer={encodedIssuer}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
    }

    private static bool TryReadCode(string? code, Span<byte> digits)
    {
        if (code is null)
        {
            return false;
        }

        int count = 0;
        foreach (char c in code)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            // char.IsAsciiDigit, not char.IsDigit: other scripts' digits are not what the app showed.
            if (!char.IsAsciiDigit(c) || count == digits.Length)
            {
                return false;
            }

            digits[count++] = (byte)c;
        }

        return count == digits.Length;
    }

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms",
        Justification = "RFC 6238 and every authenticator app default to HMAC-SHA1; HMAC's security does not rest on SHA-1's collision resistance (RFC 6194 on HMAC-SHA-1).")]
    private static void WriteCode(ReadOnlySpan<byte> secret, long step, int digits, HashAlgorithmName algorithm, Span<char> destination)
    {
        Debug.Assert(destination.Length == digits);

        // RFC 4226 §5.1: the counter C is 8 bytes, high-order byte first.
        Span<byte> counter = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);

        Span<byte> hash = stackalloc byte[MaxHashBytes];
        int hashLength = algorithm == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(secret, counter, hash)
            : algorithm == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(secret, counter, hash)
            : HMACSHA1.HashData(secret, counter, hash);

        // RFC 4226 §5.3 dynamic truncation: the low 4 bits of the last byte choose where 31 bits are read. RFC 6238
        // Appendix A applies the same rule to the longer SHA-256 and SHA-512 outputs.
        int offset = hash[hashLength - 1] & 0x0f;
        int binary = (int)(BinaryPrimitives.ReadUInt32BigEndian(hash[offset..]) & 0x7fffffff);

        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = (char)('0' + (binary % 10));
            binary /= 10;
        }
    }
}
