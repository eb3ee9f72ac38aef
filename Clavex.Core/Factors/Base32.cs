namespace Clavex.Core.Factors;

/// <summary>
/// Base32 (RFC 4648 §6), the encoding of TOTP secrets in <c>otpauth</c> URIs and in the text authenticator apps
/// let a user type instead of scanning.
/// </summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>
    /// RFC 4648 §6 alphabet without the trailing '=' padding: the Key Uri Format's secret is unpadded, and some apps
    /// refuse padding.
    /// </summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return string.Empty;
        }

        // RFC 4648 §6: each 5-bit group is one character; the final partial group is padded with zero bits.
        int length = checked((int)(((long)data.Length * 8 + 4) / 5));
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        int bits = 0;
        int buffer = 0;
        int written = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[written++] = Alphabet[(buffer >> bits) & 31];
            }
        }

        if (bits > 0)
        {
            chars[written++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars[..written]);
    }

    /// <summary>
    /// RFC 4648 §6, read as people type it: letters in either case; spaces and '-' (apps show secrets in groups) are
    /// skipped and trailing '=' padding is allowed. Anything else is refused, as are the lengths §6 cannot produce
    /// (1, 3 or 6 characters past a multiple of 8) and non-zero bits after the last byte (RFC 4648 §3.5), so each
    /// byte string has one accepted spelling up to case, grouping and padding.
    /// </summary>
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text is null)
        {
            return false;
        }

        var result = new byte[text.Length * 5 / 8];
        int bits = 0;
        int buffer = 0;
        int count = 0;
        int written = 0;
        bool padding = false;
        foreach (char c in text)
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            if (c == '=')
            {
                padding = true;
                continue;
            }

            int value = ValueOf(c);
            if (value < 0 || padding)
            {
                return false;
            }

            count++;
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                result[written++] = (byte)(buffer >> bits);
            }

            buffer &= (1 << bits) - 1;
        }

        if (count % 8 is 1 or 3 or 6 || buffer != 0)
        {
            return false;
        }

        bytes = written == result.Length ? result : result[..written];
        return true;
    }

    private static int ValueOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };
}
