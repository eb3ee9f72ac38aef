using System.Security.Cryptography;

namespace Clavex.Tests.Support;

/// <summary>
/// An authenticator app for tests, written apart from Clavex.Core's: RFC 6238 codes from a secret, and the RFC 4648
/// base32 the enrolment page shows the secret in.
/// </summary>
internal static class TestTotp
{
    /// <summary>RFC 6238 with HMAC-SHA-1 and 6 digits, written apart from Clavex.Core's (RFC 4226 §5.3 truncation).</summary>
    public static string CodeAtStep(byte[] secret, long step)
    {
        byte[] counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

#pragma warning disable CA5350 // HMAC-SHA-1 is what RFC 6238 and every authenticator app use; HMAC does not rely on SHA-1's collision resistance.
        byte[] mac = HMACSHA1.HashData(secret, counter);
#pragma warning restore CA5350
        int offset = mac[^1] & 0x0f;
        int binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
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
    public static string Code(byte[] secret, DateTimeOffset now, long stepsFromNow = 0) => CodeAtStep(secret, (now.ToUnixTimeSeconds() / 30) + stepsFromNow);
}
