using Clavex.Core.Stores;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>Consent per user and client: the set of scopes consented to, kept sorted and without duplicates.</summary>
public sealed class PgConsentStore(NpgsqlDataSource dataSource) : IConsentStore
{
    // No row: consent covers only the empty list, as in the in-memory store.
    private const string Covers = """
        SELECT COALESCE(
            (SELECT scopes @> @Scopes::text[]
             FROM consents
             WHERE organization_id = @OrganizationId AND subject = @Subject AND client_id = @ClientId),
            cardinality(@Scopes::text[]) = 0)
        """;

    private const string Upsert = """
        INSERT INTO consents (organization_id, subject, client_id, scopes, updated_at)
        VALUES (@OrganizationId, @Subject, @ClientId,
                ARRAY(SELECT DISTINCT s COLLATE "C" FROM unnest(@Scopes::text[]) AS s ORDER BY 1), @Now)
        ON CONFLICT (organization_id, subject, client_id) DO UPDATE
        SET scopes = ARRAY(SELECT DISTINCT s COLLATE "C" FROM unnest(consents.scopes || EXCLUDED.scopes) AS s ORDER BY 1),
            updated_at = EXCLUDED.updated_at
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public async ValueTask<bool> HasConsentAsync(long organizationId, string subject, string clientId, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(scopes);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(Db.Command(
            Covers, new { OrganizationId = organizationId, Subject = subject, ClientId = clientId, Scopes = scopes.ToArray() }, cancellationToken));
    }

    public async Task GrantAsync(long organizationId, string subject, string clientId, IReadOnlyList<string> scopes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(scopes);
        var parameters = new { OrganizationId = organizationId, Subject = subject, ClientId = clientId, Scopes = scopes.ToArray(), Now = Db.Utc(now) };
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Upsert, parameters, cancellationToken));
    }
}
