namespace Clavex.Core.Jose;

/// <summary>The keys a validator may use, looked up by <c>kid</c>. Immutable once built.</summary>
public sealed class JwsKeySet
{
    private readonly JwsKey[] _keys;

    public JwsKeySet(IEnumerable<JwsKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = [.. keys];
    }

    public JwsKeySet(params JwsKey[] keys)
        : this((IEnumerable<JwsKey>)keys)
    {
    }

    public IReadOnlyList<JwsKey> Keys => _keys;

    public JwsKey? FindByKeyId(ReadOnlySpan<char> keyId)
    {
        foreach (JwsKey key in _keys)
        {
            if (keyId.SequenceEqual(key.KeyId))
            {
                return key;
            }
        }

        return null;
    }
}
