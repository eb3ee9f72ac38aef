using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Clavex.Core.Protocol;

namespace Clavex.Core.Clients;

/// <summary>A client id and secret from an HTTP Basic <c>Authorization</c> header (RFC 6749 §2.3.1, RFC 7617).</summary>
public sealed record BasicCredentials(string ClientId, string ClientSecret)
{
    private const string Scheme = "Basic";
    private const int StackLimit = 512;

    /// <summary>
    /// Parses an <c>Authorization</c> header value <c>Basic base64(client_id ":" client_secret)</c>. Returns false for
    /// anything malformed: another scheme, bad base64, no <c>:</c>, an empty client id, a broken percent-escape or
    /// bytes that are not UTF-8.
    /// </summary>
    public static bool TryParse(string? authorizationHeader, [NotNullWhen(true)] out BasicCredentials? credentials)
    {
        credentials = null;

        // RFC 9110 §11.4: credentials = auth-scheme [ 1*SP token68 ]; the scheme is case-insensitive (§11.1).
        ReadOnlySpan<char> value = authorizationHeader.AsSpan().Trim(" \t");
        if (value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value[Scheme.Length] != ' ')
        {
            return false;
        }

        ReadOnlySpan<char> token = value[(Scheme.Length + 1)..].TrimStart(' ');
        if (!IsBase64(token))
        {
            return false;
        }

        int maxLength = token.Length / 4 * 3;
        byte[]? rented = null;
        Span<byte> buffer = maxLength <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        try
        {
            if (!Convert.TryFromBase64Chars(token, buffer, out int written))
            {
                return false;
            }

            // RFC 6749 §2.3.1: both halves are form-urlencoded before they are joined, so the first ':' is the separator
            // and a ':' in either value arrives as %3A. Decoding also leaves the raw UTF-8 of clients that skip the
            // encoding intact, as long as their values contain no '+' or '%'; Clavex's own ids and secrets never do.
            Span<byte> decoded = buffer[..written];
            int colon = decoded.IndexOf((byte)':');
            if (colon <= 0
                || !FormUrlEncoding.TryDecode(decoded[..colon], out string? clientId)
                || !FormUrlEncoding.TryDecode(decoded[(colon + 1)..], out string? clientSecret))
            {
                return false;
            }

            credentials = new BasicCredentials(clientId!, clientSecret!);
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

    /// <summary>Never prints the secret: records otherwise print every member, and this one reaches logs easily.</summary>
    public override string ToString() => $"{nameof(BasicCredentials)} {{ {nameof(ClientId)} = {ClientId} }}";

    // RFC 4648 §4 with padding. Convert would also skip whitespace inside the token, which token68 does not allow.
    private static bool IsBase64(ReadOnlySpan<char> token)
    {
        if (token.Length == 0 || token.Length % 4 != 0)
        {
            return false;
        }

        ReadOnlySpan<char> data = token.TrimEnd('=');
        if (token.Length - data.Length > 2)
        {
            return false;
        }

        foreach (char c in data)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/'))
            {
                return false;
            }
        }

        return true;
    }
}
