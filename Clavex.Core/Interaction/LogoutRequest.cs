namespace Clavex.Core.Interaction;

/// <summary>
/// A validated RP-Initiated Logout request (OpenID Connect RP-Initiated Logout 1.0 §2): the client it comes from, a
/// registered return address, and the session the <c>id_token_hint</c> was issued for.
/// </summary>
public sealed record LogoutRequest(string? ClientId, string? PostLogoutRedirectUri, string? State, string? HintSessionId)
{
    /// <summary>§3: where the user agent goes afterwards, with <c>state</c> added; null: Clavex's own signed-out page.</summary>
    public string? ReturnLocation()
    {
        if (PostLogoutRedirectUri is null || State is null)
        {
            return PostLogoutRedirectUri;
        }

        string separator = PostLogoutRedirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return PostLogoutRedirectUri + separator + "state=" + Uri.EscapeDataString(State);
    }
}
