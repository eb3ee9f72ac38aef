namespace Clavex.Core.Stores;

/// <summary>Consent remembered per user and client.</summary>
public interface IConsentStore
{
    /// <summary>True when the user has consented to every one of <paramref name="scopes"/> for the client.</summary>
    ValueTask<bool> HasConsentAsync(long organizationId, string subject, string clientId, IReadOnlyList<string> scopes, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="scopes"/> to what the user has consented to for the client.</summary>
    Task GrantAsync(long organizationId, string subject, string clientId, IReadOnlyList<string> scopes, DateTimeOffset now, CancellationToken cancellationToken);
}
