using Clavex.Core.Factors;
using Clavex.Core.Users;
using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>Organisations: the tenants every other table is scoped to.</summary>
public sealed class PgOrganizationStore(NpgsqlDataSource dataSource)
{
    private const string Insert = """
        INSERT INTO organizations (slug, display_name, signing_algorithm, key_rotation_days)
        VALUES (@Slug, @DisplayName, @SigningAlgorithm, @KeyRotationDays) RETURNING id
        """;

    private const string SelectBySlug = """
        SELECT id, slug, display_name, mfa_policy, mfa_groups, mfa_grace_period_seconds, mfa_required_since, password_min_length,
               mfa_factors, passwordless, logo_uri, accent_color, request_limits::text AS request_limits
        FROM organizations WHERE slug = @Slug
        """;

    private const string DetailColumns = """
        id, slug, display_name, created_at, updated_at, version, signing_algorithm, key_rotation_days,
        mfa_policy, mfa_groups, mfa_grace_period_seconds, mfa_required_since, password_min_length, mfa_factors, passwordless,
        logo_uri, accent_color, request_limits::text AS request_limits
        """;

    private const string SelectDetailsBySlug = $"""
        SELECT {DetailColumns} FROM organizations WHERE slug = @Slug
        """;

    private const string SelectAll = $"""
        SELECT {DetailColumns} FROM organizations ORDER BY slug
        """;

    // A null display name or algorithm keeps the stored one; key_rotation_days is set only when asked, since null
    // turns it off. With an expected version, a stale one changes nothing (If-Match).
    private const string Update = $"""
        UPDATE organizations
        SET display_name = coalesce(@DisplayName, display_name),
            signing_algorithm = coalesce(@SigningAlgorithm, signing_algorithm),
            key_rotation_days = CASE WHEN @SetKeyRotationDays THEN @KeyRotationDays ELSE key_rotation_days END,
            mfa_policy = coalesce(@MfaPolicy::text, mfa_policy),
            mfa_groups = coalesce(@MfaGroups::text[], mfa_groups),
            mfa_grace_period_seconds = coalesce(@MfaGracePeriodSeconds::int, mfa_grace_period_seconds),
            password_min_length = coalesce(@PasswordMinLength::int, password_min_length),
            mfa_factors = coalesce(@MfaFactors::text[], mfa_factors),
            passwordless = coalesce(@Passwordless::boolean, passwordless),
            logo_uri = CASE WHEN @SetLogoUri THEN @LogoUri ELSE logo_uri END,
            accent_color = CASE WHEN @SetAccentColor THEN @AccentColor ELSE accent_color END,
            -- Merged, so concurrent changes of different limits both stay; a null member returns to the default.
            request_limits = CASE WHEN @RequestLimitChanges::jsonb IS NULL THEN request_limits
                                  ELSE jsonb_strip_nulls(request_limits || @RequestLimitChanges::jsonb) END,
            -- The grace period restarts when the policy becomes stricter: everyone now, or groups that were not named.
            mfa_required_since = CASE
                WHEN (coalesce(@MfaPolicy::text, mfa_policy) = 'required' AND mfa_policy <> 'required')
                  OR (coalesce(@MfaPolicy::text, mfa_policy) = 'required_for_groups'
                      AND (mfa_policy = 'optional' OR NOT coalesce(@MfaGroups::text[], mfa_groups) <@ mfa_groups))
                THEN @Now ELSE mfa_required_since END,
            updated_at = now(), version = version + 1
        WHERE slug = @Slug AND (@ExpectedVersion::bigint IS NULL OR version = @ExpectedVersion)
        RETURNING {DetailColumns}
        """;

    // Taken before an algorithm change, so the pins are read with the row held: the same lock KeyRotation takes.
    private const string LockBySlug = """
        SELECT id FROM organizations WHERE slug = @Slug FOR NO KEY UPDATE
        """;

    private const string Delete = """
        DELETE FROM organizations WHERE id = @Id
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    /// <summary>Creates the organisation and returns its id. A taken or malformed slug is a <see cref="PostgresException"/>.</summary>
    public Task<long> CreateAsync(string slug, string displayName, CancellationToken cancellationToken) =>
        CreateAsync(slug, displayName, SigningKeyPolicy.Default, cancellationToken);

    /// <inheritdoc cref="CreateAsync(string, string, CancellationToken)"/>
    public async Task<long> CreateAsync(string slug, string displayName, SigningKeyPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        ArgumentNullException.ThrowIfNull(displayName);
        ArgumentNullException.ThrowIfNull(policy);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(Db.Command(Insert, new
        {
            Slug = slug,
            DisplayName = displayName,
            policy.SigningAlgorithm,
            policy.KeyRotationDays,
        }, cancellationToken));
    }

    public async Task<OrganizationRecord?> FindBySlugAsync(string slug, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        OrganizationRow? row = await connection.QuerySingleOrDefaultAsync<OrganizationRow>(Db.Command(SelectBySlug, new { Slug = slug }, cancellationToken));
        return row is null ? null : new OrganizationRecord(row.Id, row.Slug, row.DisplayName)
        {
            SignInPolicy = row.ToSignInPolicy(),
            LogoUri = row.LogoUri,
            AccentColor = row.AccentColor,
            RequestLimits = RequestLimits.FromJson(row.RequestLimits),
        };
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

    /// <summary>Renames the organisation for display; null when there is no such slug.</summary>
    public async Task<OrganizationDetails?> SetDisplayNameAsync(string slug, string displayName, CancellationToken cancellationToken) =>
        (await UpdateAsync(slug, new OrganizationChanges { DisplayName = displayName ?? throw new ArgumentNullException(nameof(displayName)) }, cancellationToken)).Details;

    /// <summary>
    /// Changes what <paramref name="changes"/> sets and keeps the rest, if the organisation's version is
    /// <paramref name="expectedVersion"/> (null: whatever it is); null when there is no such slug or its version
    /// differs. Sends <see cref="CacheChanges.Organization"/> in the same transaction, so every instance drops the
    /// organisation when the change commits. A new signing algorithm that a client pins differently
    /// (id_token_signed_response_alg) changes nothing and comes back as <see cref="OrganizationUpdate.PinConflicts"/>.
    /// </summary>
    public async Task<OrganizationUpdate> UpdateAsync(string slug, OrganizationChanges changes, CancellationToken cancellationToken, long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(slug);
        ArgumentNullException.ThrowIfNull(changes);
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (changes.SigningAlgorithm is string algorithm)
        {
            long? id = await connection.QuerySingleOrDefaultAsync<long?>(Db.Command(LockBySlug, new { Slug = slug }, cancellationToken, transaction));
            if (id is null)
            {
                return new OrganizationUpdate(null, []);
            }

            IReadOnlyList<AlgorithmPin> conflicts = await AlgorithmPins.FindConflictsAsync(connection, transaction, id.Value, algorithm, cancellationToken);
            if (conflicts.Count > 0)
            {
                return new OrganizationUpdate(null, conflicts);
            }
        }

        DetailRow? row = await connection.QuerySingleOrDefaultAsync<DetailRow>(Db.Command(Update, new
        {
            Slug = slug,
            changes.DisplayName,
            changes.SigningAlgorithm,
            changes.SetKeyRotationDays,
            changes.KeyRotationDays,
            MfaPolicy = changes.MfaPolicy is MfaPolicy policy ? MfaPolicies.GetName(policy) : null,
            MfaGroups = changes.MfaGroups?.ToArray(),
            MfaGracePeriodSeconds = changes.MfaGracePeriod is TimeSpan grace ? (int?)grace.TotalSeconds : null,
            changes.PasswordMinLength,
            MfaFactors = changes.MfaFactors is FactorKinds factors ? FactorNames.GetNames(factors).ToArray() : null,
            changes.Passwordless,
            changes.SetLogoUri,
            changes.LogoUri,
            changes.SetAccentColor,
            changes.AccentColor,
            changes.RequestLimitChanges,
            Now = Db.Utc(changes.Now),
            ExpectedVersion = expectedVersion,
        }, cancellationToken, transaction));
        if (row is null)
        {
            return new OrganizationUpdate(null, []);
        }

        await CacheChanges.NotifyAsync(connection, CacheChanges.Organization(row.Id, row.Slug), cancellationToken, transaction);
        await transaction.CommitAsync(cancellationToken);
        return new OrganizationUpdate(row.ToDetails(), []);
    }

    /// <summary>Deletes the organisation and, by cascade, everything of it.</summary>
    public async Task DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(Db.Command(Delete, new { Id = id }, cancellationToken));
    }

    private static SignInPolicy ReadSignInPolicy(
        string slug, string mfaPolicy, string[] groups, int graceSeconds, DateTime? requiredSince, int passwordMinLength, string[] factors, bool passwordless) => new()
    {
        AllowedFactors = FactorNames.Parse(factors) is FactorKinds { } allowed && allowed != FactorKinds.None
            ? allowed
            : throw new InvalidOperationException($"Organisation '{slug}' has unknown or no mfa_factors."),
        PasswordlessAllowed = passwordless,
        Password = new PasswordPolicy { MinLength = passwordMinLength },
        Mfa = MfaPolicies.TryParse(mfaPolicy, out MfaPolicy policy)
            ? policy
            : throw new InvalidOperationException($"Organisation '{slug}' has the unknown mfa_policy '{mfaPolicy}'."),
        MfaGroups = groups,
        EnrolmentGracePeriod = TimeSpan.FromSeconds(graceSeconds),
        MfaRequiredSince = Db.FromUtc(requiredSince),
    };

    private sealed class DetailRow
    {
        public long Id { get; init; }

        public string Slug { get; init; } = string.Empty;

        public string DisplayName { get; init; } = string.Empty;

        public DateTime CreatedAt { get; init; }

        public DateTime UpdatedAt { get; init; }

        public long Version { get; init; }

        public string SigningAlgorithm { get; init; } = string.Empty;

        public int? KeyRotationDays { get; init; }

        public string MfaPolicy { get; init; } = MfaPolicies.Optional;

        public string[] MfaGroups { get; init; } = [];

        public int MfaGracePeriodSeconds { get; init; }

        public DateTime? MfaRequiredSince { get; init; }

        public int PasswordMinLength { get; init; } = PasswordPolicy.DefaultMinLength;

        public string[] MfaFactors { get; init; } = [FactorNames.Totp, FactorNames.Passkey];

        public bool Passwordless { get; init; }

        public string? LogoUri { get; init; }

        public string? AccentColor { get; init; }

        public string? RequestLimits { get; init; }

        public OrganizationDetails ToDetails() =>
            new(Id, Slug, DisplayName, Db.FromUtc(CreatedAt), Db.FromUtc(UpdatedAt), SigningAlgorithm, KeyRotationDays)
            {
                Version = Version,
                LogoUri = LogoUri,
                AccentColor = AccentColor,
                RequestLimits = Storage.RequestLimits.FromJson(RequestLimits),
                SignInPolicy = ReadSignInPolicy(Slug, MfaPolicy, MfaGroups, MfaGracePeriodSeconds, MfaRequiredSince, PasswordMinLength, MfaFactors, Passwordless),
            };
    }

    private sealed class OrganizationRow
    {
        public long Id { get; init; }

        public string Slug { get; init; } = string.Empty;

        public string DisplayName { get; init; } = string.Empty;

        public string MfaPolicy { get; init; } = MfaPolicies.Optional;

        public string[] MfaGroups { get; init; } = [];

        public int MfaGracePeriodSeconds { get; init; }

        public DateTime? MfaRequiredSince { get; init; }

        public int PasswordMinLength { get; init; } = PasswordPolicy.DefaultMinLength;

        public string[] MfaFactors { get; init; } = [FactorNames.Totp, FactorNames.Passkey];

        public bool Passwordless { get; init; }

        public string? LogoUri { get; init; }

        public string? AccentColor { get; init; }

        public string? RequestLimits { get; init; }

        public SignInPolicy ToSignInPolicy() => ReadSignInPolicy(Slug, MfaPolicy, MfaGroups, MfaGracePeriodSeconds, MfaRequiredSince, PasswordMinLength, MfaFactors, Passwordless);
    }
}

/// <summary>
/// What <see cref="PgOrganizationStore.UpdateAsync"/> did: the organisation after the change; or null details with the
/// clients whose pin refused a new signing algorithm; or null details and no conflicts when there is no such slug or
/// its version differs.
/// </summary>
public sealed record OrganizationUpdate(OrganizationDetails? Details, IReadOnlyList<AlgorithmPin> PinConflicts);

/// <summary>
/// An admin change to an organisation: null members stay as they are, except key_rotation_days, logo_uri and
/// accent_color when their Set member is true.
/// </summary>
public sealed record OrganizationChanges
{
    public string? DisplayName { get; init; }

    /// <summary>The algorithm of keys made from now on; the key signing today keeps its own until the next rotation.</summary>
    public string? SigningAlgorithm { get; init; }

    public bool SetKeyRotationDays { get; init; }

    public int? KeyRotationDays { get; init; }

    /// <summary>The new MFA policy; null keeps it.</summary>
    public MfaPolicy? MfaPolicy { get; init; }

    /// <summary>The groups of <see cref="Core.Factors.MfaPolicy.RequiredForGroups"/>; null keeps them.</summary>
    public IReadOnlyList<string>? MfaGroups { get; init; }

    /// <summary>The enrolment grace period, whole seconds; null keeps it.</summary>
    public TimeSpan? MfaGracePeriod { get; init; }

    /// <summary>The minimum length of new passwords; null keeps it.</summary>
    public int? PasswordMinLength { get; init; }

    /// <summary>The kinds of second factor allowed; null keeps them.</summary>
    public FactorKinds? MfaFactors { get; init; }

    /// <summary>Whether passkeys may sign in alone; null keeps it.</summary>
    public bool? Passwordless { get; init; }

    public bool SetLogoUri { get; init; }

    /// <summary>With <see cref="SetLogoUri"/>: the new logo, or null for none.</summary>
    public string? LogoUri { get; init; }

    public bool SetAccentColor { get; init; }

    /// <summary>With <see cref="SetAccentColor"/>: the new accent colour, or null for the default.</summary>
    public string? AccentColor { get; init; }

    /// <summary>
    /// The request limits to change, as a JSON object of <see cref="RequestLimit.Name"/>s (a null member returns to
    /// the default), merged into the stored ones; null changes none.
    /// </summary>
    public string? RequestLimitChanges { get; init; }

    /// <summary>When the change is made: the new start of the grace period if the policy becomes stricter.</summary>
    public DateTimeOffset Now { get; init; }
}
