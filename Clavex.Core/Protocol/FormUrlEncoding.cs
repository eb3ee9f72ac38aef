using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Clavex.Core.Protocol;

/// <summary>Strict decoding of <c>application/x-www-form-urlencoded</c> values (WHATWG URL §5.1), UTF-8 only.</summary>
internal static class FormUrlEncoding
{
    private const int StackLimit = 256;

    /// <summary>
    /// Decodes <c>+</c> to a space and <c>%XX</c> to the byte XX, then the bytes as UTF-8. Unlike
    /// <c>WebUtility.UrlDecode</c>, which passes a broken escape through unchanged, a <c>%</c> not followed by two hex
    /// digits or bytes that are not UTF-8 make it return false.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out string? decoded)
    {
        decoded = null;
        byte[]? rented = null;
        Span<byte> buffer = encoded.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            int length = 0;
            for (int i = 0; i < encoded.Length; i++)
            {
                byte b = encoded[i];
                if (b == (byte)'+')
                {
                    b = (byte)' ';
                }
                else if (b == (byte)'%')
                {
                    if (i + 2 >= encoded.Length)
                    {
                        return false;
                    }

                    int high = HexValue(encoded[i + 1]), low = HexValue(encoded[i + 2]);
                    if ((high | low) < 0)
                    {
                        return false;
                    }

                    b = (byte)((high << 4) | low);
                    i += 2;
                }

                buffer[length++] = b;
            }

            Span<byte> bytes = buffer[..length];
            if (!Utf8.IsValid(bytes))
            {
                return false;
            }

            decoded = Encoding.UTF8.GetString(bytes);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
