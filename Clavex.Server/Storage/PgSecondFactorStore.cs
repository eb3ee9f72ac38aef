using System.Text;
using Clavex.Core.Factors;
using Clavex.Core.Interaction;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Users' authenticator apps, passkeys and recovery codes (<c>user_totp</c>, <c>user_passkeys</c>,
/// <c>user_recovery_codes</c>). A TOTP secret is sealed with the master key (<see cref="KeyEncryption"/>), bound to its
/// organisation and subject, so a row copied to another user fails to open; a passkey's public key is not secret.
/// </summary>
public sealed class PgSecondFactorStore(NpgsqlDataSource dataSource, KeyEncryption encryption) : ISecondFactorStore
{
    // The user, its groups, its lock, its grace-period start, its app and the count of unused recovery codes: one query.
    private const string Select = """
        SELECT u.subject, u.username, u.enabled, u.locked_until,
               ARRAY(SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id
                     WHERE m.organization_id = u.organization_id AND m.user_id = u.id ORDER BY g.name COLLATE "C") AS groups,
               greatest(u.created_at, u.mfa_reset_at) AS enrolment_clock_start,
               t.secret_sealed, t.created_at AS totp_created_at, t.confirmed_at, t.last_used_step, t.last_used_at,
               (SELECT count(*) FROM user_recovery_codes c
                WHERE c.organization_id = u.organization_id AND c.subject = u.subject AND c.used_at IS NULL)::int AS recovery_codes_left
        FROM users u
        LEFT JOIN user_totp t ON t.organization_id = u.organization_id AND t.subject = u.subject
        WHERE u.organization_id = @OrganizationId AND u.subject = @Subject;
        """ + PasskeyColumns + """

        FROM user_passkeys WHERE organization_id = @OrganizationId AND subject = @Subject ORDER BY id
        """;

    private const string PasskeyColumns = """
        SELECT id, credential_id, name, public_key, user_handle, sign_count, backup_eligible, backed_up, transports, created_at, last_used_at
        """;

    private const string SelectPasskey = PasskeyColumns + """
        , subject FROM user_passkeys WHERE organization_id = @OrganizationId AND credential_id = @CredentialId
        """;

    // The credential id is unique per organisation; a conflict inserts nothing and returns no id.
    private const string InsertPasskey = """
        INSERT INTO user_passkeys (organization_id, subject, credential_id, public_key, user_handle, sign_count, backup_eligible, backed_up,
                                   transports, aaguid, name, created_at)
        SELECT @OrganizationId, @Subject, @CredentialId, @PublicKey, @UserHandle, @SignCount, @BackupEligible, @BackedUp, @Transports, @Aaguid, @Name, @Now
        WHERE EXISTS (SELECT 1 FROM users WHERE organization_id = @OrganizationId AND subject = @Subject)
        ON CONFLICT ON CONSTRAINT user_passkeys_credential_unique DO NOTHING
        RETURNING id
        """;

    // Compare-and-set on the counter: of two assertions verified against the same stored count, one moves it.
    private const string RecordPasskeyUse = """
        WITH used AS (
            UPDATE user_passkeys SET sign_count = @SignCount, backed_up = @BackedUp, last_used_at = @Now
            WHERE organization_id = @OrganizationId AND subject = @Subject AND id = @Id AND sign_count = @PreviousSignCount
            RETURNING subject)
        UPDATE users SET failed_second_factor_count = 0
        WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM used)
        RETURNING 1
        """;

    private const string RemovePasskey = """
        DELETE FROM user_passkeys WHERE organization_id = @OrganizationId AND subject = @Subject AND id = @Id
        """;

    private const string UserExists = """
        SELECT 1 FROM users WHERE organization_id = @OrganizationId AND subject = @Subject
        """;

    // Replaces an unconfirmed app, never a confirmed one.
    private const string Begin = """
        INSERT INTO user_totp (organization_id, subject, secret_sealed, created_at)
        SELECT @OrganizationId, @Subject, @Secret, @Now
        WHERE EXISTS (SELECT 1 FROM users WHERE organization_id = @OrganizationId AND subject = @Subject)
        ON CONFLICT (organization_id, subject) DO UPDATE
            SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, last_used_step = 0, last_used_at = NULL
            WHERE user_totp.confirmed_at IS NULL
        """;

    private const string Confirm = """
        UPDATE user_totp SET confirmed_at = @Now, last_used_step = @Step, last_used_at = @Now
        WHERE organization_id = @OrganizationId AND subject = @Subject AND confirmed_at IS NULL
        """;

    private const string DeleteCodes = """
        DELETE FROM user_recovery_codes WHERE organization_id = @OrganizationId AND subject = @Subject
        """;

    private const string InsertCodes = """
        INSERT INTO user_recovery_codes (organization_id, subject, code_hash, created_at)
        SELECT @OrganizationId, @Subject, unnest(@Hashes), @Now
        """;

    // The step must move forward: two requests with the same code cannot both pass (the row lock orders them).
    private const string RecordUse = """
        WITH used AS (
            UPDATE user_totp SET last_used_step = @Step, last_used_at = @Now
            WHERE organization_id = @OrganizationId AND subject = @Subject AND confirmed_at IS NOT NULL AND last_used_step < @Step
            RETURNING subject)
        UPDATE users SET failed_second_factor_count = 0
        WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM used)
        RETURNING 1
        """;

    private const string UseCode = """
        WITH used AS (
            UPDATE user_recovery_codes SET used_at = @Now
            WHERE organization_id = @OrganizationId AND subject = @Subject AND code_hash = @Hash AND used_at IS NULL
            RETURNING subject),
        cleared AS (
            UPDATE users SET failed_second_factor_count = 0
            WHERE organization_id = @OrganizationId AND subject IN (SELECT subject FROM used))
        SELECT (SELECT count(*) FROM user_recovery_codes
                WHERE organization_id = @OrganizationId AND subject = @Subject AND used_at IS NULL)::int - 1
        FROM used
        """;

    // Like PgUserStore's failed password: one statement, counted only for an enabled, unlocked user; the lock is the
    // same locked_until a wrong password sets, and starting one moves the admin version.
    private const string RecordFailure = """
        UPDATE users u SET
            failed_second_factor_count = CASE WHEN a.starts_lock THEN 0 ELSE u.failed_second_factor_count + 1 END,
            locked_until = CASE WHEN a.starts_lock THEN @LockedUntil ELSE u.locked_until END,
            version = CASE WHEN a.starts_lock THEN u.version + 1 ELSE u.version END
        FROM (SELECT id, failed_second_factor_count + 1 >= @MaxFailures AS starts_lock
              FROM users
              WHERE organization_id = @OrganizationId AND subject = @Subject AND enabled
                AND (locked_until IS NULL OR locked_until <= @Now)
              FOR UPDATE) a
        WHERE u.id = a.id
        RETURNING CASE WHEN u.locked_until > @Now THEN u.locked_until END AS locked_until, a.starts_lock AS started_lock
        """;

    private const string RemoveTotp = """
        DELETE FROM user_totp WHERE organization_id = @OrganizationId AND subject = @Subject
        """;

    private const string Reset = """
        WITH totp AS (DELETE FROM user_totp WHERE organization_id = @OrganizationId AND subject = @Subject),
             passkeys AS (DELETE FROM user_passkeys WHERE organization_id = @OrganizationId AND subject = @Subject),
             codes AS (DELETE FROM user_recovery_codes WHERE organization_id = @OrganizationId AND subject = @Subject)
        UPDATE users SET mfa_reset_at = @Now, failed_second_factor_count = 0
        WHERE organization_id = @OrganizationId AND subject = @Subject
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly KeyEncryption _encryption = encryption ?? throw new ArgumentNullException(nameof(encryption));

    public async Task<SecondFactorAccount?> FindAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using SqlMapper.GridReader results = await connection.QueryMultipleAsync(
            Db.Command(Select, new { OrganizationId = organizationId, Subject = subject }, cancellationToken));
        AccountRow? row = await results.ReadSingleOrDefaultAsync<AccountRow>();
        if (row is null)
        {
            return null;
        }

        var passkeys = new List<PasskeyCredential>();
        foreach (PasskeyRow passkey in await results.ReadAsync<PasskeyRow>())
        {
            passkeys.Add(passkey.ToCredential());
        }

        TotpAuthenticator? totp = row.SecretSealed is null
            ? null
            : new TotpAuthenticator(
                _encryption.Decrypt(row.SecretSealed, AssociatedData(organizationId, subject)),
                Db.FromUtc(row.TotpCreatedAt!.Value),
                Db.FromUtc(row.ConfirmedAt),
                row.LastUsedStep ?? 0,
                Db.FromUtc(row.LastUsedAt));
        return new SecondFactorAccount(
            row.Subject, row.Username, row.Enabled, Db.FromUtc(row.LockedUntil), row.Groups, Db.FromUtc(row.EnrolmentClockStart), totp, row.RecoveryCodesLeft,
            passkeys);
    }

    public async Task<(string Subject, PasskeyCredential Passkey)?> FindPasskeyAsync(long organizationId, byte[] credentialId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        PasskeyRow? row = await connection.QuerySingleOrDefaultAsync<PasskeyRow>(
            Db.Command(SelectPasskey, new { OrganizationId = organizationId, CredentialId = credentialId }, cancellationToken));
        return row is null ? null : (row.Subject, row.ToCredential());
    }

    public async Task<long?> AddPasskeyAsync(
        long organizationId, string subject, NewPasskey passkey, byte[] userHandle, string name, IReadOnlyList<byte[]>? recoveryCodeHashes,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(passkey);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? id = await connection.ExecuteScalarAsync<long?>(Db.Command(InsertPasskey, new
        {
            OrganizationId = organizationId,
            Subject = subject,
            passkey.CredentialId,
            passkey.PublicKey,
            UserHandle = userHandle,
            SignCount = (long)passkey.SignCount,
            passkey.BackupEligible,
            passkey.BackedUp,
            Transports = passkey.Transports.ToArray(),
            passkey.Aaguid,
            Name = name,
            Now = Db.Utc(now),
        }, cancellationToken, transaction));
        if (id is null)
        {
            return null;
        }

        if (recoveryCodeHashes is not null)
        {
            await ReplaceCodesAsync(connection, transaction, organizationId, subject, recoveryCodeHashes, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<bool> RecordPasskeyUseAsync(
        long organizationId, string subject, long passkeyId, uint previousSignCount, uint signCount, bool backedUp, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(Db.Command(RecordPasskeyUse, new
        {
            OrganizationId = organizationId,
            Subject = subject,
            Id = passkeyId,
            PreviousSignCount = (long)previousSignCount,
            SignCount = (long)signCount,
            BackedUp = backedUp,
            Now = Db.Utc(now),
        }, cancellationToken)) == 1;
    }

    public async Task<bool> RemovePasskeyAsync(long organizationId, string subject, long passkeyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(RemovePasskey, new { OrganizationId = organizationId, Subject = subject, Id = passkeyId }, cancellationToken)) == 1;
    }

    public async Task<bool> ReplaceRecoveryCodesAsync(
        long organizationId, string subject, IReadOnlyList<byte[]> codeHashes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(codeHashes);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<int?>(Db.Command(UserExists, new { OrganizationId = organizationId, Subject = subject }, cancellationToken, transaction)) is null)
        {
            return false;
        }

        await ReplaceCodesAsync(connection, transaction, organizationId, subject, codeHashes, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> BeginTotpAsync(long organizationId, string subject, byte[] secret, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(secret);
        byte[] sealedSecret = _encryption.Encrypt(secret, AssociatedData(organizationId, subject));
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(
            Begin, new { OrganizationId = organizationId, Subject = subject, Secret = sealedSecret, Now = Db.Utc(now) }, cancellationToken)) == 1;
    }

    public async Task<bool> ConfirmTotpAsync(
        long organizationId, string subject, long timeStep, IReadOnlyList<byte[]>? recoveryCodeHashes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        var key = new { OrganizationId = organizationId, Subject = subject, Step = timeStep, Now = Db.Utc(now) };
        if (await connection.ExecuteAsync(Db.Command(Confirm, key, cancellationToken, transaction)) != 1)
        {
            return false;
        }

        if (recoveryCodeHashes is not null)
        {
            await ReplaceCodesAsync(connection, transaction, organizationId, subject, recoveryCodeHashes, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> RecordTotpUseAsync(long organizationId, string subject, long timeStep, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(Db.Command(
            RecordUse, new { OrganizationId = organizationId, Subject = subject, Step = timeStep, Now = Db.Utc(now) }, cancellationToken)) == 1;
    }

    public async Task<int?> UseRecoveryCodeAsync(long organizationId, string subject, byte[] codeHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(codeHash);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // The count is read in the same snapshot as the update, so it still counts the code just used: hence the - 1.
        return await connection.ExecuteScalarAsync<int?>(Db.Command(
            UseCode, new { OrganizationId = organizationId, Subject = subject, Hash = codeHash, Now = Db.Utc(now) }, cancellationToken));
    }

    public async Task<FailedSignIn> RecordFailedCodeAsync(
        long organizationId, string subject, int maxFailures, DateTimeOffset now, DateTimeOffset lockedUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        FailureRow? row = await connection.QuerySingleOrDefaultAsync<FailureRow>(Db.Command(RecordFailure, new
        {
            OrganizationId = organizationId, Subject = subject, MaxFailures = maxFailures, Now = Db.Utc(now), LockedUntil = Db.Utc(lockedUntil),
        }, cancellationToken));
        return row is null ? default : new FailedSignIn(Db.FromUtc(row.LockedUntil), row.StartedLock);
    }

    public async Task<bool> RemoveTotpAsync(long organizationId, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(RemoveTotp, new { OrganizationId = organizationId, Subject = subject }, cancellationToken)) == 1;
    }

    public async Task<bool> ResetAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subject);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(Db.Command(
            Reset, new { OrganizationId = organizationId, Subject = subject, Now = Db.Utc(now) }, cancellationToken)) == 1;
    }

    private static async Task ReplaceCodesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long organizationId, string subject, IReadOnlyList<byte[]> hashes, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var key = new { OrganizationId = organizationId, Subject = subject };
        await connection.ExecuteAsync(Db.Command(DeleteCodes, key, cancellationToken, transaction));
        await connection.ExecuteAsync(Db.Command(
            InsertCodes, new { OrganizationId = organizationId, Subject = subject, Hashes = hashes.ToArray(), Now = Db.Utc(now) }, cancellationToken, transaction));
    }

    internal static byte[] AssociatedData(long organizationId, string subject)
    {
        // Organisation, purpose and subject: a sealed TOTP secret opens only for the user it was sealed for.
        const string Purpose = "totp:";
        var data = new byte[sizeof(long) + Purpose.Length + Encoding.UTF8.GetByteCount(subject)];
        BitConverter.TryWriteBytes(data, organizationId);
        Encoding.ASCII.GetBytes(Purpose, data.AsSpan(sizeof(long)));
        Encoding.UTF8.GetBytes(subject, data.AsSpan(sizeof(long) + Purpose.Length));
        return data;
    }

    private sealed class AccountRow
    {
        public string Subject { get; init; } = string.Empty;

        public string Username { get; init; } = string.Empty;

        public bool Enabled { get; init; }

        public DateTime? LockedUntil { get; init; }

        public string[] Groups { get; init; } = [];

        public DateTime EnrolmentClockStart { get; init; }

        public byte[]? SecretSealed { get; init; }

        public DateTime? TotpCreatedAt { get; init; }

        public DateTime? ConfirmedAt { get; init; }

        public long? LastUsedStep { get; init; }

        public DateTime? LastUsedAt { get; init; }

        public int RecoveryCodesLeft { get; init; }
    }

    private sealed class PasskeyRow
    {
        public long Id { get; init; }

        public string Subject { get; init; } = string.Empty;

        public byte[] CredentialId { get; init; } = [];

        public string Name { get; init; } = string.Empty;

        public byte[] PublicKey { get; init; } = [];

        public byte[] UserHandle { get; init; } = [];

        public long SignCount { get; init; }

        public bool BackupEligible { get; init; }

        public bool BackedUp { get; init; }

        public string[] Transports { get; init; } = [];

        public DateTime CreatedAt { get; init; }

        public DateTime? LastUsedAt { get; init; }

        public PasskeyCredential ToCredential() => new(
            Id, CredentialId, Name, PublicKey, UserHandle, (uint)SignCount, BackupEligible, BackedUp, Transports, Db.FromUtc(CreatedAt), Db.FromUtc(LastUsedAt));
    }

    private sealed class FailureRow
    {
        public DateTime? LockedUntil { get; init; }

        public bool StartedLock { get; init; }
    }
}
