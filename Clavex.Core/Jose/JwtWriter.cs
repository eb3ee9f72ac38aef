using System.Text.Json;

namespace Clavex.Core.Jose;

/// <summary>
/// Writes a JWT's claims straight into a pooled buffer and signs it: no claim dictionaries, no JSON DOM.
/// One instance per thread is cached, so issuing a token allocates only the token string.
/// <code>
/// using var jwt = JwtWriter.Create();
/// jwt.Claims.WriteString(JwtClaimNames.Iss, issuer);
/// …
/// string idToken = jwt.Sign(key, JwtType.Jwt);
/// </code>
/// </summary>
public sealed class JwtWriter : IDisposable
{
    private const int InitialCapacity = 1024;

    // A rare huge token must not pin a huge rental in a thread's cache for ever.
    private const int MaxCachedCapacity = 64 * 1024;

    [ThreadStatic]
    private static JwtWriter? t_cached;

    private readonly PooledBufferWriter _buffer;
    private readonly Utf8JsonWriter _json;
    private bool _inUse;

    private JwtWriter()
    {
        _buffer = new PooledBufferWriter(InitialCapacity);
        _json = new Utf8JsonWriter(_buffer, JoseJson.WriterOptions);
    }

    /// <summary>The claims object, already opened: write members, then call <see cref="Sign"/>.</summary>
    public Utf8JsonWriter Claims => _json;

    public static JwtWriter Create()
    {
        JwtWriter writer = t_cached ?? new JwtWriter();
        t_cached = null;
        writer._inUse = true;
        writer._json.WriteStartObject();
        return writer;
    }

    /// <summary>Closes the claims object and returns the compact JWS. The writer cannot be reused afterwards until disposed.</summary>
    public string Sign(JwsKey key, JwtType type)
    {
        ObjectDisposedException.ThrowIf(!_inUse, this);
        _json.WriteEndObject();
        _json.Flush();
        return JwsCompact.Sign(_buffer.WrittenSpan, key, type);
    }

    public void Dispose()
    {
        if (!_inUse)
        {
            return;
        }

        _inUse = false;
        _json.Reset();
        _buffer.Clear();
        if (_buffer.Capacity <= MaxCachedCapacity)
        {
            t_cached = this;
        }
        else
        {
            _buffer.Dispose();
            _json.Dispose();
        }
    }
}
