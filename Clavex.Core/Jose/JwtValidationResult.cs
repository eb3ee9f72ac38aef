using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>
/// The outcome of validating a JWT and, when valid, its verified payload. Dispose it to return the payload's
/// pooled memory; refusals are shared instances that own nothing.
/// </summary>
public sealed class JwtValidationResult : IDisposable
{
    private static readonly JwtValidationResult[] s_failures = CreateFailures();

    private readonly JsonDocument? _payload;

    private JwtValidationResult(JwtValidationOutcome outcome, JsonDocument? payload, JwsKey? key)
    {
        Outcome = outcome;
        _payload = payload;
        Key = key;
    }

    public JwtValidationOutcome Outcome { get; }

    public bool IsValid => Outcome == JwtValidationOutcome.Valid;

    /// <summary>The key that verified the signature; null for refusals.</summary>
    public JwsKey? Key { get; }

    /// <summary>The verified claims. Only a valid result has them.</summary>
    public JsonElement Payload => _payload?.RootElement
        ?? throw new InvalidOperationException($"A token refused with {Outcome} has no trusted payload.");

    public void Dispose() => _payload?.Dispose();

    internal static JwtValidationResult Failure(JwtValidationOutcome outcome) => s_failures[(int)outcome];

    internal static JwtValidationResult Success(JsonDocument payload, JwsKey key) => new(JwtValidationOutcome.Valid, payload, key);

    private static JwtValidationResult[] CreateFailures()
    {
        var outcomes = Enum.GetValues<JwtValidationOutcome>();
        var failures = new JwtValidationResult[outcomes.Length];
        foreach (JwtValidationOutcome outcome in outcomes)
        {
            failures[(int)outcome] = new JwtValidationResult(outcome, null, null);
        }

        return failures;
    }
}
