using System.Security.Cryptography;

namespace Clavex.Tests.Support;

/// <summary>
/// An authenticator app for tests, written apart from Clavex.Core's: RFC 6238 codes from a secret, and the RFC 4648
/// base32 the enrolment page shows the secret in.
/// </summary>
internal static class TestTotp
{
    /// <summary>
    /// RFC 6238 Appendix A transcribed independently of Clavex.Core's <c>Totp</c>: the HMAC classes, a counter built
    /// byte by byte, truncation by shifts (RFC 4226 §5.3) and the decimal code by formatting. Checked against every
    /// Appendix B vector in <c>Factors/TotpTests</c>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 6238's default HMAC, what every authenticator app uses.")]
    public static string Compute(byte[] key, long step, int digits = 6, string mode = "SHA1")
    {
        byte[] message = new byte[8];
        for (int i = 7; i >= 0; i--)
        {
            message[i] = (byte)(step & 0xff);
            step >>= 8;
        }

        using HMAC hmac = mode switch
        {
            "SHA1" => new HMACSHA1(key),
            "SHA256" => new HMACSHA256(key),
            "SHA512" => new HMACSHA512(key),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        byte[] hash = hmac.ComputeHash(message);
        int offset = hash[^1] & 0xf;
        int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16) | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
        int otp = binary % (int)Math.Pow(10, digits);
        return otp.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    public static byte[] FromBase32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (char c in text)
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }

    public static string Base32(byte[] data)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }

    /// <summary>The code of the time step <paramref name="stepsFromNow"/> steps after the one <paramref name="now"/> is in.</summary>
    public static string Code(byte[] secret, DateTimeOffset now, long stepsFromNow = 0) => Compute(secret, (now.ToUnixTimeSeconds() / 30) + stepsFromNow);
}
