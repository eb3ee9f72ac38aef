using System.Text;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Clients and their secrets. A client is read with its secrets in one round trip (two result sets). Every change
/// sends <see cref="CacheChanges.Client"/> in its transaction, so each instance's <see cref="CachingClientStore"/>
/// drops the client when the change commits.
/// </summary>
public sealed class PgClientStore(NpgsqlDataSource dataSource) : IClientStore
{
    private const string SelectClient = """
        SELECT client_id, client_name, client_uri, enabled, token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris,
               grant_types, scopes, jwks, application_type, require_pkce, allow_plain_pkce, require_consent,
               always_issue_refresh_token, authorization_code_lifetime_seconds, access_token_lifetime_seconds,
               id_token_lifetime_seconds, refresh_token_sliding_lifetime_seconds,
               refresh_token_absolute_lifetime_seconds, claim_mapping, id_token_signed_response_alg, require_mfa, default_acr_values, version
        FROM clients
        WHERE organization_id = @OrganizationId AND client_id = @ClientId;

        SELECT id, secret_hash, created_at, expires_at
        FROM client_secrets
        WHERE organization_id = @OrganizationId AND client_id = @ClientId
        ORDER BY created_at, id;
        """;

    private const string InsertClient = """
        INSERT INTO clients (
            organization_id, client_id, client_name, client_uri, enabled, token_endpoint_auth_method, redirect_uris,
            post_logout_redirect_uris, grant_types, scopes, jwks, application_type, require_pkce, allow_plain_pkce,
            require_consent, always_issue_refresh_token, authorization_code_lifetime_seconds,
            access_token_lifetime_seconds, id_token_lifetime_seconds, refresh_token_sliding_lifetime_seconds,
            refresh_token_absolute_lifetime_seconds, claim_mapping, id_token_signed_response_alg, require_mfa, default_acr_values)
        VALUES (
            @OrganizationId, @ClientId, @ClientName, @ClientUri, @Enabled, @TokenEndpointAuthMethod, @RedirectUris,
            @PostLogoutRedirectUris, @GrantTypes, @Scopes, @Jwks::jsonb, @ApplicationType, @RequirePkce, @AllowPlainPkce,
            @RequireConsent, @AlwaysIssueRefreshToken, @AuthorizationCodeLifetimeSeconds,
            @AccessTokenLifetimeSeconds, @IdTokenLifetimeSeconds, @RefreshTokenSlidingLifetimeSeconds,
            @RefreshTokenAbsoluteLifetimeSeconds, @ClaimMapping::jsonb, @IdTokenSignedResponseAlg, @RequireMfa, @DefaultAcrValues)
        """;

    // Selecting from clients makes a missing client insert nothing rather than fail on the foreign key.
    private const string InsertSecret = """
        INSERT INTO client_secrets (organization_id, client_id, id, secret_hash, created_at, expires_at)
        SELECT organization_id, client_id, @Id, @SecretHash, @CreatedAt, @ExpiresAt
        FROM clients
        WHERE organization_id = @OrganizationId AND client_id = @ClientId
        """;

    // Never moves backwards when two requests finish out of order.
    private const string TouchSecret = """
        UPDATE client_secrets SET last_used_at = @Now
        WHERE organization_id = @OrganizationId AND client_id = @ClientId AND id = @SecretId
          AND (last_used_at IS NULL OR last_used_at < @Now)
        """;

    private const string SelectAllClients = """
        SELECT client_id, client_name, client_uri, enabled, token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris,
               grant_types, scopes, jwks, application_type, require_pkce, allow_plain_pkce, require_consent,
               always_issue_refresh_token, authorization_code_lifetime_seconds, access_token_lifetime_seconds,
               id_token_lifetime_seconds, refresh_token_sliding_lifetime_seconds,
               refresh_token_absolute_lifetime_seconds, claim_mapping, id_token_signed_response_alg, require_mfa, default_acr_values
        FROM clients
        WHERE organization_id = @OrganizationId
        ORDER BY client_id COLLATE "C"
        """;

    private const string UpdateClient = """
        UPDATE clients SET
            client_name = @ClientName, client_uri = @ClientUri, enabled = @Enabled, token_endpoint_auth_method = @TokenEndpointAuthMethod,
            redirect_uris = @RedirectUris, post_logout_redirect_uris = @PostLogoutRedirectUris, grant_types = @GrantTypes,
            scopes = @Scopes, jwks = @Jwks::jsonb, application_type = @ApplicationType, require_pkce = @RequirePkce,
            allow_plain_pkce = @AllowPlainPkce, require_consent = @RequireConsent,
            always_issue_refresh_token = @AlwaysIssueRefreshToken,
            authorization_code_lifetime_seconds = @AuthorizationCodeLifetimeSeconds,
            access_token_lifetime_seconds = @AccessTokenLifetimeSeconds, id_token_lifetime_seconds = @IdTokenLifetimeSeconds,
            refresh_token_sliding_lifetime_seconds = @RefreshTokenSlidingLifetimeSeconds,
            refresh_token_absolute_lifetime_seconds = @RefreshTokenAbsoluteLifetimeSeconds,
            claim_mapping = @ClaimMapping::jsonb, id_token_signed_response_alg = @IdTokenSignedResponseAlg,
            require_mfa = @RequireMfa, default_acr_values = @DefaultAcrValues,
            updated_at = now(), version = version + 1
        WHERE organization_id = @OrganizationId AND client_id = @ClientId
          AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
        RETURNING version
        """;

    // One statement: the client (its secrets by cascade), and every grant it held revoked, so its refresh tokens
    // and access tokens die with it even if a client of the same id is registered later.
    private const string DeleteClient = """
        WITH deleted AS (
            DELETE FROM clients
            WHERE organization_id = @OrganizationId AND client_id = @ClientId
              AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
            RETURNING client_id
        ), revoked AS (
            UPDATE grants SET revoked_at = @Now
            WHERE organization_id = @OrganizationId AND client_id IN (SELECT client_id FROM deleted) AND revoked_at IS NULL
        ), forgotten AS (
            DELETE FROM consents WHERE organization_id = @OrganizationId AND client_id IN (SELECT client_id FROM deleted)
        )
        SELECT count(*) FROM deleted
        """;

    private const string SelectSecrets = """
        SELECT id, created_at, expires_at, last_used_at
        FROM client_secrets
        WHERE organization_id = @OrganizationId AND client_id = @ClientId
        ORDER BY created_at, id
        """;

    // One statement, so a rotation is all or nothing: every secret still valid later than the previous secrets'
    // expiry is cut to it, and the new secret is added. Nothing happens when there is no such client.
    private const string RotateSecret = """
        WITH client AS (
            SELECT organization_id, client_id FROM clients
            WHERE organization_id = @OrganizationId AND client_id = @ClientId AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
            FOR UPDATE
        ), shortened AS (
            UPDATE client_secrets s SET expires_at = @PreviousExpiresAt
            FROM client
            WHERE s.organization_id = client.organization_id AND s.client_id = client.client_id
              AND (s.expires_at IS NULL OR s.expires_at > @PreviousExpiresAt)
        ), added AS (
            INSERT INTO client_secrets (organization_id, client_id, id, secret_hash, created_at, expires_at)
            SELECT organization_id, client_id, @Id, @SecretHash, @CreatedAt, NULL FROM client
            RETURNING id
        )
        SELECT count(*) FROM added
        """;

    private const string SelectAllSecrets = """
        SELECT client_id, id, secret_hash, created_at, expires_at
        FROM client_secrets
        WHERE organization_id = @OrganizationId
        ORDER BY created_at, id
        """;

    private const string Native = "native";
    private const string Web = "web";

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public async ValueTask<Client?> FindAsync(long organizationId, string clientId, CancellationToken cancellationToken) =>
        (await FindVersionedAsync(organizationId, clientId, cancellationToken)).Client;

    /// <summary>The client with its version, the admin API's ETag.</summary>
    public async Task<(Client? Client, long Version)> FindVersionedAsync(long organizationId, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using SqlMapper.GridReader results = await connection.QueryMultipleAsync(
            Db.Command(SelectClient, new { OrganizationId = organizationId, ClientId = clientId }, cancellationToken));
        ClientRow? row = await results.ReadSingleOrDefaultAsync<ClientRow>();
        IEnumerable<SecretRow> secrets = await results.ReadAsync<SecretRow>();
        return row is null ? (null, 0) : (ToClient(organizationId, row, secrets), row.Version);
    }

    /// <summary>Creates the client with its secrets, in one transaction. An existing client id is a <see cref="PostgresException"/>.</summary>
    public async Task CreateAsync(Client client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        object parameters = ToParameters(client);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(InsertClient, parameters, cancellationToken, transaction));
        foreach (ClientSecret secret in client.Secrets)
        {
            await connection.ExecuteAsync(Db.Command(InsertSecret, SecretParameters(client.OrganizationId, client.ClientId, secret), cancellationToken, transaction));
        }

        await CacheChanges.NotifyAsync(connection, CacheChanges.Client(client.OrganizationId, client.ClientId), cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Adds a secret (e.g. the second one of a rotation); false when the organisation has no such client.</summary>
    public async Task<bool> AddSecretAsync(long organizationId, string clientId, ClientSecret secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(secret);
        return await ChangeAsync(organizationId, clientId, async (connection, transaction) =>
            await connection.ExecuteAsync(Db.Command(InsertSecret, SecretParameters(organizationId, clientId, secret), cancellationToken, transaction)) == 1,
            cancellationToken);
    }

    /// <summary>Records that the secret authenticated the client at <paramref name="now"/> (shown to admins before they retire it).</summary>
    public async Task TouchSecretAsync(long organizationId, string clientId, string secretId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(secretId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(
            TouchSecret, new { OrganizationId = organizationId, ClientId = clientId, SecretId = secretId, Now = Db.Utc(now) }, cancellationToken));
    }

    /// <summary>The organisation's clients with their secrets, ordered by client id, in one round trip.</summary>
    public async Task<IReadOnlyList<Client>> ListAsync(long organizationId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using SqlMapper.GridReader results = await connection.QueryMultipleAsync(Db.Command(
            SelectAllClients + ";\n" + SelectAllSecrets, new { OrganizationId = organizationId }, cancellationToken));
        List<ClientRow> rows = [.. await results.ReadAsync<ClientRow>()];
        ILookup<string, SecretRow> secrets = (await results.ReadAsync<SecretRow>()).ToLookup(s => s.ClientId, StringComparer.Ordinal);
        return [.. rows.Select(row => ToClient(organizationId, row, secrets[row.ClientId]))];
    }

    /// <summary>
    /// Replaces the client's metadata (not its secrets) if its version is <paramref name="expectedVersion"/> (null:
    /// whatever it is); returns the new version, or null when the organisation has no such client or its version differs.
    /// </summary>
    public async Task<long?> UpdateAsync(Client client, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var parameters = new DynamicParameters(ToParameters(client));
        parameters.Add("ExpectedVersion", expectedVersion, System.Data.DbType.Int64);
        long? version = null;
        await ChangeAsync(client.OrganizationId, client.ClientId, async (connection, transaction) =>
        {
            version = await connection.ExecuteScalarAsync<long?>(Db.Command(UpdateClient, parameters, cancellationToken, transaction));
            return version is not null;
        }, cancellationToken);
        return version;
    }

    /// <summary>
    /// Deletes the client and its secrets and revokes its grants, atomically, if its version is
    /// <paramref name="expectedVersion"/> (null: whatever it is); false when there is no such client or its version differs.
    /// </summary>
    public async Task<bool> DeleteAsync(long organizationId, string clientId, DateTimeOffset now, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return await ChangeAsync(organizationId, clientId, async (connection, transaction) =>
            await connection.ExecuteScalarAsync<long>(Db.Command(
                DeleteClient, new { OrganizationId = organizationId, ClientId = clientId, Now = Db.Utc(now), ExpectedVersion = expectedVersion }, cancellationToken, transaction)) == 1,
            cancellationToken);
    }

    /// <summary>What an admin may see of the client's secrets: never the hash.</summary>
    public async Task<IReadOnlyList<ClientSecretInfo>> ListSecretsAsync(long organizationId, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<SecretInfoRow> rows = await connection.QueryAsync<SecretInfoRow>(
            Db.Command(SelectSecrets, new { OrganizationId = organizationId, ClientId = clientId }, cancellationToken));
        return [.. rows.Select(r => new ClientSecretInfo(r.Id, Db.FromUtc(r.CreatedAt), Db.FromUtc(r.LastUsedAt), Db.FromUtc(r.ExpiresAt)))];
    }

    /// <summary>
    /// Adds <paramref name="secret"/> and makes every other secret expire no later than
    /// <paramref name="previousExpiresAt"/>; false when the organisation has no such client.
    /// </summary>
    public async Task<bool> RotateSecretAsync(
        long organizationId, string clientId, ClientSecret secret, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(secret);
        var parameters = new
        {
            OrganizationId = organizationId,
            ClientId = clientId,
            secret.Id,
            SecretHash = secret.Sha256Hash,
            CreatedAt = Db.Utc(secret.CreatedAt),
            PreviousExpiresAt = Db.Utc(previousExpiresAt),
            ExpectedVersion = expectedVersion,
        };
        return await ChangeAsync(organizationId, clientId, async (connection, transaction) =>
            await connection.ExecuteScalarAsync<long>(Db.Command(RotateSecret, parameters, cancellationToken, transaction)) == 1,
            cancellationToken);
    }

    /// <summary>Runs <paramref name="change"/> in a transaction that, when it changed the client, also notifies every instance.</summary>
    private async Task<bool> ChangeAsync(
        long organizationId, string clientId, Func<NpgsqlConnection, NpgsqlTransaction, Task<bool>> change, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await change(connection, transaction))
        {
            return false;
        }

        await CacheChanges.NotifyAsync(connection, CacheChanges.Client(organizationId, clientId), cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static object ToParameters(Client client) => new
    {
        client.OrganizationId,
        client.ClientId,
        client.ClientName,
        client.ClientUri,
        client.Enabled,
        TokenEndpointAuthMethod = TokenEndpointAuthMethods.GetName(client.TokenEndpointAuthMethod),
        RedirectUris = client.RedirectUris.ToArray(),
        PostLogoutRedirectUris = client.PostLogoutRedirectUris.ToArray(),
        GrantTypes = client.GrantTypes.ToArray(),
        Scopes = client.Scopes.ToArray(),
        Jwks = client.Jwks is null ? null : JwkSet.ToJson(client.Jwks.Keys),
        ApplicationType = client.IsNative ? Native : Web,
        client.RequirePkce,
        client.AllowPlainPkce,
        client.RequireConsent,
        client.AlwaysIssueRefreshToken,
        AuthorizationCodeLifetimeSeconds = Seconds(client.Lifetimes.AuthorizationCode, nameof(TokenLifetimes.AuthorizationCode)),
        AccessTokenLifetimeSeconds = SignedTokenSeconds(client.Lifetimes.AccessToken, nameof(TokenLifetimes.AccessToken)),
        IdTokenLifetimeSeconds = SignedTokenSeconds(client.Lifetimes.IdToken, nameof(TokenLifetimes.IdToken)),
        RefreshTokenSlidingLifetimeSeconds = Seconds(client.Lifetimes.RefreshTokenSliding, nameof(TokenLifetimes.RefreshTokenSliding)),
        RefreshTokenAbsoluteLifetimeSeconds = Seconds(client.Lifetimes.RefreshTokenAbsolute, nameof(TokenLifetimes.RefreshTokenAbsolute)),
        ClaimMapping = JsonSerializer.Serialize(client.ClaimMapping, StorageJson.Default.ClaimMapping),
        IdTokenSignedResponseAlg = client.IdTokenSignedResponseAlgorithm is JwsAlgorithm pin ? JwsAlgorithms.GetName(pin) : null,
        client.RequireMfa,
        DefaultAcrValues = client.DefaultAcrValues.ToArray(),
    };

    private static object SecretParameters(long organizationId, string clientId, ClientSecret secret) => new
    {
        OrganizationId = organizationId,
        ClientId = clientId,
        secret.Id,
        SecretHash = secret.Sha256Hash,
        CreatedAt = Db.Utc(secret.CreatedAt),
        ExpiresAt = Db.Utc(secret.ExpiresAt),
    };

    // Whole seconds, so what is read back is exactly what was written.
    private static int Seconds(TimeSpan lifetime, string name) =>
        lifetime > TimeSpan.Zero && lifetime.Ticks % TimeSpan.TicksPerSecond == 0 && lifetime.TotalSeconds <= int.MaxValue
            ? (int)lifetime.TotalSeconds
            : throw new ArgumentException($"The {name} lifetime must be a positive whole number of seconds; it is {lifetime}.", nameof(lifetime));

    // KeyRotation keeps a previous key published for MaxSignedTokenLifetime: a longer-lived token would outlive its key.
    private static int SignedTokenSeconds(TimeSpan lifetime, string name) =>
        lifetime <= TokenLifetimes.MaxSignedTokenLifetime
            ? Seconds(lifetime, name)
            : throw new ArgumentException($"The {name} lifetime must not exceed {TokenLifetimes.MaxSignedTokenLifetime}; it is {lifetime}.", nameof(lifetime));

    private static Client ToClient(long organizationId, ClientRow row, IEnumerable<SecretRow> secrets) => new()
    {
        OrganizationId = organizationId,
        ClientId = row.ClientId,
        ClientName = row.ClientName,
        ClientUri = row.ClientUri,
        Enabled = row.Enabled,
        TokenEndpointAuthMethod = TokenEndpointAuthMethods.TryParse(row.TokenEndpointAuthMethod, out TokenEndpointAuthMethod method)
            ? method
            : throw new InvalidOperationException($"Client '{row.ClientId}' of organisation {organizationId} has the unknown token endpoint auth method '{row.TokenEndpointAuthMethod}'."),
        RedirectUris = row.RedirectUris,
        PostLogoutRedirectUris = row.PostLogoutRedirectUris,
        GrantTypes = row.GrantTypes,
        Scopes = row.Scopes,
        Secrets = [.. secrets.Select(s => new ClientSecret(s.Id, s.SecretHash, Db.FromUtc(s.CreatedAt), Db.FromUtc(s.ExpiresAt)))],
        Jwks = row.Jwks is null ? null : ReadJwks(organizationId, row.ClientId, row.Jwks),
        IsNative = row.ApplicationType == Native,
        RequirePkce = row.RequirePkce,
        AllowPlainPkce = row.AllowPlainPkce,
        RequireConsent = row.RequireConsent,
        AlwaysIssueRefreshToken = row.AlwaysIssueRefreshToken,
        RequireMfa = row.RequireMfa,
        DefaultAcrValues = row.DefaultAcrValues,
        Lifetimes = new TokenLifetimes
        {
            AuthorizationCode = TimeSpan.FromSeconds(row.AuthorizationCodeLifetimeSeconds),
            AccessToken = TimeSpan.FromSeconds(row.AccessTokenLifetimeSeconds),
            IdToken = TimeSpan.FromSeconds(row.IdTokenLifetimeSeconds),
            RefreshTokenSliding = TimeSpan.FromSeconds(row.RefreshTokenSlidingLifetimeSeconds),
            RefreshTokenAbsolute = TimeSpan.FromSeconds(row.RefreshTokenAbsoluteLifetimeSeconds),
        },
        ClaimMapping = JsonSerializer.Deserialize(row.ClaimMapping, StorageJson.Default.ClaimMapping) ?? ClaimMapping.Default,
        IdTokenSignedResponseAlgorithm = row.IdTokenSignedResponseAlg is null ? null
            : JwsAlgorithms.TryParse(row.IdTokenSignedResponseAlg, out JwsAlgorithm pin) ? pin
            : throw new InvalidOperationException($"Client '{row.ClientId}' of organisation {organizationId} has the unknown id_token_signed_response_alg '{row.IdTokenSignedResponseAlg}'."),
    };

    // Written by JwkSet from keys JwkReader accepts, so a failure here means the column was edited by hand.
    private static JwsKeySet ReadJwks(long organizationId, string clientId, string json) =>
        JwkReader.TryReadKeySet(Encoding.UTF8.GetBytes(json), out JwsKeySet? keys, out string? error)
            ? keys
            : throw new InvalidOperationException($"The stored jwks of client '{clientId}' of organisation {organizationId} cannot be read: {error}");

    private sealed class ClientRow
    {
        public string ClientId { get; init; } = string.Empty;

        public string? ClientName { get; init; }

        public string? ClientUri { get; init; }

        public bool Enabled { get; init; }

        public string TokenEndpointAuthMethod { get; init; } = string.Empty;

        public string[] RedirectUris { get; init; } = [];

        public string[] PostLogoutRedirectUris { get; init; } = [];

        public string[] GrantTypes { get; init; } = [];

        public string[] Scopes { get; init; } = [];

        public string? Jwks { get; init; }

        public string ApplicationType { get; init; } = string.Empty;

        public bool RequirePkce { get; init; }

        public bool AllowPlainPkce { get; init; }

        public bool RequireConsent { get; init; }

        public bool AlwaysIssueRefreshToken { get; init; }

        public bool RequireMfa { get; init; }

        public string[] DefaultAcrValues { get; init; } = [];

        public int AuthorizationCodeLifetimeSeconds { get; init; }

        public int AccessTokenLifetimeSeconds { get; init; }

        public int IdTokenLifetimeSeconds { get; init; }

        public int RefreshTokenSlidingLifetimeSeconds { get; init; }

        public int RefreshTokenAbsoluteLifetimeSeconds { get; init; }

        public string ClaimMapping { get; init; } = "{}";

        public string? IdTokenSignedResponseAlg { get; init; }

        public long Version { get; init; }
    }

    private sealed class SecretInfoRow
    {
        public string Id { get; init; } = string.Empty;

        public DateTime CreatedAt { get; init; }

        public DateTime? ExpiresAt { get; init; }

        public DateTime? LastUsedAt { get; init; }
    }

    private sealed class SecretRow
    {
        public string ClientId { get; init; } = string.Empty;

        public string Id { get; init; } = string.Empty;

        public byte[] SecretHash { get; init; } = [];

        public DateTime CreatedAt { get; init; }

        public DateTime? ExpiresAt { get; init; }
    }
}
