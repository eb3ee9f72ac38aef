using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>The members of a JOSE header that validation looks at; everything else is ignored.</summary>
internal readonly struct JwsHeader
{
    public JwsAlgorithm Algorithm { get; init; }

    public string? KeyId { get; init; }

    public string? Type { get; init; }

    public static JwtValidationOutcome TryRead(ReadOnlySpan<byte> json, out JwsHeader header)
    {
        header = default;
        try
        {
            return Read(json, out header);
        }
        catch (JsonException)
        {
            // Utf8JsonReader reports malformed JSON only by throwing.
            return JwtValidationOutcome.InvalidHeader;
        }
        catch (InvalidOperationException)
        {
            // GetString throws this for a string that is not UTF-8 or escapes a lone surrogate ("\ud800"); issue 16.
            return JwtValidationOutcome.InvalidHeader;
        }
    }

    private static JwtValidationOutcome Read(ReadOnlySpan<byte> json, out JwsHeader header)
    {
        header = default;
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return JwtValidationOutcome.InvalidHeader;
        }

        string? algorithmName = null;
        string? keyId = null;
        string? type = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // RFC 7515 §4: duplicate names must be rejected (or the last used). Only the members we act on matter.
            if (reader.ValueTextEquals("alg"u8))
            {
                if (algorithmName is not null || !TryReadString(ref reader, out algorithmName))
                {
                    return JwtValidationOutcome.InvalidHeader;
                }
            }
            else if (reader.ValueTextEquals("kid"u8))
            {
                if (keyId is not null || !TryReadString(ref reader, out keyId))
                {
                    return JwtValidationOutcome.InvalidHeader;
                }
            }
            else if (reader.ValueTextEquals("typ"u8))
            {
                if (type is not null || !TryReadString(ref reader, out type))
                {
                    return JwtValidationOutcome.InvalidHeader;
                }
            }
            else if (reader.ValueTextEquals("crit"u8))
            {
                // RFC 7515 §4.1.11: a recipient that does not understand a listed extension must reject the JWS.
                return JwtValidationOutcome.UnsupportedCriticalHeader;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return JwtValidationOutcome.InvalidHeader;
        }

        if (algorithmName is null)
        {
            return JwtValidationOutcome.InvalidHeader;
        }

        // "none", an unknown name and a known one in the wrong case all end here.
        if (!JwsAlgorithms.TryParse(algorithmName, out JwsAlgorithm algorithm))
        {
            return JwtValidationOutcome.AlgorithmNotAllowed;
        }

        header = new JwsHeader { Algorithm = algorithm, KeyId = keyId, Type = type };
        return JwtValidationOutcome.Valid;
    }

    private static bool TryReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = reader.GetString();
        return true;
    }
}
