using System.Collections.Concurrent;
using Clavex.Core.Protocol;
using Clavex.Server.Hosting;
using Clavex.Server.Storage;

namespace Clavex.Server.Http;

/// <summary>
/// Resolves the <c>{org}</c> path segment to an <see cref="Organization"/>, cached so the token hot path does not read
/// the organisation from the database. Entries expire after a short time so changes made elsewhere show up.
/// </summary>
public sealed class OrganizationDirectory(PgOrganizationStore organizations, ClavexSettings settings, TimeProvider timeProvider)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (Organization? Organization, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, string> _displayNames = new();

    /// <summary>The name shown on pages; the slug until the organisation has been resolved once.</summary>
    public string DisplayName(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return _displayNames.TryGetValue(organization.Id, out string? name) ? name : organization.Slug;
    }

    public async ValueTask<Organization?> FindAsync(string slug, CancellationToken cancellationToken)
    {
        DateTimeOffset now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(slug, out var entry) && entry.Expires > now)
        {
            return entry.Organization;
        }

        // Slugs are lowercase DNS labels; anything else is not an organisation and is not worth a query.
        if (slug.Length is 0 or > 63 || !IsSlug(slug))
        {
            return null;
        }

        OrganizationRecord? record = await organizations.FindBySlugAsync(slug, cancellationToken);
        Organization? organization = record is null ? null : new Organization(record.Id, record.Slug, settings.IssuerFor(record.Slug));
        if (record is not null)
        {
            _displayNames[record.Id] = record.DisplayName;
        }

        _cache[slug] = (organization, now + CacheLifetime);
        return organization;
    }

    public void Invalidate(string slug) => _cache.TryRemove(slug, out _);

    private static bool IsSlug(string slug)
    {
        foreach (char c in slug)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
