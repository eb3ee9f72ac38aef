using Clavex.Core.Token;

namespace Clavex.Core.Stores.InMemory;

/// <summary>
/// Grants and their refresh-token families held in memory. Every token a grant ever had is kept, consumed or not,
/// so that a rotated token presented again is recognised as reuse rather than as unknown.
/// </summary>
public sealed class InMemoryGrantStore : IGrantStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string GrantId), GrantEntry> _grants = [];

    // Keyed by the hex of the hash: byte[] keys would compare by reference.
    private readonly Dictionary<(long OrganizationId, string TokenHash), TokenEntry> _tokens = [];

    public Task CreateAsync(Grant grant, RefreshTokenRecord? firstRefreshToken, CancellationToken cancellationToken)
    {
        Create(grant, firstRefreshToken);
        return Task.CompletedTask;
    }

    public Task<RefreshRotation> RotateAsync(
        long organizationId,
        byte[] presentedHash,
        string clientId,
        RefreshTokenRecord replacement,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presentedHash);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(replacement);
        lock (_lock)
        {
            return Task.FromResult(Rotate(organizationId, Convert.ToHexString(presentedHash), clientId, replacement, now));
        }
    }

    public Task<RefreshTokenLookup?> FindByRefreshTokenAsync(long organizationId, byte[] tokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenHash);
        lock (_lock)
        {
            RefreshTokenLookup? lookup = _tokens.TryGetValue((organizationId, Convert.ToHexString(tokenHash)), out TokenEntry? token)
                ? new RefreshTokenLookup(_grants[(organizationId, token.GrantId)].Grant, token.Record.CreatedAt, token.Record.ExpiresAt, token.Consumed)
                : null;
            return Task.FromResult(lookup);
        }
    }

    public Task<Grant?> FindAsync(long organizationId, string grantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grantId);
        lock (_lock)
        {
            return Task.FromResult(_grants.TryGetValue((organizationId, grantId), out GrantEntry? entry) ? entry.Grant : null);
        }
    }

    public Task RevokeAsync(long organizationId, string grantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grantId);
        lock (_lock)
        {
            if (_grants.TryGetValue((organizationId, grantId), out GrantEntry? entry))
            {
                Revoke(entry, now);
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> RevokeAllForSubjectAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        lock (_lock)
        {
            int revoked = 0;
            foreach (KeyValuePair<(long OrganizationId, string GrantId), GrantEntry> pair in _grants)
            {
                if (pair.Key.OrganizationId == organizationId
                    && string.Equals(pair.Value.Grant.Subject, subject, StringComparison.Ordinal)
                    && Revoke(pair.Value, now))
                {
                    revoked++;
                }
            }

            return Task.FromResult(revoked);
        }
    }

    /// <summary>Creates a grant synchronously; the code store calls this while holding its own lock, so redemption and creation are one step.</summary>
    internal void Create(Grant grant, RefreshTokenRecord? firstRefreshToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        lock (_lock)
        {
            var grantKey = (grant.OrganizationId, grant.GrantId);
            if (_grants.ContainsKey(grantKey))
            {
                throw new InvalidOperationException($"Organisation {grant.OrganizationId} already has a grant '{grant.GrantId}'.");
            }

            var entry = new GrantEntry(grant);
            if (firstRefreshToken is not null)
            {
                AddCurrentToken(entry, firstRefreshToken);
            }

            _grants.Add(grantKey, entry);
        }
    }

    private RefreshRotation Rotate(long organizationId, string presentedHash, string clientId, RefreshTokenRecord replacement, DateTimeOffset now)
    {
        if (!_tokens.TryGetValue((organizationId, presentedHash), out TokenEntry? token))
        {
            return new RefreshRotation(RefreshRotationStatus.NotFound, null);
        }

        GrantEntry entry = _grants[(organizationId, token.GrantId)];
        Grant grant = entry.Grant;

        // RFC 6749 §6: checked first, so another client can neither consume the token nor learn the family's state.
        if (!string.Equals(grant.ClientId, clientId, StringComparison.Ordinal))
        {
            return new RefreshRotation(RefreshRotationStatus.ClientMismatch, grant);
        }

        if (grant.RevokedAt is not null)
        {
            return new RefreshRotation(RefreshRotationStatus.Revoked, grant);
        }

        // RFC 9700 §4.14.2: a token rotated away and presented again means two parties hold the family. Revoking is
        // the caller's decision (it also audits it), so the store only reports it.
        if (token.Consumed)
        {
            return new RefreshRotation(RefreshRotationStatus.Reused, grant);
        }

        if (now >= token.Record.ExpiresAt || now >= grant.ExpiresAt)
        {
            return new RefreshRotation(RefreshRotationStatus.Expired, grant);
        }

        AddCurrentToken(entry, replacement);
        token.Consumed = true;
        return new RefreshRotation(RefreshRotationStatus.Rotated, grant);
    }

    private void AddCurrentToken(GrantEntry entry, RefreshTokenRecord record)
    {
        Grant grant = entry.Grant;

        // The sliding window never reaches past the grant's absolute expiry.
        if (record.ExpiresAt > grant.ExpiresAt)
        {
            record = record with { ExpiresAt = grant.ExpiresAt };
        }

        if (!_tokens.TryAdd((grant.OrganizationId, Convert.ToHexString(record.TokenHash)), new TokenEntry(grant.GrantId, record)))
        {
            throw new InvalidOperationException("A refresh token hash was issued twice.");
        }
    }

    private static bool Revoke(GrantEntry entry, DateTimeOffset now)
    {
        if (entry.Grant.RevokedAt is not null)
        {
            return false;
        }

        entry.Grant = entry.Grant with { RevokedAt = now };
        return true;
    }

    private sealed class GrantEntry(Grant grant)
    {
        public Grant Grant { get; set; } = grant;
    }

    private sealed class TokenEntry(string grantId, RefreshTokenRecord record)
    {
        public string GrantId { get; } = grantId;

        public RefreshTokenRecord Record { get; } = record;

        /// <summary>Rotated away: presenting it again is reuse.</summary>
        public bool Consumed { get; set; }
    }
}
