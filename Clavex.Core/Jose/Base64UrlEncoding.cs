using System.Buffers.Text;
using System.Numerics;

namespace Clavex.Core.Jose;

/// <summary>
/// Base64url without padding (RFC 7515 §2, RFC 4648 §5). Decoding is strict: padding, whitespace,
/// characters outside the URL-safe alphabet, impossible lengths and non-zero trailing bits are all
/// refused, so every byte string has exactly one accepted encoding (no signature malleability).
/// </summary>
public static class Base64UrlEncoding
{
    // 0..63 for alphabet characters, -1 for everything else.
    private static ReadOnlySpan<sbyte> DecodeMap =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
        52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
        -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
        15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
        -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
        41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    ];

    public static int GetEncodedLength(int byteCount) => Base64Url.GetEncodedLength(byteCount);

    /// <summary>Upper bound of the decoded size; exact for every input <see cref="TryDecode(ReadOnlySpan{char}, Span{byte}, out int)"/> accepts.</summary>
    public static int GetDecodedLength(int encodedLength) => (encodedLength / 4 * 3) + ((encodedLength % 4) switch { 2 => 1, 3 => 2, _ => 0 });

    public static int Encode(ReadOnlySpan<byte> source, Span<byte> utf8Destination) => Base64Url.EncodeToUtf8(source, utf8Destination);

    public static string Encode(ReadOnlySpan<byte> source) => Base64Url.EncodeToString(source);

    public static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten) =>
        TryDecodeCore(source, destination, out bytesWritten);

    public static bool TryDecode(ReadOnlySpan<byte> utf8Source, Span<byte> destination, out int bytesWritten) =>
        TryDecodeCore(utf8Source, destination, out bytesWritten);

    /// <summary>Decodes into a new array; <c>null</c> when the input is not strict base64url.</summary>
    public static byte[]? DecodeOrNull(ReadOnlySpan<char> source)
    {
        if (source.Length % 4 == 1)
        {
            return null;
        }

        var result = new byte[GetDecodedLength(source.Length)];
        return TryDecodeCore(source, result, out _) ? result : null;
    }

    private static bool TryDecodeCore<TChar>(ReadOnlySpan<TChar> source, Span<byte> destination, out int bytesWritten)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        bytesWritten = 0;
        int remainder = source.Length % 4;
        if (remainder == 1)
        {
            return false;
        }

        int decodedLength = GetDecodedLength(source.Length);
        if (destination.Length < decodedLength)
        {
            return false;
        }

        ReadOnlySpan<sbyte> map = DecodeMap;
        int fullBlocks = source.Length - remainder;
        int d = 0;
        for (int i = 0; i < fullBlocks; i += 4)
        {
            int a = Lookup(map, source[i]), b = Lookup(map, source[i + 1]), c = Lookup(map, source[i + 2]), e = Lookup(map, source[i + 3]);
            if ((a | b | c | e) < 0)
            {
                return false;
            }

            int block = (a << 18) | (b << 12) | (c << 6) | e;
            destination[d] = (byte)(block >> 16);
            destination[d + 1] = (byte)(block >> 8);
            destination[d + 2] = (byte)block;
            d += 3;
        }

        if (remainder == 2)
        {
            int a = Lookup(map, source[fullBlocks]), b = Lookup(map, source[fullBlocks + 1]);
            // The last character carries 2 meaningful bits; the 4 unused ones must be zero.
            if ((a | b) < 0 || (b & 0x0F) != 0)
            {
                return false;
            }

            destination[d++] = (byte)((a << 2) | (b >> 4));
        }
        else if (remainder == 3)
        {
            int a = Lookup(map, source[fullBlocks]), b = Lookup(map, source[fullBlocks + 1]), c = Lookup(map, source[fullBlocks + 2]);
            if ((a | b | c) < 0 || (c & 0x03) != 0)
            {
                return false;
            }

            int block = (a << 10) | (b << 4) | (c >> 2);
            destination[d++] = (byte)(block >> 8);
            destination[d++] = (byte)block;
        }

        bytesWritten = d;
        return true;
    }

    private static int Lookup<TChar>(ReadOnlySpan<sbyte> map, TChar c)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        uint value = uint.CreateTruncating(c);
        return value < 128 ? map[(int)value] : -1;
    }
}
