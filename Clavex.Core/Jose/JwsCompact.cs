using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Clavex.Core.Jose;

/// <summary>JWS compact serialization (RFC 7515 §7.1): <c>BASE64URL(header).BASE64URL(payload).BASE64URL(signature)</c>.</summary>
public static class JwsCompact
{
    private const int StackSignatureLimit = 512;

    /// <summary>
    /// Signs <paramref name="payload"/> under an already base64url-encoded protected header and returns the
    /// compact serialization. The only allocation is the returned string.
    /// </summary>
    public static string Sign(ReadOnlySpan<byte> encodedHeader, ReadOnlySpan<byte> payload, JwsKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.HasPrivateKey)
        {
            throw new InvalidOperationException($"Key '{key.KeyId}' has no private part and cannot sign.");
        }

        int signatureSize = key.SignatureSize;
        int signingInputLength = encodedHeader.Length + 1 + Base64UrlEncoding.GetEncodedLength(payload.Length);
        int totalLength = signingInputLength + 1 + Base64UrlEncoding.GetEncodedLength(signatureSize);

        byte[] rentedToken = ArrayPool<byte>.Shared.Rent(totalLength);
        byte[]? rentedSignature = null;
        Span<byte> signature = signatureSize <= StackSignatureLimit
            ? stackalloc byte[StackSignatureLimit]
            : (rentedSignature = ArrayPool<byte>.Shared.Rent(signatureSize));
        try
        {
            Span<byte> token = rentedToken.AsSpan(0, totalLength);
            encodedHeader.CopyTo(token);
            int position = encodedHeader.Length;
            token[position++] = (byte)'.';
            position += Base64UrlEncoding.Encode(payload, token[position..]);
            Debug.Assert(position == signingInputLength);

            if (!key.TrySign(token[..position], signature, out int signatureWritten) || signatureWritten != signatureSize)
            {
                throw new CryptographicSigningException(key.KeyId);
            }

            token[position++] = (byte)'.';
            position += Base64UrlEncoding.Encode(signature[..signatureSize], token[position..]);
            Debug.Assert(position == totalLength);

            // Every byte is base64url or '.', so ASCII decoding is exact.
            return Encoding.ASCII.GetString(token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rentedToken);
            if (rentedSignature is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedSignature);
            }
        }
    }

    /// <summary>Signs under the key's cached <c>{"alg","kid","typ"}</c> header.</summary>
    public static string Sign(ReadOnlySpan<byte> payload, JwsKey key, JwtType type)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(type);
        return Sign(key.GetEncodedHeader(type), payload, key);
    }
}

/// <summary>The platform refused to sign: a broken key or provider, never bad input.</summary>
public sealed class CryptographicSigningException : Exception
{
    public CryptographicSigningException()
    {
    }

    public CryptographicSigningException(string keyId)
        : base($"Signing with key '{keyId}' failed.")
    {
    }

    public CryptographicSigningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
