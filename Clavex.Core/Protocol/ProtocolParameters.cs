namespace Clavex.Core.Protocol;

/// <summary>
/// Request parameters as the host parsed them from a query string or form body, in order, repeats kept,
/// so the core can tell "absent", "empty" and "given twice" apart (RFC 6749 §3.1: parameters must not be
/// included more than once).
/// </summary>
public sealed class ProtocolParameters
{
    public static readonly ProtocolParameters Empty = new([]);

    private readonly KeyValuePair<string, string>[] _pairs;

    public ProtocolParameters(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        _pairs = [.. pairs];
    }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public static ProtocolParameters From(params (string Name, string Value)[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = new KeyValuePair<string, string>[pairs.Length];
        for (int i = 0; i < pairs.Length; i++)
        {
            list[i] = new KeyValuePair<string, string>(pairs[i].Name, pairs[i].Value);
        }

        return new ProtocolParameters(list);
    }

    /// <summary>
    /// The single value of <paramref name="name"/>. An empty value counts as absent (RFC 6749 §3.1: parameters
    /// sent without a value are treated as omitted). Returns false only when the parameter is repeated.
    /// </summary>
    public bool TryGetSingle(string name, out string? value)
    {
        value = null;
        bool seen = false;
        foreach (KeyValuePair<string, string> pair in _pairs)
        {
            if (!string.Equals(pair.Key, name, StringComparison.Ordinal))
            {
                continue;
            }

            if (seen)
            {
                value = null;
                return false;
            }

            seen = true;
            value = string.IsNullOrEmpty(pair.Value) ? null : pair.Value;
        }

        return true;
    }

    /// <summary>The first parameter whose name appears more than once, if any.</summary>
    public string? FindRepeated(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (string name in names)
        {
            if (!TryGetSingle(name, out _))
            {
                return name;
            }
        }

        return null;
    }
}
