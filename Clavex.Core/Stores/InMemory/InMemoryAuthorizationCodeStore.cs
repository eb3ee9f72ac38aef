using Clavex.Core.Authorization;
using Clavex.Core.Token;

namespace Clavex.Core.Stores.InMemory;

/// <summary>
/// Authorization codes held in memory under the hex of their hash. Redemption and the creation of the code's grant
/// happen under one lock, as the interface requires.
/// </summary>
public sealed class InMemoryAuthorizationCodeStore(InMemoryGrantStore grants) : IAuthorizationCodeStore
{
    private readonly InMemoryGrantStore _grants = grants ?? throw new ArgumentNullException(nameof(grants));
    private readonly Lock _lock = new();
    private readonly Dictionary<(long OrganizationId, string CodeHash), CodeEntry> _codes = [];

    public Task StoreAsync(AuthorizationCode code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        lock (_lock)
        {
            if (!_codes.TryAdd((code.OrganizationId, Convert.ToHexString(code.CodeHash)), new CodeEntry(code)))
            {
                throw new InvalidOperationException("An authorization code hash was stored twice.");
            }
        }

        return Task.CompletedTask;
    }

    public Task<CodeRedemption> RedeemAsync(
        long organizationId,
        byte[] codeHash,
        DateTimeOffset now,
        RefreshTokenRecord refreshToken,
        DateTimeOffset grantExpiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(codeHash);
        ArgumentNullException.ThrowIfNull(refreshToken);
        lock (_lock)
        {
            if (!_codes.TryGetValue((organizationId, Convert.ToHexString(codeHash)), out CodeEntry? entry))
            {
                return Task.FromResult(new CodeRedemption(CodeRedemptionStatus.NotFound, null));
            }

            AuthorizationCode code = entry.Code;
            if (entry.Redeemed)
            {
                return Task.FromResult(new CodeRedemption(CodeRedemptionStatus.AlreadyRedeemed, code));
            }

            // The grant first: if creating it throws, the code stays unredeemed. It exists even without a refresh
            // token, so access tokens issued under it can be revoked.
            _grants.Create(CreateGrant(code, now, grantExpiresAt), code.IssueRefreshToken ? refreshToken : null);

            entry.Redeemed = true;

            return Task.FromResult(new CodeRedemption(CodeRedemptionStatus.Redeemed, code));
        }
    }

    private static Grant CreateGrant(AuthorizationCode code, DateTimeOffset now, DateTimeOffset expiresAt) => new()
    {
        OrganizationId = code.OrganizationId,
        GrantId = code.GrantId,
        ClientId = code.ClientId,
        Subject = code.Subject,
        Scopes = code.Scopes,
        AuthTime = code.AuthTime,
        SessionId = code.SessionId,
        Acr = code.Acr,
        Amr = code.Amr,
        CreatedAt = now,
        ExpiresAt = expiresAt,
    };

    private sealed class CodeEntry(AuthorizationCode code)
    {
        public AuthorizationCode Code { get; } = code;

        public bool Redeemed { get; set; }
    }
}
