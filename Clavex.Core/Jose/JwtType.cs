namespace Clavex.Core.Jose;

/// <summary>
/// The JOSE <c>typ</c> header of a token Clavex issues (RFC 8725 §3.11 explicit typing). The two well-known
/// types have a slot in each key's header cache, so their header bytes are built once per key.
/// </summary>
public sealed class JwtType
{
    /// <summary><c>JWT</c>: ID tokens (OIDC Core §2).</summary>
    public static readonly JwtType Jwt = new("JWT", 0);

    /// <summary><c>at+jwt</c>: JWT access tokens (RFC 9068 §2.1).</summary>
    public static readonly JwtType AccessToken = new("at+jwt", 1);

    internal const int CachedCount = 2;

    private JwtType(string name, int cacheSlot)
    {
        Name = name;
        CacheSlot = cacheSlot;
    }

    public string Name { get; }

    /// <summary>Index into a key's header cache, or -1 for a type built on every use.</summary>
    internal int CacheSlot { get; }

    public static JwtType Custom(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new JwtType(name, -1);
    }

    /// <summary>
    /// RFC 7515 §4.1.9: <c>typ</c> is a media type compared case-insensitively, and the <c>application/</c>
    /// prefix may be omitted, so <c>application/at+jwt</c> and <c>AT+JWT</c> both match <c>at+jwt</c>.
    /// </summary>
    public bool Matches(ReadOnlySpan<char> headerValue)
    {
        const string Prefix = "application/";
        if (headerValue.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && headerValue.IndexOf('/') == Prefix.Length - 1)
        {
            headerValue = headerValue[Prefix.Length..];
        }

        return headerValue.Equals(Name, StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() => Name;
}
