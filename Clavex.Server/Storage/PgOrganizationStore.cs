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

    private const string DetailColumns = "id, slug, display_name, created_at, updated_at, version";

    private const string SelectDetailsBySlug = $"""
        SELECT {DetailColumns} FROM organizations WHERE slug = @Slug
        """;

    private const string SelectAll = $"""
        SELECT {DetailColumns} FROM organizations ORDER BY slug
        """;

    private const string UpdateDisplayName = $"""
        UPDATE organizations SET display_name = @DisplayName, updated_at = now(), version = version + 1
        WHERE slug = @Slug AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
        RETURNING {DetailColumns}
        """;

    private const string Delete = """
        DELETE FROM organizations WHERE id = @Id
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

    public async Task<OrganizationDetails?> FindDetailsAsync(string slug, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        DetailRow? row = await connection.QuerySingleOrDefaultAsync<DetailRow>(Db.Command(SelectDetailsBySlug, new { Slug = slug }, cancellationToken));
        return row?.ToDetails();
    }

    public async Task<IReadOnlyList<OrganizationDetails>> ListAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<DetailRow> rows = await connection.QueryAsync<DetailRow>(Db.Command(SelectAll, null, cancellationToken));
        return [.. rows.Select(r => r.ToDetails())];
    }

    /// <summary>
    /// Renames the organisation for display if its version is <paramref name="expectedVersion"/> (null: whatever it
    /// is); null when there is no such slug or its version differs. Sends <see cref="CacheChanges.Organization"/> in the
    /// same transaction, so every instance drops the organisation when the change commits.
    /// </summary>
    public async Task<OrganizationDetails?> SetDisplayNameAsync(string slug, string displayName, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(slug);
        ArgumentNullException.ThrowIfNull(displayName);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        DetailRow? row = await connection.QuerySingleOrDefaultAsync<DetailRow>(
            Db.Command(UpdateDisplayName, new { Slug = slug, DisplayName = displayName, ExpectedVersion = expectedVersion }, cancellationToken, transaction));
        if (row is null)
        {
            return null;
        }

        await CacheChanges.NotifyAsync(connection, CacheChanges.Organization(row.Id, row.Slug), cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
        return row.ToDetails();
    }

    /// <summary>Deletes the organisation and, by cascade, everything of it.</summary>
    public async Task DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Delete, new { Id = id }, cancellationToken));
    }

    private sealed class DetailRow
    {
        public long Id { get; init; }

        public string Slug { get; init; } = string.Empty;

        public string DisplayName { get; init; } = string.Empty;

        public DateTime CreatedAt { get; init; }

        public DateTime UpdatedAt { get; init; }

        public long Version { get; init; }

        public OrganizationDetails ToDetails() => new(Id, Slug, DisplayName, Db.FromUtc(CreatedAt), Db.FromUtc(UpdatedAt)) { Version = Version };
    }

    private sealed class OrganizationRow
    {
        public long Id { get; init; }

        public string Slug { get; init; } = string.Empty;

        public string DisplayName { get; init; } = string.Empty;
    }
}
