using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>Wire names of <see cref="JwsAlgorithm"/>, as UTF-8 and as strings.</summary>
public static class JwsAlgorithms
{
    public static string GetName(JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.RS256 => "RS256",
        JwsAlgorithm.PS256 => "PS256",
        JwsAlgorithm.ES256 => "ES256",
        JwsAlgorithm.HS256 => "HS256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static JsonEncodedText GetEncodedName(JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.RS256 => s_rs256,
        JwsAlgorithm.PS256 => s_ps256,
        JwsAlgorithm.ES256 => s_es256,
        JwsAlgorithm.HS256 => s_hs256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out JwsAlgorithm algorithm)
    {
        // Algorithm names are case-sensitive (RFC 7515 §4.1.1).
        algorithm = name switch
        {
            "RS256" => JwsAlgorithm.RS256,
            "PS256" => JwsAlgorithm.PS256,
            "ES256" => JwsAlgorithm.ES256,
            "HS256" => JwsAlgorithm.HS256,
            _ => 0,
        };
        return algorithm != 0;
    }

    public static bool IsSymmetric(JwsAlgorithm algorithm) => algorithm == JwsAlgorithm.HS256;

    private static readonly JsonEncodedText s_rs256 = JsonEncodedText.Encode("RS256");
    private static readonly JsonEncodedText s_ps256 = JsonEncodedText.Encode("PS256");
    private static readonly JsonEncodedText s_es256 = JsonEncodedText.Encode("ES256");
    private static readonly JsonEncodedText s_hs256 = JsonEncodedText.Encode("HS256");
}
