using System.Collections.Concurrent;
using Clavex.Core.Protocol;

namespace Clavex.Server.Storage;

/// <summary>
/// Resolves the <c>{org}</c> path segment to an <see cref="Organization"/>, cached so the token hot path does not read
/// the organisation from the database. Entries are dropped by <see cref="Invalidate"/> (the admin API on this
/// instance, and <see cref="CacheChangeListener"/> for changes made on any instance) and all at once by
/// <see cref="Clear"/>. Unknown slugs are not cached: anyone can send any number of them.
/// <para>
/// <c>issuerFor</c> derives an organisation's issuer from its slug; the host passes its settings' rule,
/// so storage reads no host configuration.
/// </para>
/// </summary>
public sealed class OrganizationDirectory(PgOrganizationStore organizations, Func<string, string> issuerFor)
{
    private readonly ConcurrentDictionary<string, Organization> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, OrganizationBranding> _branding = new();
    private readonly ConcurrentDictionary<string, RequestLimits> _limits = new(StringComparer.Ordinal);
    private readonly Lock _invalidation = new();
    private long _generation;

    /// <summary>The name shown on pages; the slug until the organisation has been resolved once.</summary>
    public string DisplayName(Organization organization) => Branding(organization).DisplayName;

    /// <summary>The name, logo and accent colour of the organisation's pages; the slug alone until it has been resolved once.</summary>
    public OrganizationBranding Branding(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return _branding.TryGetValue(organization.Id, out OrganizationBranding? branding) ? branding : new OrganizationBranding(organization.Slug, null, null);
    }

    /// <summary>
    /// The organisation's request limits as last read, without a database read: the rate limiter asks before the
    /// organisation is resolved. The defaults until it has been resolved once (and for slugs that are no organisation).
    /// </summary>
    public RequestLimits Limits(string slug) => _limits.TryGetValue(slug, out RequestLimits? limits) ? limits : RequestLimits.Default;

    public async ValueTask<Organization?> FindAsync(string slug, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(slug, out Organization? cached))
        {
            ClavexMeter.CacheLookup("organization", hit: true);
            return cached;
        }

        ClavexMeter.CacheLookup("organization", hit: false);

        // Slugs are lowercase DNS labels; anything else is not an organisation and is not worth a query.
        if (slug.Length is 0 or > 63 || !IsSlug(slug))
        {
            return null;
        }

        long generation = Volatile.Read(ref _generation);
        OrganizationRecord? record = await organizations.FindBySlugAsync(slug, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var organization = new Organization(record.Id, record.Slug, issuerFor(record.Slug)) { SignInPolicy = record.SignInPolicy };
        var branding = new OrganizationBranding(record.DisplayName, record.LogoUri, record.AccentColor);

        // An invalidation while this read ran may mean the row is already stale: use it once, cache nothing.
        lock (_invalidation)
        {
            if (generation == _generation)
            {
                _cache[slug] = organization;
                _branding[record.Id] = branding;
                _limits[slug] = record.RequestLimits;
            }
            else
            {
                _branding.TryAdd(record.Id, branding);
                _limits.TryAdd(slug, record.RequestLimits);
            }
        }

        return organization;
    }

    internal bool IsCached(string slug) => _cache.ContainsKey(slug);

    /// <summary>Drops the organisation; the next <see cref="FindAsync"/> reads it (and its branding) again.</summary>
    public void Invalidate(string slug)
    {
        lock (_invalidation)
        {
            _generation++;
            _cache.TryRemove(slug, out _);
        }
    }

    /// <summary>Drops every organisation, for when changes may have been missed.</summary>
    public void Clear()
    {
        lock (_invalidation)
        {
            _generation++;
            _cache.Clear();
        }
    }

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
