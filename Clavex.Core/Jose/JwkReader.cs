using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>
/// Reads the public signing keys of a JWK Set (RFC 7517 §5), such as a client's registered <c>jwks</c>. Only what
/// Clavex verifies with is accepted: RSA keys of 2048 bits or more for RS256 or PS256, and P-256 keys for ES256. A
/// key with private members, a symmetric key, an unknown <c>kty</c>, <c>crv</c> or <c>alg</c>, a <c>use</c> other
/// than <c>sig</c>, or a member that is not strict base64url is refused with the reason, never skipped: a JWK Set
/// that silently loses a key fails later, far from its cause.
/// </summary>
public static class JwkReader
{
    // RFC 7518 §6.3.2 (RSA) and §6.2.2 (EC); "k" is §6.4.1's symmetric key, "oth" §6.3.2.7's other primes.
    private static readonly string[] s_privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    private static readonly string[] s_readMembers = ["kty", "use", "alg", "kid", "n", "e", "crv", "x", "y"];

    private const int P256CoordinateSize = 32;

    /// <summary>Reads <c>{"keys":[…]}</c>. Two keys with the same <c>kid</c> are refused: lookups would be ambiguous.</summary>
    public static bool TryReadKeySet(ReadOnlySpan<byte> json, [NotNullWhen(true)] out JwsKeySet? set, [NotNullWhen(false)] out string? error)
    {
        set = null;
        JsonDocument? document = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);

            // Anything but whitespace after the value makes Read throw.
            reader.Read();
        }
        catch (JsonException)
        {
            document?.Dispose();
            error = "The JWK Set is not valid JSON.";
            return false;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("keys"u8, out JsonElement keys)
                || keys.ValueKind != JsonValueKind.Array)
            {
                error = "A JWK Set is an object with a \"keys\" array (RFC 7517 §5).";
                return false;
            }

            var read = new List<JwsKey>(keys.GetArrayLength());
            int index = 0;
            foreach (JsonElement jwk in keys.EnumerateArray())
            {
                if (!TryReadKey(jwk, out JwsKey? key, out string? keyError))
                {
                    DisposeAll(read);
                    error = $"keys[{index}]: {keyError}";
                    return false;
                }

                if (FindByKeyId(read, key.KeyId) is not null)
                {
                    key.Dispose();
                    DisposeAll(read);
                    error = $"keys[{index}]: the kid '{key.KeyId}' is used by an earlier key.";
                    return false;
                }

                read.Add(key);
                index++;
            }

            set = new JwsKeySet(read);
            error = null;
            return true;
        }
    }

    /// <summary>Reads one public JWK (RFC 7517 §4) into a verification-only key, keeping its <c>kid</c>.</summary>
    public static bool TryReadKey(JsonElement jwk, [NotNullWhen(true)] out JwsKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            error = "A JWK is a JSON object.";
            return false;
        }

        Members members;
        try
        {
            if (!TryReadMembers(jwk, out members, out error))
            {
                return false;
            }
        }
        catch (InvalidOperationException)
        {
            // JsonDocument leaves string bytes unchecked; reading a name or value that is not UTF-8 or escapes a lone
            // surrogate throws (found by fuzzing, issue 16).
            error = "The JWK has a member name or value that is not UTF-8 text.";
            return false;
        }

        if (members.Kty is null)
        {
            error = "The JWK has no kty.";
            return false;
        }

        if (members.Kty == "oct")
        {
            error = "Symmetric (oct) keys are refused: a JWK Set holds public keys only.";
            return false;
        }

        if (members.PrivateMember is not null)
        {
            error = $"The JWK has the private member '{members.PrivateMember}': register the public key only.";
            return false;
        }

        if (members.Use is not null && members.Use != "sig")
        {
            error = $"The JWK's use is '{members.Use}'; only 'sig' keys verify signatures.";
            return false;
        }

        return members.Kty switch
        {
            "RSA" => TryReadRsa(members, out key, out error),
            "EC" => TryReadEc(members, out key, out error),
            _ => Refuse($"The kty '{members.Kty}' is not supported; use RSA or EC.", out key, out error),
        };
    }

    private static bool TryReadRsa(Members members, [NotNullWhen(true)] out JwsKey? key, [NotNullWhen(false)] out string? error)
    {
        JwsAlgorithm algorithm;
        switch (members.Alg)
        {
            case null or "RS256":
                algorithm = JwsAlgorithm.RS256;
                break;
            case "PS256":
                algorithm = JwsAlgorithm.PS256;
                break;
            default:
                return Refuse($"The alg '{members.Alg}' is not supported for RSA keys; use RS256 or PS256.", out key, out error);
        }

        if (!TryDecode(members.N, "n", out byte[]? modulus, out error) || !TryDecode(members.E, "e", out byte[]? exponent, out error))
        {
            key = null;
            return false;
        }

        // RFC 7518 §6.3.1.1: both are unsigned big-endian integers in the minimum number of octets.
        if (modulus[0] == 0 || exponent[0] == 0)
        {
            return Refuse("The RSA n and e must not have leading zero octets (RFC 7518 §6.3.1.1).", out key, out error);
        }

        int bits = ((modulus.Length - 1) * 8) + (32 - int.LeadingZeroCount(modulus[0]));
        if (bits < RsaJwsKey.MinimumKeySize)
        {
            return Refuse($"The RSA key has {bits} bits; at least {RsaJwsKey.MinimumKeySize} are required (RFC 7518 §3.3).", out key, out error);
        }

        try
        {
            key = RsaJwsKey.FromPublicKey(modulus, exponent, algorithm, members.Kid);
        }
        catch (CryptographicException)
        {
            return Refuse("The RSA n and e are not a valid public key.", out key, out error);
        }

        error = null;
        return true;
    }

    private static bool TryReadEc(Members members, [NotNullWhen(true)] out JwsKey? key, [NotNullWhen(false)] out string? error)
    {
        if (members.Alg is not (null or "ES256"))
        {
            return Refuse($"The alg '{members.Alg}' is not supported for EC keys; use ES256.", out key, out error);
        }

        if (members.Crv != "P-256")
        {
            return Refuse(members.Crv is null ? "The EC key has no crv." : $"The crv '{members.Crv}' is not supported; use P-256.", out key, out error);
        }

        if (!TryDecode(members.X, "x", out byte[]? x, out error) || !TryDecode(members.Y, "y", out byte[]? y, out error))
        {
            key = null;
            return false;
        }

        // RFC 7518 §6.2.1.2: the full coordinate length, leading zeros included.
        if (x.Length != P256CoordinateSize || y.Length != P256CoordinateSize)
        {
            return Refuse($"P-256 coordinates x and y are {P256CoordinateSize} octets each.", out key, out error);
        }

        try
        {
            key = EcJwsKey.FromPublicKey(x, y, members.Kid);
        }
        catch (CryptographicException)
        {
            return Refuse("The EC x and y are not a point on P-256.", out key, out error);
        }

        error = null;
        return true;
    }

    /// <summary>One pass over the members: duplicates and wrongly typed known members are refused.</summary>
    private static bool TryReadMembers(JsonElement jwk, out Members members, [NotNullWhen(false)] out string? error)
    {
        members = new Members();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in jwk.EnumerateObject())
        {
            string name = property.Name;
            if (Array.IndexOf(s_privateMembers, name) >= 0)
            {
                members.PrivateMember ??= name;
                continue;
            }

            if (Array.IndexOf(s_readMembers, name) < 0)
            {
                continue; // x5c, key_ops, ext …: not needed to verify, and harmless.
            }

            if (!seen.Add(name))
            {
                error = $"The JWK has the member '{name}' twice.";
                return false;
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                error = $"The JWK member '{name}' must be a string.";
                return false;
            }

            members.Set(name, property.Value.GetString()!);
        }

        error = null;
        return true;
    }

    private static bool TryDecode(string? value, string name, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = value is null ? null : Base64UrlEncoding.DecodeOrNull(value);
        if (bytes is { Length: > 0 })
        {
            error = null;
            return true;
        }

        bytes = null;
        error = value is null ? $"The JWK has no {name}." : $"The JWK member '{name}' is not base64url without padding.";
        return false;
    }

    private static bool Refuse(string reason, [NotNullWhen(true)] out JwsKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        error = reason;
        return false;
    }

    private static JwsKey? FindByKeyId(List<JwsKey> keys, string keyId)
    {
        foreach (JwsKey key in keys)
        {
            if (string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    private static void DisposeAll(List<JwsKey> keys)
    {
        foreach (JwsKey key in keys)
        {
            key.Dispose();
        }
    }

    private sealed class Members
    {
        public string? PrivateMember { get; set; }

        public string? Kty { get; private set; }

        public string? Use { get; private set; }

        public string? Alg { get; private set; }

        public string? Kid { get; private set; }

        public string? N { get; private set; }

        public string? E { get; private set; }

        public string? Crv { get; private set; }

        public string? X { get; private set; }

        public string? Y { get; private set; }

        public void Set(string name, string value)
        {
            switch (name)
            {
                case "kty": Kty = value; break;
                case "use": Use = value; break;
                case "alg": Alg = value; break;
                case "kid": Kid = value; break;
                case "n": N = value; break;
                case "e": E = value; break;
                case "crv": Crv = value; break;
                case "x": X = value; break;
                case "y": Y = value; break;
                default: throw new ArgumentOutOfRangeException(nameof(name));
            }
        }
    }
}
