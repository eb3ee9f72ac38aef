using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Clavex.Core.Jose;

/// <summary>
/// Validates a compact JWS JWT. The header is only a hint: the algorithm must be on the caller's allow-list
/// and match the algorithm bound to the key, the key comes from the caller's key set (never from <c>jwk</c>,
/// <c>jku</c> or <c>x5u</c>), and no claim is read before the signature has been verified (RFC 8725 §3.1–3.2).
/// </summary>
public static class JwtValidator
{
    private static readonly JsonDocumentOptions s_payloadOptions = new()
    {
        // RFC 7519 §4: a JWT with duplicate claim names must be rejected (or the last one used; we reject).
        AllowDuplicateProperties = false,
        MaxDepth = 32,
    };

    public static JwtValidationResult Validate(ReadOnlySpan<char> token, JwtValidationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (token.Length > parameters.MaxTokenLength)
        {
            return Fail(JwtValidationOutcome.TokenTooLarge);
        }

        if (!TrySplit(token, out int firstDot, out int secondDot))
        {
            return Fail(JwtValidationOutcome.Malformed);
        }

        ReadOnlySpan<char> headerSegment = token[..firstDot];
        ReadOnlySpan<char> payloadSegment = token[(firstDot + 1)..secondDot];
        ReadOnlySpan<char> signatureSegment = token[(secondDot + 1)..];

        // One rental holds the decoded header, payload and signature and the ASCII signing input.
        int headerMax = Base64UrlEncoding.GetDecodedLength(headerSegment.Length);
        int payloadMax = Base64UrlEncoding.GetDecodedLength(payloadSegment.Length);
        int signatureMax = Base64UrlEncoding.GetDecodedLength(signatureSegment.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(headerMax + payloadMax + signatureMax + secondDot);
        try
        {
            Span<byte> work = rented;
            if (!Base64UrlEncoding.TryDecode(headerSegment, work[..headerMax], out int headerLength)
                || !Base64UrlEncoding.TryDecode(payloadSegment, work.Slice(headerMax, payloadMax), out int payloadLength)
                || !Base64UrlEncoding.TryDecode(signatureSegment, work.Slice(headerMax + payloadMax, signatureMax), out int signatureLength))
            {
                return Fail(JwtValidationOutcome.InvalidBase64Url);
            }

            ReadOnlySpan<byte> header = work[..headerLength];
            ReadOnlySpan<byte> payload = work.Slice(headerMax, payloadLength);
            ReadOnlySpan<byte> signature = work.Slice(headerMax + payloadMax, signatureLength);

            JwtValidationOutcome outcome = JwsHeader.TryRead(header, out JwsHeader parsedHeader);
            if (outcome != JwtValidationOutcome.Valid)
            {
                return Fail(outcome);
            }

            if (!IsAllowed(parsedHeader.Algorithm, parameters.AllowedAlgorithms))
            {
                return Fail(JwtValidationOutcome.AlgorithmNotAllowed);
            }

            // Both segments decoded as base64url, so they are ASCII and the byte count equals the char count.
            Span<byte> signingInput = work.Slice(headerMax + payloadMax + signatureMax, secondDot);
            Encoding.ASCII.GetBytes(token[..secondDot], signingInput);

            outcome = VerifySignature(parsedHeader, signingInput, signature, parameters.Keys, out JwsKey? key);
            if (outcome != JwtValidationOutcome.Valid)
            {
                return Fail(outcome);
            }

            if (parameters.RequiredType is { } requiredType
                && (parsedHeader.Type is null || !requiredType.Matches(parsedHeader.Type)))
            {
                return Fail(JwtValidationOutcome.InvalidType);
            }

            return ValidateClaims(payload, key!, parameters);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TrySplit(ReadOnlySpan<char> token, out int firstDot, out int secondDot)
    {
        secondDot = -1;
        firstDot = token.IndexOf('.');
        if (firstDot < 0)
        {
            return false;
        }

        int next = token[(firstDot + 1)..].IndexOf('.');
        if (next < 0)
        {
            return false;
        }

        secondDot = firstDot + 1 + next;
        return !token[(secondDot + 1)..].Contains('.');
    }

    private static bool IsAllowed(JwsAlgorithm algorithm, IReadOnlyList<JwsAlgorithm> allowed)
    {
        for (int i = 0; i < allowed.Count; i++)
        {
            if (allowed[i] == algorithm)
            {
                return true;
            }
        }

        return false;
    }

    private static JwtValidationOutcome VerifySignature(
        in JwsHeader header, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature, JwsKeySet keys, out JwsKey? verifiedBy)
    {
        verifiedBy = null;
        if (header.KeyId is not null)
        {
            JwsKey? key = keys.FindByKeyId(header.KeyId);
            if (key is null)
            {
                return JwtValidationOutcome.KeyNotFound;
            }

            // The key decides the algorithm. An RSA key named by a token claiming HS256 stops here.
            if (key.Algorithm != header.Algorithm)
            {
                return JwtValidationOutcome.KeyAlgorithmMismatch;
            }

            if (!key.Verify(signingInput, signature))
            {
                return JwtValidationOutcome.InvalidSignature;
            }

            verifiedBy = key;
            return JwtValidationOutcome.Valid;
        }

        // Without a kid, any key bound to the token's algorithm may have signed it.
        bool anyCandidate = false;
        foreach (JwsKey key in keys.Keys)
        {
            if (key.Algorithm != header.Algorithm)
            {
                continue;
            }

            anyCandidate = true;
            if (key.Verify(signingInput, signature))
            {
                verifiedBy = key;
                return JwtValidationOutcome.Valid;
            }
        }

        return anyCandidate ? JwtValidationOutcome.InvalidSignature : JwtValidationOutcome.KeyNotFound;
    }

    private static JwtValidationResult ValidateClaims(ReadOnlySpan<byte> payload, JwsKey key, JwtValidationParameters parameters)
    {
        // RFC 7519 §7.2 step 10: the claims set is UTF-8 JSON. JsonDocument does not check the bytes of string
        // values, and reading one that is not UTF-8 would throw in whoever reads the claim (issue 16).
        if (!Utf8.IsValid(payload))
        {
            return Fail(JwtValidationOutcome.InvalidPayload);
        }

        JsonDocument document;
        try
        {
            // The document keeps a reference to its input, so it gets its own copy, not the pooled buffer.
            document = JsonDocument.Parse(payload.ToArray(), s_payloadOptions);
        }
        catch (JsonException)
        {
            // A correctly signed but unparsable payload: the only place a parser reports by exception.
            return Fail(JwtValidationOutcome.InvalidPayload);
        }
        catch (InvalidOperationException)
        {
            // The duplicate-name check unescapes every member name and throws for one escaping a lone surrogate
            // ({"\udc00":1}); issue 16.
            return Fail(JwtValidationOutcome.InvalidPayload);
        }

        JwtValidationOutcome outcome = JwtClaimsCheck.Run(document.RootElement, parameters);
        if (outcome != JwtValidationOutcome.Valid)
        {
            document.Dispose();
            return Fail(outcome);
        }

        return JwtValidationResult.Success(document, key);
    }

    private static JwtValidationResult Fail(JwtValidationOutcome outcome) => JwtValidationResult.Failure(outcome);
}
