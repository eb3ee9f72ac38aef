using System.Security.Cryptography;
using Clavex.Core.Jose;

namespace Clavex.Core.Pkce;

/// <summary>Proof Key for Code Exchange (RFC 7636).</summary>
public static class CodeChallenge
{
    /// <summary>RFC 7636 §4.1: 43 to 128 characters.</summary>
    public const int MinVerifierLength = 43;

    public const int MaxVerifierLength = 128;

    /// <summary>A base64url SHA-256 digest is always 43 characters.</summary>
    public const int S256ChallengeLength = 43;

    public const string MethodS256 = "S256";

    public const string MethodPlain = "plain";

    /// <summary>RFC 7636 §4.1: <c>code-verifier = 43*128unreserved</c>, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".</summary>
    public static bool IsValidVerifier(ReadOnlySpan<char> verifier)
    {
        if (verifier.Length is < MinVerifierLength or > MaxVerifierLength)
        {
            return false;
        }

        foreach (char c in verifier)
        {
            if (!IsUnreserved(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An S256 challenge is the strict base64url form of 32 bytes.</summary>
    public static bool IsValidS256Challenge(ReadOnlySpan<char> challenge)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        return challenge.Length == S256ChallengeLength
            && Base64UrlEncoding.TryDecode(challenge, digest, out int written)
            && written == SHA256.HashSizeInBytes;
    }

    /// <summary>RFC 7636 §4.2: <c>BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))</c>.</summary>
    public static string CreateS256(ReadOnlySpan<char> verifier)
    {
        if (!IsValidVerifier(verifier))
        {
            throw new ArgumentException("A code verifier is 43 to 128 unreserved characters (RFC 7636 §4.1).", nameof(verifier));
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        HashVerifier(verifier, digest);
        return Base64UrlEncoding.Encode(digest);
    }

    /// <summary>
    /// RFC 7636 §4.6: recompute the challenge from the verifier and compare. The comparison takes the same time
    /// wherever the first difference is, so it leaks nothing about the stored challenge.
    /// </summary>
    public static bool VerifyS256(ReadOnlySpan<char> verifier, ReadOnlySpan<char> challenge)
    {
        if (!IsValidVerifier(verifier) || challenge.Length != S256ChallengeLength)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        HashVerifier(verifier, digest);
        Span<byte> expected = stackalloc byte[S256ChallengeLength];
        Base64UrlEncoding.Encode(digest, expected);

        Span<byte> actual = stackalloc byte[S256ChallengeLength];
        int nonAscii = 0;
        for (int i = 0; i < S256ChallengeLength; i++)
        {
            char c = challenge[i];
            nonAscii |= c >> 7;
            actual[i] = (byte)c;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual) & nonAscii == 0;
    }

    /// <summary>The <c>plain</c> method (RFC 7636 §4.6), only for clients explicitly allowed to use it.</summary>
    public static bool VerifyPlain(ReadOnlySpan<char> verifier, ReadOnlySpan<char> challenge)
    {
        if (!IsValidVerifier(verifier) || challenge.Length != verifier.Length)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(verifier),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(challenge));
    }

    private static void HashVerifier(ReadOnlySpan<char> verifier, Span<byte> digest)
    {
        // IsValidVerifier has established that every character is ASCII.
        Span<byte> ascii = stackalloc byte[MaxVerifierLength];
        for (int i = 0; i < verifier.Length; i++)
        {
            ascii[i] = (byte)verifier[i];
        }

        SHA256.HashData(ascii[..verifier.Length], digest);
    }

    private static bool IsUnreserved(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
