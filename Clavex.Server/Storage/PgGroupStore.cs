using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Groups and their members, for the admin API. Tokens read a user's groups at issuance (<see cref="PgUserStore"/>),
/// so a change here shows in the next token issued.
/// </summary>
public sealed class PgGroupStore(NpgsqlDataSource dataSource)
{
    private const string SelectAll = """
        SELECT g.name, g.created_at, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count
        FROM groups g
        WHERE g.organization_id = @OrganizationId
        ORDER BY g.name COLLATE "C"
        """;

    private const string SelectOne = """
        SELECT g.name, g.created_at, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count
        FROM groups g
        WHERE g.organization_id = @OrganizationId AND g.name = @Name
        """;

    private const string Insert = """
        INSERT INTO groups (organization_id, name) VALUES (@OrganizationId, @Name)
        ON CONFLICT (organization_id, name) DO NOTHING
        RETURNING name, created_at, 0::bigint AS member_count
        """;

    private const string Rename = """
        UPDATE groups SET name = @NewName WHERE organization_id = @OrganizationId AND name = @Name
        """;

    private const string Delete = """
        DELETE FROM groups WHERE organization_id = @OrganizationId AND name = @Name
        """;

    // One round trip that says which of the two is missing when the membership cannot be made.
    private const string InsertMember = """
        WITH g AS (SELECT id FROM groups WHERE organization_id = @OrganizationId AND name = @Name),
             u AS (SELECT id FROM users WHERE organization_id = @OrganizationId AND subject = @Subject),
             joined AS (
                 INSERT INTO group_members (organization_id, group_id, user_id)
                 SELECT @OrganizationId, g.id, u.id FROM g, u
                 ON CONFLICT DO NOTHING
             )
        SELECT EXISTS (SELECT 1 FROM g) AS group_exists, EXISTS (SELECT 1 FROM u) AS user_exists
        """;

    private const string DeleteMember = """
        WITH g AS (SELECT id FROM groups WHERE organization_id = @OrganizationId AND name = @Name),
             u AS (SELECT id FROM users WHERE organization_id = @OrganizationId AND subject = @Subject),
             removed AS (
                 DELETE FROM group_members m USING g, u WHERE m.group_id = g.id AND m.user_id = u.id
             )
        SELECT EXISTS (SELECT 1 FROM g) AS group_exists, EXISTS (SELECT 1 FROM u) AS user_exists
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public async Task<IReadOnlyList<GroupInfo>> ListAsync(long organizationId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<GroupRow> rows = await connection.QueryAsync<GroupRow>(Db.Command(SelectAll, new { OrganizationId = organizationId }, cancellationToken));
        return [.. rows.Select(r => r.ToInfo())];
    }

    public async Task<GroupInfo?> FindAsync(long organizationId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        GroupRow? row = await connection.QuerySingleOrDefaultAsync<GroupRow>(
            Db.Command(SelectOne, new { OrganizationId = organizationId, Name = name }, cancellationToken));
        return row?.ToInfo();
    }

    /// <summary>Creates the group; null when one of that name exists.</summary>
    public async Task<GroupInfo?> CreateAsync(long organizationId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        GroupRow? row = await connection.QuerySingleOrDefaultAsync<GroupRow>(
            Db.Command(Insert, new { OrganizationId = organizationId, Name = name }, cancellationToken));
        return row?.ToInfo();
    }

    /// <summary>Renames the group, keeping its members; false when there is none. A taken name is a <see cref="PostgresException"/>.</summary>
    public async Task<bool> RenameAsync(long organizationId, string name, string newName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(newName);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(Rename, new { OrganizationId = organizationId, Name = name, NewName = newName }, cancellationToken)) == 1;
    }

    /// <summary>Deletes the group and its memberships (cascade); false when there is none.</summary>
    public async Task<bool> DeleteAsync(long organizationId, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(Delete, new { OrganizationId = organizationId, Name = name }, cancellationToken)) == 1;
    }

    /// <summary>Adds the member; idempotent. Says whether the group and the user exist.</summary>
    public Task<MembershipChange> AddMemberAsync(long organizationId, string name, string subject, CancellationToken cancellationToken) =>
        ChangeMemberAsync(InsertMember, organizationId, name, subject, cancellationToken);

    /// <summary>Removes the member; idempotent. Says whether the group and the user exist.</summary>
    public Task<MembershipChange> RemoveMemberAsync(long organizationId, string name, string subject, CancellationToken cancellationToken) =>
        ChangeMemberAsync(DeleteMember, organizationId, name, subject, cancellationToken);

    private async Task<MembershipChange> ChangeMemberAsync(string sql, long organizationId, string name, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<MembershipChange>(
            Db.Command(sql, new { OrganizationId = organizationId, Name = name, Subject = subject }, cancellationToken));
    }

    private sealed class GroupRow
    {
        public string Name { get; init; } = string.Empty;

        public DateTime CreatedAt { get; init; }

        public long MemberCount { get; init; }

        public GroupInfo ToInfo() => new(Name, Db.FromUtc(CreatedAt), MemberCount);
    }
}

public sealed record GroupInfo(string Name, DateTimeOffset CreatedAt, long MemberCount);

/// <summary>Whether a membership change found its group and its user.</summary>
public sealed class MembershipChange
{
    public bool GroupExists { get; init; }

    public bool UserExists { get; init; }
}
