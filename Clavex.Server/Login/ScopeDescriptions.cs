namespace Clavex.Server.Login;

/// <summary>What each scope lets the client do, in the words the consent page shows (OIDC Core §5.4 scopes).</summary>
public static class ScopeDescriptions
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["openid"] = "Sign you in",
        ["profile"] = "Your name and username",
        ["email"] = "Your email address",
        ["groups"] = "Your group memberships",
        ["offline_access"] = "Stay signed in",
        ["phone"] = "Your phone number",
        ["address"] = "Your postal address",
    };

    /// <summary>The plain-words description, or <c>null</c> for a scope this server has no words for.</summary>
    public static string? For(string scope) => Known.GetValueOrDefault(scope);
}
