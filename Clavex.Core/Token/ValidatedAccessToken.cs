using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;

namespace Clavex.Core.Token;

/// <summary>
/// What <see cref="AccessTokenValidator"/> found: the refusal (<see cref="Outcome"/>), or the claims the callers act on
/// (RFC 9068 §2.2). Dispose it to return the payload's pooled memory.
/// </summary>
public sealed class ValidatedAccessToken : IDisposable
{
    private readonly JwtValidationResult _validation;
    private IReadOnlyList<string>? _scopes;

    internal ValidatedAccessToken(JwtValidationResult validation)
    {
        _validation = validation;
        if (!validation.IsValid)
        {
            return;
        }

        JsonElement payload = validation.Payload;
        Subject = ReadString(payload, JwtClaimNames.Sub);
        ClientId = ReadString(payload, JwtClaimNames.ClientId);
        GrantId = ReadString(payload, JwtClaimNames.Gid);
    }

    public JwtValidationOutcome Outcome => _validation.Outcome;

    public bool IsValid => _validation.IsValid;

    public string? Subject { get; }

    public string? ClientId { get; }

    /// <summary>The grant the token came from; absent for client_credentials tokens, which have none.</summary>
    public string? GrantId { get; }

    /// <summary>The granted scopes, parsed when first asked for (introspection and revocation never ask), so before <see cref="Dispose"/>.</summary>
    public IReadOnlyList<string> Scopes => _scopes ??= IsValid ? ScopeList.Parse(ReadString(Payload, JwtClaimNames.Scope)) : [];

    /// <summary>Every verified claim, for introspection (RFC 7662 §2.2). Only a valid token has them.</summary>
    public JsonElement Payload => _validation.Payload;

    public void Dispose() => _validation.Dispose();

    private static string? ReadString(JsonElement payload, JsonEncodedText name) => JoseJson.ReadString(payload, name.EncodedUtf8Bytes);
}
