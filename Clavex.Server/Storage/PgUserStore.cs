using System.Text.Json;
using Clavex.Core.Interaction;
using Clavex.Core.Stores;
using Clavex.Core.Users;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>Users with their groups. A user is read with its group names in one query; no password hash on that path.</summary>
public sealed class PgUserStore(NpgsqlDataSource dataSource) : IUserStore, ISignInAccountStore
{
    /// <summary>A user's columns over alias <c>u</c>, read into <see cref="UserRow"/>; other stores join users with it.</summary>
    internal const string Columns = """
        u.subject, u.username, u.enabled, u.name, u.given_name, u.family_name, u.middle_name, u.nickname, u.picture,
        u.website, u.locale, u.zoneinfo, u.updated_at, u.email, u.email_verified, u.phone_number,
        u.phone_number_verified, u.address, u.attributes, u.version, u.locked_until,
        ARRAY(SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id
              WHERE m.organization_id = u.organization_id AND m.user_id = u.id
              ORDER BY g.name COLLATE "C") AS groups
        """;

    private const string SelectBySubject = $"""
        SELECT {Columns}
        FROM users u
        WHERE u.organization_id = @OrganizationId AND u.subject = @Subject
        """;

    // Matches users_username_unique, so the lookup is an index scan.
    private const string SelectByUsername = $"""
        SELECT {Columns}, u.password_hash
        FROM users u
        WHERE u.organization_id = @OrganizationId AND lower(u.username) = lower(@Username)
        """;

    // The user, its groups (created when missing) and its memberships in one statement: all or nothing.
    private const string Insert = """
        WITH inserted AS (
            INSERT INTO users (
                organization_id, subject, username, enabled, password_hash, name, given_name, family_name, middle_name,
                nickname, picture, website, locale, zoneinfo, email, email_verified, phone_number,
                phone_number_verified, address, attributes, updated_at)
            VALUES (
                @OrganizationId, @Subject, @Username, @Enabled, @PasswordHash, @Name, @GivenName, @FamilyName, @MiddleName,
                @Nickname, @Picture, @Website, @Locale, @Zoneinfo, @Email, @EmailVerified, @PhoneNumber,
                @PhoneNumberVerified, @Address::jsonb, @Attributes::jsonb, COALESCE(@UpdatedAt, now()))
            RETURNING organization_id, id
        ), named AS (
            INSERT INTO groups (organization_id, name)
            SELECT DISTINCT @OrganizationId, name FROM unnest(@Groups::text[]) AS name
            ON CONFLICT (organization_id, name) DO UPDATE SET name = EXCLUDED.name, version = groups.version + 1
            RETURNING id
        ), joined AS (
            INSERT INTO group_members (organization_id, group_id, user_id)
            SELECT inserted.organization_id, named.id, inserted.id FROM inserted, named
        )
        SELECT id FROM inserted
        """;

    private const string UpdatePasswordHash = """
        UPDATE users SET password_hash = @PasswordHash
        WHERE organization_id = @OrganizationId AND subject = @Subject
          AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
        """;

    // DO UPDATE rather than DO NOTHING so that RETURNING yields the id of a group that already exists.
    private const string InsertMembership = """
        WITH member AS (
            SELECT organization_id, id FROM users WHERE organization_id = @OrganizationId AND subject = @Subject
        ), named AS (
            INSERT INTO groups (organization_id, name)
            SELECT organization_id, @GroupName FROM member
            ON CONFLICT (organization_id, name) DO UPDATE SET name = EXCLUDED.name, version = groups.version + 1
            RETURNING id
        ), joined AS (
            INSERT INTO group_members (organization_id, group_id, user_id)
            SELECT member.organization_id, named.id, member.id FROM member, named
            ON CONFLICT DO NOTHING
        )
        SELECT EXISTS (SELECT 1 FROM member)
        """;

    // Keyset paging on the row id; the pattern is matched with '\' as its escape character (the caller escapes).
    private const string SelectPage = $"""
        SELECT u.id AS row_id, {Columns}
        FROM users u
        WHERE u.organization_id = @OrganizationId AND u.id > @After
          AND (@Pattern::text IS NULL
               OR u.username ILIKE @Pattern ESCAPE '\' OR u.email ILIKE @Pattern ESCAPE '\' OR u.name ILIKE @Pattern ESCAPE '\')
          AND (@Username::text IS NULL OR lower(u.username) = lower(@Username))
          AND (@GroupName::text IS NULL OR EXISTS (
               SELECT 1 FROM group_members m JOIN groups g ON g.id = m.group_id
               WHERE m.organization_id = u.organization_id AND m.user_id = u.id AND g.name = @GroupName))
        ORDER BY u.id
        LIMIT @Limit
        """;

    private const string UpdateProfile = """
        UPDATE users SET
            username = @Username, name = @Name, given_name = @GivenName, family_name = @FamilyName,
            middle_name = @MiddleName, nickname = @Nickname, picture = @Picture, website = @Website, locale = @Locale,
            zoneinfo = @Zoneinfo, email = @Email, email_verified = @EmailVerified, phone_number = @PhoneNumber,
            phone_number_verified = @PhoneNumberVerified, address = @Address::jsonb, attributes = @Attributes::jsonb,
            updated_at = now(), version = version + 1
        WHERE organization_id = @OrganizationId AND subject = @Subject
          AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
        RETURNING version
        """;

    private const string Enable = """
        UPDATE users SET enabled = true, version = version + 1
        WHERE organization_id = @OrganizationId AND subject = @Subject AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
        """;

    // One statement, so a disabled user is never left with a live session or grant: the user is disabled, its
    // provider sessions end, and its grants are revoked (which ends its refresh and access tokens).
    private const string Disable = """
        WITH changed AS (
            UPDATE users SET enabled = false, version = version + 1
            WHERE organization_id = @OrganizationId AND subject = @Subject AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
            RETURNING subject
        ), ended AS (
            DELETE FROM sessions WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM changed)
        ), revoked AS (
            UPDATE grants SET revoked_at = @Now
            WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM changed) AND revoked_at IS NULL
        )
        SELECT count(*) FROM changed
        """;

    // As Disable without disabling: the user's provider sessions end and its grants are revoked, in one statement, so
    // no session or token of the user started before it survives it. The user row is only read (its version stays).
    private const string SignOut = """
        WITH target AS (
            SELECT subject FROM users WHERE organization_id = @OrganizationId AND subject = @Subject
        ), ended AS (
            DELETE FROM sessions WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM target)
            RETURNING 1
        ), revoked AS (
            UPDATE grants SET revoked_at = @Now
            WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM target) AND revoked_at IS NULL
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM target) AS users, (SELECT count(*) FROM ended) AS sessions, (SELECT count(*) FROM revoked) AS grants
        """;

    // As Disable, and the user row goes (its memberships by cascade); consents go with it.
    private const string Delete = """
        WITH deleted AS (
            DELETE FROM users
            WHERE organization_id = @OrganizationId AND subject = @Subject
              AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
            RETURNING id, subject
        ), regrouped AS (
            -- The groups' member counts change, so their versions move.
            UPDATE groups SET version = version + 1
            WHERE id IN (SELECT m.group_id FROM group_members m JOIN deleted d ON m.user_id = d.id)
        ), ended AS (
            DELETE FROM sessions WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM deleted)
        ), revoked AS (
            UPDATE grants SET revoked_at = @Now
            WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM deleted) AND revoked_at IS NULL
        ), forgotten AS (
            DELETE FROM consents WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM deleted)
        )
        SELECT count(*) FROM deleted
        """;

    // Every failed sign-in, whatever its reason, runs this one batch before it is answered, keyed by the username as
    // typed, so that an unknown name runs it too (and matches no row). @Count is true only for a wrong password of a
    // user the lookup read as enabled and unlocked; the row lock orders concurrent attempts and the subquery's
    // FOR UPDATE re-reads the row after waiting, so each counts against the latest count and lock: once the 10th
    // failure commits, a later one finds the lock and counts no more. At the threshold the lock starts and the count
    // starts again. The version moves only when the lock starts: locked_until is part of the admin representation,
    // the count is not. Returns the lock in force after the statement and whether this statement started it.
    //
    // synchronous_commit = off for this transaction only: a matched row (an existing user) then commits without
    // waiting for the WAL flush, so it answers about as fast as an unmatched one (an unknown user, which writes no
    // WAL). The price: after a database crash the last increments of a failure count may be lost (a count that is
    // a few lower, or a lock that starts a few failures later), never an acceptance; that is acceptable for a
    // counter of guesses. BEGIN and COMMIT are in the same command text so that the whole transaction is one round
    // trip (an NpgsqlTransaction's COMMIT would be another).
    // A run of failures lasts LockoutPolicy.FailureWindow from its first: a failure after that starts a new run.
    private const string RecordFailure = """
        BEGIN;
        SET LOCAL synchronous_commit = off;
        UPDATE users u SET
            failed_login_count = CASE WHEN a.starts_lock THEN 0 WHEN a.counted THEN a.run_count + 1 ELSE u.failed_login_count END,
            failed_login_since = CASE WHEN a.starts_lock THEN NULL WHEN a.counted AND a.run_count = 0 THEN @Now ELSE u.failed_login_since END,
            locked_until = CASE WHEN a.starts_lock THEN @LockedUntil ELSE u.locked_until END,
            version = CASE WHEN a.starts_lock THEN u.version + 1 ELSE u.version END
        FROM (SELECT id, counted, run_count, counted AND run_count + 1 >= @MaxFailures AS starts_lock
              FROM (SELECT id,
                           @Count AND enabled AND (locked_until IS NULL OR locked_until <= @Now) AS counted,
                           CASE WHEN failed_login_since IS NULL OR failed_login_since <= @RunStartsAfter THEN 0 ELSE failed_login_count END AS run_count
                    FROM users
                    WHERE organization_id = @OrganizationId AND lower(username) = lower(@Username)
                    FOR UPDATE) r) a
        WHERE u.id = a.id
        RETURNING CASE WHEN u.locked_until > @Now THEN u.locked_until END AS locked_until, a.starts_lock AS started_lock;
        COMMIT
        """;

    // A right password: the count starts again and an expired lock is cleared, unless a concurrent attempt locked the
    // account after this one read it, in which case no row matches and the sign-in is refused as locked. The admin
    // representation shows the stored locked_until (expired or not), so clearing one moves the version.
    private const string RecordSuccess = """
        UPDATE users SET failed_login_count = 0, failed_login_since = NULL, locked_until = NULL,
            version = CASE WHEN locked_until IS NOT NULL THEN version + 1 ELSE version END
        WHERE organization_id = @OrganizationId AND subject = @Subject AND (locked_until IS NULL OR locked_until <= @Now)
        """;

    // Returns the stored lock that was cleared, in force or expired (null when there was none), or no row when there is
    // no such user (or, with @ExpectedVersion, when its version differs). The version moves when locked_until did.
    private const string Unlock = """
        UPDATE users u SET failed_login_count = 0, failed_login_since = NULL, failed_second_factor_count = 0, locked_until = NULL,
            version = CASE WHEN old.locked_until IS NOT NULL THEN u.version + 1 ELSE u.version END
        FROM (SELECT id, locked_until FROM users WHERE organization_id = @OrganizationId AND subject = @Subject
              AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion) FOR UPDATE) old
        WHERE u.id = old.id
        RETURNING old.locked_until AS lifted
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public async ValueTask<User?> FindBySubjectAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        UserRow? row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            Db.Command(SelectBySubject, new { OrganizationId = organizationId, Subject = subject }, cancellationToken));
        return row?.ToUser(organizationId);
    }

    /// <summary>The user whose username is <paramref name="username"/> regardless of case, disabled or not, for sign-in.</summary>
    public async Task<UserCredentials?> FindByUsernameAsync(long organizationId, string username, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        UserRow? row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            Db.Command(SelectByUsername, new { OrganizationId = organizationId, Username = username }, cancellationToken));
        return row is null ? null : new UserCredentials(row.ToUser(organizationId), row.PasswordHash, Db.FromUtc(row.LockedUntil));
    }

    /// <summary>The user as the admin API shows it: with its version (the ETag) and the end of its lock, if any.</summary>
    public async Task<UserAccount?> FindAccountAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        UserRow? row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            Db.Command(SelectBySubject, new { OrganizationId = organizationId, Subject = subject }, cancellationToken));
        return row?.ToAccount(organizationId);
    }

    /// <summary>
    /// Records a failed sign-in of <paramref name="username"/> (which may name no user): when <paramref name="count"/>
    /// (a wrong password of a user read as enabled and unlocked) and the user is still unlocked, one more failure of
    /// the current run (<see cref="LockoutPolicy.FailureWindow"/> from its first), and at the
    /// <paramref name="maxFailures"/>th of a run the user is locked until <paramref name="lockedUntil"/>.
    /// Every failure runs the same statement, so existing and unknown users cost the same database work.
    /// </summary>
    public async Task<FailedSignIn> RecordFailedSignInAsync(
        long organizationId, string username, bool count, int maxFailures, DateTimeOffset now, DateTimeOffset lockedUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(username);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        FailedSignInRow? row = await connection.QuerySingleOrDefaultAsync<FailedSignInRow>(Db.Command(RecordFailure, new
        {
            OrganizationId = organizationId, Username = username, Count = count, MaxFailures = maxFailures, Now = Db.Utc(now), LockedUntil = Db.Utc(lockedUntil),
            RunStartsAfter = Db.Utc(now - LockoutPolicy.FailureWindow),
        }, cancellationToken));
        return row is null ? default : new FailedSignIn(Db.FromUtc(row.LockedUntil), row.StartedLock);
    }

    /// <summary>Clears the failure count after a right password; false when the user is locked (by a concurrent attempt).</summary>
    public async Task<bool> RecordSuccessfulPasswordAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(
            RecordSuccess, new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now) }, cancellationToken)) == 1;
    }

    /// <summary>
    /// Clears the user's stored lock (in force or expired) and its failure count, if its version is
    /// <paramref name="expectedVersion"/> (null: whatever it is). Found is false when there is no such user or its
    /// version differs; Lifted is the stored end of the lock, or null when there was none.
    /// </summary>
    public async Task<(bool Found, DateTimeOffset? Lifted)> UnlockAsync(long organizationId, string subject, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<DateTime?> rows = await connection.QueryAsync<DateTime?>(Db.Command(
            Unlock, new { OrganizationId = organizationId, Subject = subject, ExpectedVersion = expectedVersion }, cancellationToken));
        using IEnumerator<DateTime?> row = rows.GetEnumerator();
        return row.MoveNext() ? (true, Db.FromUtc(row.Current)) : (false, null);
    }

    /// <summary>
    /// Creates the user with its groups (creating groups it names that do not exist yet) and returns its row id. A
    /// user without <see cref="User.UpdatedAt"/> gets the database's current time. A taken subject or username
    /// (in any case) is a <see cref="PostgresException"/>.
    /// </summary>
    public async Task<long> CreateAsync(User user, string? passwordHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        UserParameters parameters = UserParameters.From(user, passwordHash);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(Db.Command(Insert, parameters, cancellationToken));
    }

    /// <summary>
    /// Sets (or, with null, removes) the user's password hash, if its version is <paramref name="expectedVersion"/>
    /// (null: whatever it is); false when there is no such user or its version differs. The hash is not part of the
    /// admin representation, so the version does not move.
    /// </summary>
    public async Task<bool> SetPasswordHashAsync(long organizationId, string subject, string? passwordHash, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(
            UpdatePasswordHash, new { OrganizationId = organizationId, Subject = subject, PasswordHash = passwordHash, ExpectedVersion = expectedVersion }, cancellationToken)) == 1;
    }

    Task ISignInAccountStore.UpdatePasswordHashAsync(long organizationId, string subject, string passwordHash, CancellationToken cancellationToken) =>
        SetPasswordHashAsync(organizationId, subject, passwordHash, cancellationToken);

    /// <summary>Adds the user to the group, creating the group if needed; idempotent. False when there is no such user.</summary>
    public async Task<bool> AddToGroupAsync(long organizationId, string subject, string groupName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(groupName);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(Db.Command(
            InsertMembership, new { OrganizationId = organizationId, Subject = subject, GroupName = groupName }, cancellationToken));
    }

    /// <summary>
    /// Up to <paramref name="limit"/> users after row <paramref name="after"/>, in creation order, whose username,
    /// email or name matches the ILIKE <paramref name="pattern"/> (null: all); with each user's row id for the next page.
    /// </summary>
    public async Task<IReadOnlyList<(long RowId, UserAccount Account)>> ListAsync(
        long organizationId, string? pattern, long after, int limit, CancellationToken cancellationToken, string? username = null, string? groupName = null)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<UserRow> rows = await connection.QueryAsync<UserRow>(Db.Command(SelectPage, new
        {
            OrganizationId = organizationId, Pattern = pattern, After = after, Limit = limit, Username = username, GroupName = groupName,
        }, cancellationToken));
        return [.. rows.Select(r => (r.RowId, r.ToAccount(organizationId)))];
    }

    /// <summary>
    /// Replaces the user's username and profile (not its password, groups or enabled flag) and sets updated_at, if
    /// its version is <paramref name="expectedVersion"/> (null: whatever it is); returns the new version, or null when
    /// there is no such user or its version differs. A username taken in any case is a <see cref="PostgresException"/>.
    /// </summary>
    public async Task<long?> UpdateProfileAsync(User user, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var parameters = new DynamicParameters(UserParameters.From(user, passwordHash: null));
        parameters.Add("ExpectedVersion", expectedVersion, System.Data.DbType.Int64);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(Db.Command(UpdateProfile, parameters, cancellationToken));
    }

    /// <summary>
    /// Enables the user, or disables it and, atomically, ends its sessions and revokes its grants, if its version is
    /// <paramref name="expectedVersion"/> (null: whatever it is). False when there is no such user or its version differs.
    /// </summary>
    public async Task<bool> SetEnabledAsync(long organizationId, string subject, bool enabled, DateTimeOffset now, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now), ExpectedVersion = expectedVersion };
        return enabled
            ? await connection.ExecuteAsync(Db.Command(Enable, parameters, cancellationToken)) == 1
            : await connection.ExecuteScalarAsync<long>(Db.Command(Disable, parameters, cancellationToken)) == 1;
    }

    /// <summary>
    /// Ends every provider session of the user and revokes every grant (so its refresh and access tokens), in one
    /// statement; null when there is no such user, else how many sessions ended and how many grants were revoked.
    /// </summary>
    public async Task<(int Sessions, int Grants)?> SignOutEverywhereAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        (long users, long sessions, long grants) = await connection.QuerySingleAsync<(long, long, long)>(Db.Command(
            SignOut, new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now) }, cancellationToken));
        return users == 1 ? ((int)sessions, (int)grants) : null;
    }

    /// <summary>
    /// Deletes the user, if its version is <paramref name="expectedVersion"/> (null: whatever it is), and, atomically,
    /// ends its sessions and revokes its grants; false when there is no such user or its version differs.
    /// </summary>
    public async Task<bool> DeleteAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(Db.Command(
            Delete, new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now), ExpectedVersion = expectedVersion }, cancellationToken)) == 1;
    }

    private sealed class FailedSignInRow
    {
        public DateTime? LockedUntil { get; init; }

        public bool StartedLock { get; init; }
    }

    internal sealed class UserRow
    {
        public long RowId { get; init; }

        public string Subject { get; init; } = string.Empty;

        public string Username { get; init; } = string.Empty;

        public bool Enabled { get; init; }

        public string? Name { get; init; }

        public string? GivenName { get; init; }

        public string? FamilyName { get; init; }

        public string? MiddleName { get; init; }

        public string? Nickname { get; init; }

        public string? Picture { get; init; }

        public string? Website { get; init; }

        public string? Locale { get; init; }

        public string? Zoneinfo { get; init; }

        public DateTime UpdatedAt { get; init; }

        public string? Email { get; init; }

        public bool EmailVerified { get; init; }

        public string? PhoneNumber { get; init; }

        public bool PhoneNumberVerified { get; init; }

        public string? Address { get; init; }

        public string Attributes { get; init; } = "{}";

        public string[] Groups { get; init; } = [];

        public string? PasswordHash { get; init; }

        public long Version { get; init; }

        public DateTime? LockedUntil { get; init; }

        public UserAccount ToAccount(long organizationId) => new(ToUser(organizationId), Version, Db.FromUtc(LockedUntil));

        public User ToUser(long organizationId) => new()
        {
            OrganizationId = organizationId,
            Subject = Subject,
            Username = Username,
            Enabled = Enabled,
            Name = Name,
            GivenName = GivenName,
            FamilyName = FamilyName,
            MiddleName = MiddleName,
            Nickname = Nickname,
            Picture = Picture,
            Website = Website,
            Locale = Locale,
            Zoneinfo = Zoneinfo,
            UpdatedAt = Db.FromUtc(UpdatedAt),
            Email = Email,
            EmailVerified = EmailVerified,
            PhoneNumber = PhoneNumber,
            PhoneNumberVerified = PhoneNumberVerified,
            Address = Address is null ? null : JsonSerializer.Deserialize(Address, StorageJson.Default.PostalAddress),
            Attributes = JsonSerializer.Deserialize(Attributes, StorageJson.Default.DictionaryStringString) ?? [],
            Groups = Groups,
        };
    }

    /// <summary>The parameters of the insert and the profile update; each statement binds only the names it uses.</summary>
    private sealed record UserParameters(
        long OrganizationId, string Subject, string Username, bool Enabled, string? PasswordHash,
        string? Name, string? GivenName, string? FamilyName, string? MiddleName, string? Nickname, string? Picture,
        string? Website, string? Locale, string? Zoneinfo, string? Email, bool EmailVerified, string? PhoneNumber,
        bool PhoneNumberVerified, string? Address, string Attributes, DateTimeOffset? UpdatedAt, string[] Groups)
    {
        public static UserParameters From(User user, string? passwordHash) => new(
            user.OrganizationId, user.Subject, user.Username, user.Enabled, passwordHash,
            user.Name, user.GivenName, user.FamilyName, user.MiddleName, user.Nickname, user.Picture,
            user.Website, user.Locale, user.Zoneinfo, user.Email, user.EmailVerified, user.PhoneNumber,
            user.PhoneNumberVerified,
            user.Address is null ? null : JsonSerializer.Serialize(user.Address, StorageJson.Default.PostalAddress),
            JsonSerializer.Serialize(new Dictionary<string, string>(user.Attributes), StorageJson.Default.DictionaryStringString),
            Db.Utc(user.UpdatedAt),
            [.. user.Groups]);
    }
}
