using System.Security.Cryptography;
using System.Text;

namespace Clavex.Core.Factors;

/// <summary>
/// Single-use recovery codes, the fallback second factor when the authenticator is lost. Only their hashes are
/// stored; the user sees the codes once, at enrolment.
/// </summary>
public static class RecoveryCodes
{
    public const int Count = 10;

    /// <summary>Characters per code, without the separator.</summary>
    public const int Length = 10;

    // Base32-like without the look-alikes 0/o, 1/i/l: 31 symbols, so a code carries 10 × log2(31) ≈ 49.5 bits.
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    private const int GroupLength = 5;

    /// <summary>
    /// <see cref="Count"/> distinct codes shown as <c>xxxxx-xxxxx</c>. Each character is drawn uniformly by
    /// <see cref="RandomNumberGenerator.GetString"/> (rejection sampling, no modulo bias).
    /// </summary>
    public static IReadOnlyList<string> Generate()
    {
        var codes = new List<string>(Count);
        while (codes.Count < Count)
        {
            string raw = RandomNumberGenerator.GetString(Alphabet, Length);
            string code = string.Concat(raw.AsSpan(0, GroupLength), "-", raw.AsSpan(GroupLength));

            // A repeat is a 2^-49 event, but a duplicate would make two stored hashes equal and one code unusable.
            if (!codes.Contains(code))
            {
                codes.Add(code);
            }
        }

        return codes;
    }

    /// <summary>
    /// The form that is hashed: lower case, without whitespace or '-', so a code typed in upper case or without the
    /// dash still matches. <c>null</c> unless exactly <see cref="Length"/> characters of the alphabet remain.
    /// </summary>
    public static string? Normalize(string? input)
    {
        if (input is null)
        {
            return null;
        }

        Span<char> normalized = stackalloc char[Length];
        int count = 0;
        foreach (char c in input)
        {
            if (c == '-' || char.IsWhiteSpace(c))
            {
                continue;
            }

            char lower = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            if (!Alphabet.Contains(lower, StringComparison.Ordinal) || count == Length)
            {
                return null;
            }

            normalized[count++] = lower;
        }

        return count == Length ? new string(normalized) : null;
    }

    /// <summary>
    /// SHA-256 of the UTF-8 <paramref name="normalized"/> code, as stored. Unsalted and fast on purpose, like client
    /// secrets: the codes are uniformly random (≈ 49.5 bits each), not chosen by people, so a slow salted password
    /// hash would add cost without adding entropy, and an unsalted hash lets a submitted code be found by an index
    /// lookup. A code is also useless without the password and works once. Throws unless the input is already in
    /// <see cref="Normalize"/> form, which catches hashing the displayed <c>xxxxx-xxxxx</c> form by mistake.
    /// </summary>
    public static byte[] Hash(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        if (Normalize(normalized) != normalized)
        {
            throw new ArgumentException("A recovery code is hashed in its normalized form (RecoveryCodes.Normalize).", nameof(normalized));
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(normalized));
    }

    /// <summary>The hashes of freshly generated codes, to store.</summary>
    public static IReadOnlyList<byte[]> HashAll(IReadOnlyList<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var hashes = new byte[codes.Count][];
        for (int i = 0; i < codes.Count; i++)
        {
            hashes[i] = Hash(Normalize(codes[i])!);
        }

        return hashes;
    }
}
