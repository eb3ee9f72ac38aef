using System.Globalization;
using System.Text;

namespace Clavex.Server.Login;

/// <summary>
/// An Argon2id hash in the PHC string format, exactly as libsodium and the argon2 reference implementation write it:
/// <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>, salt and hash in standard base64 without padding.
/// Parsing accepts only that shape (the PHC spec's canonical form) and only what libsodium can recompute.
/// </summary>
internal sealed class Argon2idPhcString
{
    public const string Prefix = "$argon2id$v=19$";

    /// <summary>libsodium's <c>crypto_pwhash_SALTBYTES</c>: the only salt length it takes.</summary>
    public const int SaltBytes = 16;

    public const int MinHashBytes = 16;

    public const int MaxHashBytes = 64;

    // Longest accepted: prefix, "m=262144,t=16,p=1", a 16-byte salt and a 64-byte hash with their separators.
    private const int MaxLength = 160;

    public Argon2idPhcString(Argon2idParameters parameters, byte[] salt, byte[] hash)
    {
        Parameters = parameters;
        Salt = salt;
        Hash = hash;
    }

    public Argon2idParameters Parameters { get; }

    public byte[] Salt { get; }

    public byte[] Hash { get; }

    public static string Format(Argon2idParameters parameters, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}m={parameters.MemoryKib},t={parameters.Iterations},p={parameters.Parallelism}${EncodeUnpadded(salt)}${EncodeUnpadded(hash)}");

    /// <summary>Never throws: anything that is not a hash this server can check is simply not parsed.</summary>
    public static bool TryParse(string? text, out Argon2idPhcString? result)
    {
        result = null;
        if (text is null || text.Length > MaxLength || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        // Argon2's PHC entry: the version, then m, t, p in that order; the optional keyid and data are refused.
        ReadOnlySpan<char> rest = text.AsSpan(Prefix.Length);
        if (!TryTakeDecimal(ref rest, "m=", ',', out int memory)
            || !TryTakeDecimal(ref rest, "t=", ',', out int iterations)
            || !TryTakeDecimal(ref rest, "p=", '$', out int parallelism))
        {
            return false;
        }

        var parameters = new Argon2idParameters(memory, iterations, parallelism);
        int separator = rest.IndexOf('$');
        if (!parameters.IsSupported || separator < 0)
        {
            return false;
        }

        byte[]? salt = DecodeUnpadded(rest[..separator]);
        byte[]? hash = DecodeUnpadded(rest[(separator + 1)..]);
        if (salt is not { Length: SaltBytes } || hash is not { Length: >= MinHashBytes and <= MaxHashBytes })
        {
            return false;
        }

        result = new Argon2idPhcString(parameters, salt, hash);
        return true;
    }

    /// <summary>
    /// PHC string format, "Decimal Encoding": ASCII digits, no sign, no leading zero, within 32 bits.
    /// </summary>
    private static bool TryTakeDecimal(ref ReadOnlySpan<char> text, string name, char terminator, out int value)
    {
        value = 0;
        if (!text.StartsWith(name, StringComparison.Ordinal))
        {
            return false;
        }

        text = text[name.Length..];
        int end = text.IndexOf(terminator);
        if (end is < 1 or > 9 || (end > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (char c in text[..end])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        text = text[(end + 1)..];
        return true;
    }

    private static string EncodeUnpadded(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>
    /// PHC string format, "B64": the standard alphabet without padding. Only the canonical encoding is taken
    /// (no whitespace, no '=', zero trailing bits), so each hash has one spelling.
    /// </summary>
    private static byte[]? DecodeUnpadded(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length % 4 == 1)
        {
            return null;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '/')
            {
                return null;
            }
        }

        var padded = new StringBuilder(text.Length + 3).Append(text).Append('=', (4 - (text.Length % 4)) % 4);
        var bytes = new byte[text.Length * 3 / 4];
        if (!Convert.TryFromBase64String(padded.ToString(), bytes, out int written) || written != bytes.Length)
        {
            return null;
        }

        return text.SequenceEqual(EncodeUnpadded(bytes)) ? bytes : null;
    }
}
