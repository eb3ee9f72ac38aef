using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>Organisations: the tenants every other table is scoped to.</summary>
public sealed class PgOrganizationStore(NpgsqlDataSource dataSource)
{
    private const string Insert = """
        INSERT INTO organizations (slug, display_name) VALUES (@Slug, @DisplayName) RETURNING id
        """;

    private const string SelectBySlug = """
        SELECT id, slug, display_name FROM organizations WHERE slug = @Slug
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>Creates the organisation and returns its id. A taken or malformed slug is a <see cref="PostgresException"/>.</summary>
    public async Task<long> CreateAsync(string slug, string displayName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        ArgumentNullException.ThrowIfNull(displayName);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(Db.Command(Insert, new { Slug = slug, DisplayName = displayName }, cancellationToken));
    }

    public async Task<OrganizationRecord?> FindBySlugAsync(string slug, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        OrganizationRow? row = await connection.QuerySingleOrDefaultAsync<OrganizationRow>(Db.Command(SelectBySlug, new { Slug = slug }, cancellationToken));
        return row is null ? null : new OrganizationRecord(row.Id, row.Slug, row.DisplayName);
    }

    private sealed class OrganizationRow
    {
        public long Id { get; init; }

        public string Slug { get; init; } = string.Empty;

        public string DisplayName { get; init; } = string.Empty;
    }
}
