using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// The lifecycle of an organisation's signing keys: a rotation publishes a 'next' key that starts signing
/// <see cref="PublicationLead"/> later; the key it replaces becomes 'previous' and stays published until every token
/// it signed has expired, then is 'retired' (unpublished, private key wiped). <see cref="RunOnceAsync"/> carries out
/// what is due (promotions, retirements, scheduled rotations); <c>KeyRotationService</c> calls it every minute on
/// every instance.
/// <para>
/// Several instances may run it at once: each organisation's changes happen in one transaction that first locks the
/// organisation's row and then reads the keys afresh, so whoever comes second finds nothing left to do. Every change
/// sends <see cref="CacheChanges.SigningKeys"/> and writes its audit event in that transaction.
/// </para>
/// </summary>
public sealed partial class KeyRotation(NpgsqlDataSource dataSource, PgSigningKeyStore keys, TimeProvider timeProvider, ILogger<KeyRotation> logger)
{
    /// <summary>
    /// How long a next key is published before it signs: twice the JWKS cache lifetime, so a relying party that
    /// cached the JWK Set just before the key appeared has refetched it before the first token the key signs.
    /// </summary>
    public static readonly TimeSpan PublicationLead = 2 * JwkSet.CacheLifetime;

    /// <summary>
    /// Added to the longest token lifetime before a previous key is retired: relying parties accept tokens a few
    /// minutes past exp for clock skew (five minutes in Microsoft.IdentityModel, for one).
    /// </summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a previous key stays published after it stops signing: the longest access or ID token lifetime any
    /// client may have (<see cref="TokenLifetimes.MaxSignedTokenLifetime"/>), plus <see cref="ClockSkewAllowance"/>,
    /// plus <see cref="CacheChangeListener.RefreshInterval"/>.
    /// <para>
    /// Deliberately not the lifetimes the organisation's clients have at the switch: a client lowered from a day to
    /// ten minutes (or deleted) just before it still has day-long tokens out that this key signed, and an instance
    /// whose client cache missed the change goes on issuing with the old lifetime for a while. The ceiling bounds
    /// every lifetime a client can ever have had (the admin API and PgClientStore refuse longer ones), so the wait is
    /// right whatever happened to the clients, without tracking it. RefreshInterval covers an instance whose caches
    /// missed a notification and signs with this key a little past the switch. The cost: a previous key stays in the
    /// JWK Set for about a day after each rotation, which relying parties do not mind.
    /// </para>
    /// </summary>
    public static readonly TimeSpan RetirementDelay =
        TokenLifetimes.MaxSignedTokenLifetime + ClockSkewAllowance + CacheChangeListener.RefreshInterval;

    /// <summary>The actor of changes nobody asked for: scheduled rotations, promotions and retirements.</summary>
    public const string SystemActor = "system";

    private const string Columns = "kid, algorithm, state, created_at, activates_at, activated_at, retire_after, retired_at";

    private const string SelectKeys = $"""
        SELECT {Columns} FROM signing_keys WHERE organization_id = @OrganizationId
        ORDER BY CASE state WHEN 'next' THEN 0 WHEN 'current' THEN 1 WHEN 'previous' THEN 2 ELSE 3 END, created_at DESC, kid
        """;

    // Organisations with something due; the transaction of each checks again under the lock.
    private const string SelectDue = """
        SELECT o.id FROM organizations o
        WHERE EXISTS (SELECT 1 FROM signing_keys k
                      WHERE k.organization_id = o.id
                        AND ((k.state = 'next' AND k.activates_at <= @Now) OR (k.state = 'previous' AND k.retire_after <= @Now)))
           OR (o.key_rotation_days IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM signing_keys k WHERE k.organization_id = o.id AND k.state = 'next')
               AND EXISTS (SELECT 1 FROM signing_keys k
                           WHERE k.organization_id = o.id AND k.state = 'current'
                             AND coalesce(k.activated_at, k.created_at) <= @Now - make_interval(days => o.key_rotation_days)))
        ORDER BY o.id
        """;

    // NO KEY UPDATE: serialises rotations of one organisation without blocking the inserts that reference its row; it
    // also waits for an admin UPDATE of the row (a PATCH) in flight, so the version read here is the one the rotation
    // writes over, and If-Match is checked against it.
    private const string LockOrganization = """
        SELECT slug, signing_algorithm, key_rotation_days, version FROM organizations WHERE id = @OrganizationId FOR NO KEY UPDATE
        """;

    // An admin change of the organisation like a PATCH: the version (its ETag) moves, so a PATCH with the ETag read
    // before the rotation is refused rather than silently undoing the new algorithm.
    private const string SetAlgorithm = """
        UPDATE organizations SET signing_algorithm = @Algorithm, updated_at = now(), version = version + 1 WHERE id = @OrganizationId
        """;

    private const string SelectDueNext = """
        SELECT kid FROM signing_keys WHERE organization_id = @OrganizationId AND state = 'next' AND activates_at <= @Now
        """;

    private const string SelectCurrentActivatedAt = """
        SELECT coalesce(activated_at, created_at) FROM signing_keys WHERE organization_id = @OrganizationId AND state = 'current'
        """;

    private const string Demote = """
        UPDATE signing_keys SET state = 'previous', retire_after = @RetireAfter
        WHERE organization_id = @OrganizationId AND state = 'current' RETURNING kid
        """;

    // The key has signed since activates_at, on every instance that had read it (PgSigningKeyStore follows the clock).
    private const string Promote = """
        UPDATE signing_keys SET state = 'current', activated_at = activates_at
        WHERE organization_id = @OrganizationId AND kid = @Kid
        """;

    private const string Retire = """
        UPDATE signing_keys SET state = 'retired', retired_at = @Now, private_key = NULL
        WHERE organization_id = @OrganizationId AND state = 'previous' AND retire_after <= @Now RETURNING kid
        """;

    private const string RetireSigning = """
        UPDATE signing_keys SET state = 'retired', retired_at = @Now, private_key = NULL
        WHERE organization_id = @OrganizationId AND state IN ('current', 'next') RETURNING kid
        """;

    private const string SelectPending = $"""
        SELECT {Columns} FROM signing_keys WHERE organization_id = @OrganizationId AND state = 'next'
        """;

    private const string Insert = $"""
        INSERT INTO signing_keys (organization_id, kid, algorithm, state, public_jwk, private_key, created_at, activates_at, activated_at)
        VALUES (@OrganizationId, @Kid, @Algorithm, @State, @PublicJwk::jsonb, @PrivateKey, @Now, @ActivatesAt, @ActivatedAt)
        RETURNING {Columns}
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly PgSigningKeyStore _keys = keys ?? throw new ArgumentNullException(nameof(keys));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>The organisation's keys, pending first, retired last.</summary>
    public async Task<IReadOnlyList<SigningKeyInfo>> ListAsync(long organizationId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        IEnumerable<KeyRow> rows = await connection.QueryAsync<KeyRow>(Db.Command(SelectKeys, new { OrganizationId = organizationId }, cancellationToken));
        return [.. rows.Select(r => r.ToInfo())];
    }

    /// <summary>
    /// Rotates on request. Normally a next key is published that signs after <see cref="PublicationLead"/>; with
    /// <paramref name="immediate"/> (a compromised key) a new key signs at once and the current and any next key are
    /// unpublished at once. An <paramref name="algorithm"/> also becomes the organisation's, so scheduled rotations keep it.
    /// With <paramref name="expectedVersion"/> (If-Match) nothing is written unless the organisation still has that
    /// version under the row lock: <see cref="RotationOutcome.PreconditionFailed"/>.
    /// </summary>
    public async Task<RotationOutcome> RotateAsync(
        long organizationId, JwsAlgorithm? algorithm, bool immediate, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        OrganizationRow organization = await LockAsync(connection, transaction, organizationId, cancellationToken);
        if (expectedVersion is long expected && organization.Version != expected)
        {
            return RotationOutcome.Stale(organization.Version, organization.SigningAlgorithm);
        }

        // Under the row lock, so no PATCH or other rotation can move the algorithm between this check and the change.
        string algorithmName = algorithm is null ? organization.SigningAlgorithm : JwsAlgorithms.GetName(algorithm.Value);
        if (algorithmName != organization.SigningAlgorithm)
        {
            IReadOnlyList<AlgorithmPin> conflicts = await AlgorithmPins.FindConflictsAsync(connection, transaction, organizationId, algorithmName, cancellationToken);
            if (conflicts.Count > 0)
            {
                return new RotationOutcome(null, null, [], organization.SigningAlgorithm, organization.SigningAlgorithm) { PinConflicts = conflicts };
            }
        }

        if (!immediate)
        {
            KeyRow? pending = await connection.QuerySingleOrDefaultAsync<KeyRow>(
                Db.Command(SelectPending, new { OrganizationId = organizationId }, cancellationToken, transaction));
            if (pending is not null)
            {
                return new RotationOutcome(null, pending.ToInfo(), [], organization.SigningAlgorithm, organization.SigningAlgorithm);
            }
        }

        if (algorithmName != organization.SigningAlgorithm)
        {
            await connection.ExecuteAsync(Db.Command(SetAlgorithm, new { OrganizationId = organizationId, Algorithm = algorithmName }, cancellationToken, transaction));
            await CacheChanges.NotifyAsync(connection, CacheChanges.Organization(organizationId, organization.Slug), cancellationToken, transaction);
        }

        IReadOnlyList<string> unpublished = [];
        SigningKeyInfo key;
        if (immediate)
        {
            unpublished = [.. await connection.QueryAsync<string>(Db.Command(RetireSigning, new { OrganizationId = organizationId, Now = Db.Utc(now) }, cancellationToken, transaction))];
            key = await InsertAsync(connection, transaction, organizationId, algorithmName, now, activatesAt: null, cancellationToken);
        }
        else
        {
            key = await InsertAsync(connection, transaction, organizationId, algorithmName, now, now + PublicationLead, cancellationToken);
        }

        await CacheChanges.NotifyAsync(connection, CacheChanges.SigningKeys(organizationId), cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
        _keys.Invalidate(organizationId);
        return new RotationOutcome(key, null, unpublished, organization.SigningAlgorithm, algorithmName);
    }

    /// <summary>Carries out whatever is due at <paramref name="now"/> for every organisation; returns how many changes were made.</summary>
    public async Task<int> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<long> due;
        await using (NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            due = [.. await connection.QueryAsync<long>(Db.Command(SelectDue, new { Now = Db.Utc(now) }, cancellationToken))];
        }

        int changes = 0;
        foreach (long organizationId in due)
        {
            changes += await RunForOrganizationAsync(organizationId, now, cancellationToken);
        }

        return changes;
    }

    /// <summary>
    /// One organisation's due changes, in one transaction under its row lock: promote a next key whose time has come
    /// (the current key becomes previous), retire previous keys past retire_after, and schedule a rotation when the
    /// current key has signed for key_rotation_days.
    /// </summary>
    public async Task<int> RunForOrganizationAsync(long organizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        OrganizationRow organization = await LockAsync(connection, transaction, organizationId, cancellationToken);
        var at = new { OrganizationId = organizationId, Now = Db.Utc(now) };
        int changes = 0;

        string? next = await connection.QuerySingleOrDefaultAsync<string>(Db.Command(SelectDueNext, at, cancellationToken, transaction));
        if (next is not null)
        {
            // Not from the clients' lifetimes as they are now: see RetirementDelay. Refresh tokens are opaque and
            // carry no signature; access and ID tokens are bounded by MaxSignedTokenLifetime.
            DateTimeOffset retireAfter = now + RetirementDelay;
            string? old = await connection.QuerySingleOrDefaultAsync<string>(
                Db.Command(Demote, new { OrganizationId = organizationId, RetireAfter = Db.Utc(retireAfter) }, cancellationToken, transaction));
            await connection.ExecuteAsync(Db.Command(Promote, new { OrganizationId = organizationId, Kid = next }, cancellationToken, transaction));
            await AuditAsync(connection, transaction, organizationId, now, "key.activated", cancellationToken,
                ("kid", next), ("previous_kid", old), ("previous_retire_after", retireAfter.ToString("O")));
            LogActivated(logger, organizationId, next, old, retireAfter);
            changes++;
        }

        foreach (string retired in await connection.QueryAsync<string>(Db.Command(Retire, at, cancellationToken, transaction)))
        {
            await AuditAsync(connection, transaction, organizationId, now, "key.retired", cancellationToken, ("kid", retired));
            LogRetired(logger, organizationId, retired);
            changes++;
        }

        if (organization.KeyRotationDays is int days && next is null
            && await connection.QuerySingleOrDefaultAsync<KeyRow>(Db.Command(SelectPending, at, cancellationToken, transaction)) is null
            && await connection.QuerySingleOrDefaultAsync<DateTime?>(Db.Command(SelectCurrentActivatedAt, at, cancellationToken, transaction)) is DateTime activatedAt
            && Db.FromUtc(activatedAt).AddDays(days) <= now)
        {
            SigningKeyInfo key = await InsertAsync(connection, transaction, organizationId, organization.SigningAlgorithm, now, now + PublicationLead, cancellationToken);
            await AuditAsync(connection, transaction, organizationId, now, "key.rotation_scheduled", cancellationToken,
                ("kid", key.Kid), ("algorithm", key.Algorithm), ("activates_at", key.ActivatesAt!.Value.ToString("O")), ("reason", $"key_rotation_days {days}"));
            LogScheduled(logger, organizationId, key.Kid, key.ActivatesAt.Value);
            changes++;
        }

        if (changes > 0)
        {
            await CacheChanges.NotifyAsync(connection, CacheChanges.SigningKeys(organizationId), cancellationToken, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        if (changes > 0)
        {
            _keys.Invalidate(organizationId);
        }

        return changes;
    }

    private static async Task<OrganizationRow> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long organizationId, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<OrganizationRow>(
            Db.Command(LockOrganization, new { OrganizationId = organizationId }, cancellationToken, transaction))
        ?? throw new InvalidOperationException($"There is no organisation {organizationId}.");

    private async Task<SigningKeyInfo> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long organizationId, string algorithmName, DateTimeOffset now, DateTimeOffset? activatesAt, CancellationToken cancellationToken)
    {
        if (!JwsAlgorithms.TryParse(algorithmName, out JwsAlgorithm algorithm))
        {
            throw new InvalidOperationException($"Organisation {organizationId} has the unknown signing algorithm '{algorithmName}'.");
        }

        using JwsKey key = PgSigningKeyStore.Generate(algorithm);
        var parameters = new
        {
            OrganizationId = organizationId,
            Kid = key.KeyId,
            Algorithm = algorithmName,
            State = activatesAt is null ? "current" : "next",
            PublicJwk = PgSigningKeyStore.PublicJwk(key),
            PrivateKey = _keys.Seal(organizationId, key),
            Now = Db.Utc(now),
            ActivatesAt = Db.Utc(activatesAt),
            ActivatedAt = activatesAt is null ? Db.Utc(now) : (DateTimeOffset?)null,
        };
        KeyRow row = await connection.QuerySingleAsync<KeyRow>(Db.Command(Insert, parameters, cancellationToken, transaction));
        return row.ToInfo();
    }

    private static Task AuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long organizationId, DateTimeOffset now, string eventType, CancellationToken cancellationToken,
        params (string Key, string? Value)[] detail)
    {
        // The same shape as AuditLog's events: string members, the actor first.
        var members = new Dictionary<string, string?>(detail.Length + 1, StringComparer.Ordinal) { ["actor"] = SystemActor };
        foreach (var (key, value) in detail)
        {
            members[key] = value;
        }

        var auditEvent = new AuditEvent
        {
            OrganizationId = organizationId,
            OccurredAt = now,
            EventType = eventType,
            Outcome = "success",
            Detail = members,
        };
        return PgAuditEventStore.InsertAsync(connection, transaction, [auditEvent], cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing key {Kid} of organisation {OrganizationId} now signs; {PreviousKid} stays published until {RetireAfter:O}")]
    private static partial void LogActivated(ILogger logger, long organizationId, string kid, string? previousKid, DateTimeOffset retireAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signing key {Kid} of organisation {OrganizationId} is retired and no longer published")]
    private static partial void LogRetired(ILogger logger, long organizationId, string kid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled rotation: signing key {Kid} of organisation {OrganizationId} is published and signs from {ActivatesAt:O}")]
    private static partial void LogScheduled(ILogger logger, long organizationId, string kid, DateTimeOffset activatesAt);

    private sealed class OrganizationRow
    {
        public string Slug { get; init; } = string.Empty;

        public string SigningAlgorithm { get; init; } = "RS256";

        public int? KeyRotationDays { get; init; }

        public long Version { get; init; }
    }

    private sealed class KeyRow
    {
        public string Kid { get; init; } = string.Empty;

        public string Algorithm { get; init; } = string.Empty;

        public string State { get; init; } = string.Empty;

        public DateTime CreatedAt { get; init; }

        public DateTime? ActivatesAt { get; init; }

        public DateTime? ActivatedAt { get; init; }

        public DateTime? RetireAfter { get; init; }

        public DateTime? RetiredAt { get; init; }

        public SigningKeyInfo ToInfo() => new(
            Kid, Algorithm, State, Db.FromUtc(CreatedAt), Db.FromUtc(ActivatesAt), Db.FromUtc(ActivatedAt), Db.FromUtc(RetireAfter), Db.FromUtc(RetiredAt));
    }
}
