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
        SELECT g.name, g.created_at, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count, g.version
        FROM groups g
        WHERE g.organization_id = @OrganizationId
        ORDER BY g.name COLLATE "C"
        """;

    private const string SelectOne = """
        SELECT g.name, g.created_at, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS member_count, g.version
        FROM groups g
        WHERE g.organization_id = @OrganizationId AND g.name = @Name
        """;

    private const string Insert = """
        INSERT INTO groups (organization_id, name) VALUES (@OrganizationId, @Name)
        ON CONFLICT (organization_id, name) DO NOTHING
        RETURNING name, created_at, 0::bigint AS member_count, version
        """;

    // The members' versions move too: their group names are part of each user's representation.
    private const string Rename = """
        WITH renamed AS (
            UPDATE groups SET name = @NewName, version = version + 1
            WHERE organization_id = @OrganizationId AND name = @Name
              AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
            RETURNING id, version
        ), members AS (
            UPDATE users SET version = version + 1
            WHERE organization_id = @OrganizationId
              AND id IN (SELECT m.user_id FROM group_members m JOIN renamed r ON m.group_id = r.id)
        )
        SELECT version FROM renamed
        """;

    private const string Delete = """
        WITH deleted AS (
            DELETE FROM groups
            WHERE organization_id = @OrganizationId AND name = @Name
              AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
            RETURNING id
        ), members AS (
            UPDATE users SET version = version + 1
            WHERE organization_id = @OrganizationId
              AND id IN (SELECT m.user_id FROM group_members m JOIN deleted d ON m.group_id = d.id)
        )
        SELECT count(*) FROM deleted
        """;

    // One round trip that says which of the two is missing when the membership cannot be made.
    private const string InsertMember = """
        WITH g AS (SELECT id, version FROM groups WHERE organization_id = @OrganizationId AND name = @Name FOR UPDATE),
             u AS (SELECT id FROM users WHERE organization_id = @OrganizationId AND subject = @Subject),
             joined AS (
                 INSERT INTO group_members (organization_id, group_id, user_id)
                 SELECT @OrganizationId, g.id, u.id FROM g, u WHERE @ExpectedVersion::bigint IS NULL OR g.version = @ExpectedVersion
                 ON CONFLICT DO NOTHING
                 RETURNING group_id, user_id
             ),
             group_version AS (UPDATE groups SET version = version + 1 WHERE id IN (SELECT group_id FROM joined)),
             user_version AS (UPDATE users SET version = version + 1 WHERE id IN (SELECT user_id FROM joined))
        SELECT EXISTS (SELECT 1 FROM g) AS group_exists, EXISTS (SELECT 1 FROM u) AS user_exists,
               NOT EXISTS (SELECT 1 FROM g WHERE @ExpectedVersion::bigint IS NOT NULL AND g.version <> @ExpectedVersion) AS version_matches
        """;

    private const string DeleteMember = """
        WITH g AS (SELECT id, version FROM groups WHERE organization_id = @OrganizationId AND name = @Name FOR UPDATE),
             u AS (SELECT id FROM users WHERE organization_id = @OrganizationId AND subject = @Subject),
             removed AS (
                 DELETE FROM group_members m USING g, u
                 WHERE m.group_id = g.id AND m.user_id = u.id AND (@ExpectedVersion::bigint IS NULL OR g.version = @ExpectedVersion)
                 RETURNING m.group_id, m.user_id
             ),
             group_version AS (UPDATE groups SET version = version + 1 WHERE id IN (SELECT group_id FROM removed)),
             user_version AS (UPDATE users SET version = version + 1 WHERE id IN (SELECT user_id FROM removed))
        SELECT EXISTS (SELECT 1 FROM g) AS group_exists, EXISTS (SELECT 1 FROM u) AS user_exists,
               NOT EXISTS (SELECT 1 FROM g WHERE @ExpectedVersion::bigint IS NOT NULL AND g.version <> @ExpectedVersion) AS version_matches
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

    /// <summary>
    /// Renames the group, keeping its members, if its version is <paramref name="expectedVersion"/> (null: whatever it
    /// is); returns the new version, or null when there is none or its version differs. A taken name is a
    /// <see cref="PostgresException"/>.
    /// </summary>
    public async Task<long?> RenameAsync(long organizationId, string name, string newName, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(newName);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(Db.Command(
            Rename, new { OrganizationId = organizationId, Name = name, NewName = newName, ExpectedVersion = expectedVersion }, cancellationToken));
    }

    /// <summary>
    /// Deletes the group and its memberships (cascade) if its version is <paramref name="expectedVersion"/> (null:
    /// whatever it is); false when there is none or its version differs.
    /// </summary>
    public async Task<bool> DeleteAsync(long organizationId, string name, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(Db.Command(
            Delete, new { OrganizationId = organizationId, Name = name, ExpectedVersion = expectedVersion }, cancellationToken)) == 1;
    }

    /// <summary>Adds the member; idempotent. Says whether the group and the user exist.</summary>
    public Task<MembershipChange> AddMemberAsync(long organizationId, string name, string subject, CancellationToken cancellationToken, long? expectedVersion = null) =>
        ChangeMemberAsync(InsertMember, organizationId, name, subject, expectedVersion, cancellationToken);

    /// <summary>Removes the member; idempotent. Says whether the group and the user exist.</summary>
    public Task<MembershipChange> RemoveMemberAsync(long organizationId, string name, string subject, CancellationToken cancellationToken, long? expectedVersion = null) =>
        ChangeMemberAsync(DeleteMember, organizationId, name, subject, expectedVersion, cancellationToken);

    private async Task<MembershipChange> ChangeMemberAsync(string sql, long organizationId, string name, string subject, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<MembershipChange>(
            Db.Command(sql, new { OrganizationId = organizationId, Name = name, Subject = subject, ExpectedVersion = expectedVersion }, cancellationToken));
    }

    private sealed class GroupRow
    {
        public string Name { get; init; } = string.Empty;

        public DateTime CreatedAt { get; init; }

        public long MemberCount { get; init; }

        public long Version { get; init; }

        public GroupInfo ToInfo() => new(Name, Db.FromUtc(CreatedAt), MemberCount, Version);
    }
}

/// <summary>A group as the admin API shows it; <see cref="Version"/>, bumped by every change to it or its members, is its ETag.</summary>
public sealed record GroupInfo(string Name, DateTimeOffset CreatedAt, long MemberCount, long Version = 1);

/// <summary>Whether a membership change found its group and its user.</summary>
public sealed class MembershipChange
{
    public bool GroupExists { get; init; }

    public bool UserExists { get; init; }

    /// <summary>False when an expected version was given and the group (locked for the change) had another: nothing changed.</summary>
    public bool VersionMatches { get; init; } = true;
}
