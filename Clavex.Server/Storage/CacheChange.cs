using System.Globalization;

namespace Clavex.Server.Storage;

/// <summary>What a <see cref="CacheChanges"/> notification names as stale.</summary>
public enum CacheChangeKind
{
    Organization,
    Client,
    SigningKeys,
}

/// <summary>
/// A <see cref="CacheChanges"/> payload read back. <see cref="Key"/> is the slug of an organisation change, the client
/// id of a client change (which may itself contain ':', so only the first two colons separate fields), and empty for
/// signing keys.
/// </summary>
public readonly record struct CacheChange(CacheChangeKind Kind, long OrganizationId, string Key)
{
    public static bool TryParse(string? payload, out CacheChange change)
    {
        change = default;
        int first = payload is null ? -1 : payload.IndexOf(':', StringComparison.Ordinal);
        if (first < 0)
        {
            return false;
        }

        int second = payload!.IndexOf(':', first + 1);
        ReadOnlySpan<char> kind = payload.AsSpan(0, first);
        ReadOnlySpan<char> id = second < 0 ? payload.AsSpan(first + 1) : payload.AsSpan(first + 1, second - first - 1);
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long organizationId))
        {
            return false;
        }

        string key = second < 0 ? string.Empty : payload[(second + 1)..];
        if (kind.SequenceEqual("keys") && second < 0)
        {
            change = new CacheChange(CacheChangeKind.SigningKeys, organizationId, key);
        }
        else if (kind.SequenceEqual("client") && key.Length > 0)
        {
            change = new CacheChange(CacheChangeKind.Client, organizationId, key);
        }
        else if (kind.SequenceEqual("org") && key.Length > 0)
        {
            change = new CacheChange(CacheChangeKind.Organization, organizationId, key);
        }
        else
        {
            return false;
        }

        return true;
    }
}
