using System.Text.Json;
using System.Text.RegularExpressions;
using Clavex.Core.Factors;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;
using Clavex.Server.Audit;
using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Admin;

/// <summary>
/// <c>/api/v1/organizations</c>: create (with the first signing key), list, read, rename, and set the signing-key
/// policy (algorithm of new keys, days between scheduled rotations).
/// </summary>
public static partial class OrganizationsApi
{
    private static readonly HashSet<string> CreateFields = new(StringComparer.Ordinal) { "slug", "display_name", SigningAlgorithm, KeyRotationDays };
    private static readonly HashSet<string> PatchFields = new(StringComparer.Ordinal)
    {
        "display_name", SigningAlgorithm, KeyRotationDays, MfaPolicyField, MfaGroupsField, MfaGracePeriodField, PasswordMinLengthField,
        MfaFactorsField, PasswordlessField, LogoUriField, AccentColorField, RequestLimitsField,
    };

    private const string RequestLimitsField = "request_limits";

    private const string LogoUriField = "logo_uri";
    private const string AccentColorField = "accent_color";

    private const string MfaFactorsField = "mfa_factors";
    private const string PasswordlessField = "passwordless";

    private const string PasswordMinLengthField = "password_min_length";

    private const string MfaPolicyField = "mfa_policy";
    private const string MfaGroupsField = "mfa_groups";
    private const string MfaGracePeriodField = "mfa_grace_period_seconds";

    private const string SigningAlgorithm = "signing_algorithm";
    private const string KeyRotationDays = "key_rotation_days";

    /// <summary>Slugs that would shadow server paths.</summary>
    private static readonly HashSet<string> ReservedSlugs = new(StringComparer.Ordinal) { "api", "healthz", "readyz" };

    public static RouteGroupBuilder MapOrganizationsApi(this RouteGroupBuilder api)
    {
        const string Tag = "Organizations";
        api.MapPost("/organizations", CreateAsync)
            .WithName("createOrganization").WithSummary("Create an organisation and its first signing key").WithTags(Tag)
            .AcceptsJson<Schemas.OrganizationCreateRequest>().Produces<Schemas.OrganizationResponse>(StatusCodes.Status201Created).ProducesAdminError(400, 409);
        api.MapGet("/organizations", ListAsync)
            .WithName("listOrganizations").WithSummary("List the organisations").WithTags(Tag)
            .Produces<Schemas.OrganizationListResponse>();
        api.MapGet("/organizations/{org}", GetAsync)
            .WithName("getOrganization").WithSummary("Read an organisation").WithTags(Tag)
            .Produces<Schemas.OrganizationResponse>().ProducesAdminError(404);
        api.MapMethods("/organizations/{org}", ["PATCH"], PatchAsync)
            .WithName("updateOrganization").WithSummary("Change an organisation's display name, signing-key policy or MFA policy").WithTags(Tag)
            .AcceptsJson<Schemas.OrganizationPatchRequest>(mergePatch: true).Produces<Schemas.OrganizationResponse>().ProducesAdminError(400, 404, 409, 412);
        return api;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, PgOrganizationStore organizations, PgSigningKeyStore keys, AdminSettings settings, AuditLog audit)
    {
        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            JsonFields? fields = document is null ? null : JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error);
            if (fields is null)
            {
                return AdminResults.Error(error!);
            }

            fields.RejectUnknown(CreateFields);
            string? slug = fields.String("slug", 63, required: true);
            string? displayName = fields.String("display_name", 200, required: true);
            if (slug is not null && (!SlugPattern().IsMatch(slug) || ReservedSlugs.Contains(slug)))
            {
                fields.Fail("slug must be a lowercase DNS label (a-z, 0-9 and '-', 1 to 63 characters, no '-' at either end) and not 'api', 'healthz' or 'readyz'.");
            }

            JwsAlgorithm algorithm = SigningKeysApi.ReadAlgorithm(fields, SigningAlgorithm) ?? JwsAlgorithm.RS256;
            (bool rotationGiven, int? rotationDays) = ReadKeyRotationDays(document!.RootElement, fields);
            if (!fields.IsValid)
            {
                return AdminResults.Error(fields.Error!);
            }

            var policy = new SigningKeyPolicy(JwsAlgorithms.GetName(algorithm), rotationGiven ? rotationDays : SigningKeyPolicy.DefaultKeyRotationDays);
            long id;
            try
            {
                id = await organizations.CreateAsync(slug!, displayName!, policy, context.RequestAborted);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return AdminResults.Error(AdminError.Conflict($"slug '{slug}' is taken by another organisation."));
            }

            try
            {
                await keys.EnsureKeyAsync(id, algorithm, context.RequestAborted);
            }
            catch
            {
                // An organisation without a signing key cannot issue tokens: take it away again rather than leave half of it.
                await organizations.DeleteAsync(id, CancellationToken.None);
                throw;
            }

            context.RequestServices.GetRequiredService<OrganizationDirectory>().Invalidate(slug!);
            OrganizationDetails details = (await organizations.FindDetailsAsync(slug!, context.RequestAborted))!;
            var organization = new Organization(id, slug!, settings.IssuerFor(slug!));
            audit.AdminChange(context, organization, "organization.created", null, null, null, AdminResults.Write(w => Write(w, details, settings)));
            return AdminResults.Created($"{AdminApi.Prefix}/organizations/{slug}", w => Write(w, details, settings));
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, PgOrganizationStore organizations, AdminSettings settings)
    {
        IReadOnlyList<OrganizationDetails> list = await organizations.ListAsync(context.RequestAborted);
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("organizations");
            foreach (OrganizationDetails details in list)
            {
                w.WriteStartObject();
                Write(w, details, settings);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> GetAsync(HttpContext context, string org, PgOrganizationStore organizations, AdminSettings settings)
    {
        OrganizationDetails? details = await organizations.FindDetailsAsync(org, context.RequestAborted);
        return details is null
            ? AdminResults.Error(AdminError.NotFound($"There is no organisation '{org}'."))
            : AdminETag.With(AdminResults.Ok(w => Write(w, details, settings)), details.Version);
    }

    private static async Task<IResult> PatchAsync(
        HttpContext context, string org, PgOrganizationStore organizations, OrganizationDirectory directory, AdminSettings settings, AuditLog audit,
        TimeProvider timeProvider)
    {
        OrganizationDetails? before = await organizations.FindDetailsAsync(org, context.RequestAborted);
        if (before is null)
        {
            return AdminResults.Error(AdminError.NotFound($"There is no organisation '{org}'."));
        }

        if (!AdminETag.Matches(context.Request, before.Version, out long? expectedVersion))
        {
            return AdminETag.Refuse(context, $"organisation '{org}'", before.Version);
        }

        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            JsonFields? fields = document is null ? null : JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error);
            if (fields is null)
            {
                return AdminResults.Error(error!);
            }

            fields.RejectUnknown(PatchFields);
            string? displayName = fields.String("display_name", 200);
            JwsAlgorithm? algorithm = SigningKeysApi.ReadAlgorithm(fields, SigningAlgorithm);
            (bool rotationGiven, int? rotationDays) = ReadKeyRotationDays(document!.RootElement, fields);
            (MfaPolicy? mfaPolicy, IReadOnlyList<string>? mfaGroups, TimeSpan? grace) = ReadMfaPolicy(fields, before.SignInPolicy);
            long? minLength = fields.Integer(PasswordMinLengthField);
            if (minLength is < PasswordPolicy.MinimumLength or > PasswordPolicy.MaxMinLength)
            {
                fields.Fail($"{PasswordMinLengthField} must be {PasswordPolicy.MinimumLength} to {PasswordPolicy.MaxMinLength} (NIST SP 800-63B: at least 8); it is {minLength}.");
            }

            IReadOnlyList<string>? factorNames = fields.Strings(MfaFactorsField, 16);
            FactorKinds? factors = factorNames is null ? null : FactorNames.Parse(factorNames);
            if (factorNames is not null && factors is null or FactorKinds.None)
            {
                fields.Fail($"{MfaFactorsField} must name at least one of {FactorNames.Totp} and {FactorNames.Passkey}, and nothing else.");
            }

            bool? passwordless = fields.Bool(PasswordlessField);
            (bool logoGiven, string? logoUri) = ReadNullable(document.RootElement, fields, LogoUriField, PageLinks.MaxLength, PageLinks.Problem);
            (bool accentGiven, string? accentColor) = ReadNullable(document.RootElement, fields, AccentColorField, 7, PageLinks.ColorProblem);
            string? limitChanges = ReadRequestLimits(document.RootElement, fields);
            if (fields.IsValid && displayName is null && algorithm is null && !rotationGiven && mfaPolicy is null && mfaGroups is null && grace is null
                && minLength is null && factors is null && passwordless is null && !logoGiven && !accentGiven && limitChanges is null)
            {
                fields.Fail($"The body must set display_name, {SigningAlgorithm}, {KeyRotationDays}, {MfaPolicyField}, {MfaGroupsField}, {MfaGracePeriodField}, "
                    + $"{MfaFactorsField}, {PasswordlessField}, {PasswordMinLengthField}, {LogoUriField}, {AccentColorField} or {RequestLimitsField}.");
            }

            if (!fields.IsValid)
            {
                return AdminResults.Error(fields.Error!);
            }

            // A new algorithm applies to keys made from now on: the key signing today signs until the next rotation.
            var changes = new OrganizationChanges
            {
                DisplayName = displayName,
                SigningAlgorithm = algorithm is null ? null : JwsAlgorithms.GetName(algorithm.Value),
                SetKeyRotationDays = rotationGiven,
                KeyRotationDays = rotationDays,
                MfaPolicy = mfaPolicy,
                MfaGroups = mfaGroups,
                MfaGracePeriod = grace,
                PasswordMinLength = (int?)minLength,
                MfaFactors = factors,
                Passwordless = passwordless,
                SetLogoUri = logoGiven,
                LogoUri = logoUri,
                SetAccentColor = accentGiven,
                AccentColor = accentColor,
                RequestLimitChanges = limitChanges,
                Now = timeProvider.GetUtcNow(),
            };
            OrganizationUpdate update = await organizations.UpdateAsync(org, changes, context.RequestAborted, expectedVersion);
            if (update.PinConflicts.Count > 0)
            {
                return AdminResults.Error(AdminError.Conflict(
                    $"Organisation '{org}' cannot change {SigningAlgorithm} to {changes.SigningAlgorithm}: {AlgorithmPins.Describe(update.PinConflicts)}"));
            }

            OrganizationDetails? after = update.Details;
            if (after is null)
            {
                return expectedVersion is null
                    ? AdminResults.Error(AdminError.NotFound($"There is no organisation '{org}'."))
                    : AdminETag.Refuse(context, $"organisation '{org}'", null);
            }

            directory.Invalidate(org);
            // Read again now: the rate limiter takes an organisation's limits from what this instance last read.
            await directory.FindAsync(org, context.RequestAborted);
            audit.AdminChange(context, new Organization(after.Id, after.Slug, settings.IssuerFor(after.Slug)), "organization.updated", null, null,
                AdminResults.Write(w => Write(w, before, settings)), AdminResults.Write(w => Write(w, after, settings)));
            return AdminETag.With(AdminResults.Ok(w => Write(w, after, settings)), after.Version);
        }
    }

    private static void Write(Utf8JsonWriter writer, OrganizationDetails details, AdminSettings settings)
    {
        writer.WriteString("slug", details.Slug);
        writer.WriteString("display_name", details.DisplayName);
        writer.WriteString("issuer", settings.IssuerFor(details.Slug));
        writer.WriteString("created_at", details.CreatedAt);
        writer.WriteString("updated_at", details.UpdatedAt);
        writer.WriteString(SigningAlgorithm, details.SigningAlgorithm);
        writer.WriteNumberOrNull(KeyRotationDays, details.KeyRotationDays);
        SignInPolicy policy = details.SignInPolicy;
        writer.WriteString(MfaPolicyField, MfaPolicies.GetName(policy.Mfa));
        writer.WriteStartArray(MfaGroupsField);
        foreach (string group in policy.MfaGroups)
        {
            writer.WriteStringValue(group);
        }

        writer.WriteEndArray();
        writer.WriteNumber(MfaGracePeriodField, (long)policy.EnrolmentGracePeriod.TotalSeconds);
        writer.WriteStringOrNull("mfa_required_since", policy.MfaRequiredSince);
        writer.WriteStartArray(MfaFactorsField);
        foreach (string factor in FactorNames.GetNames(policy.AllowedFactors))
        {
            writer.WriteStringValue(factor);
        }

        writer.WriteEndArray();
        writer.WriteBoolean(PasswordlessField, policy.PasswordlessAllowed);
        writer.WriteNumber(PasswordMinLengthField, policy.Password.MinLength);
        writer.WriteStringOrNull(LogoUriField, details.LogoUri);
        writer.WriteStringOrNull(AccentColorField, details.AccentColor);
        // Every limit with the value in force, set or default, so an admin sees what applies without the docs.
        writer.WriteStartObject(RequestLimitsField);
        foreach (RequestLimit limit in RequestLimits.All)
        {
            writer.WriteNumber(limit.Name, details.RequestLimits[limit]);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>request_limits</c>: an object of limits to change (RFC 7396 merge-patch style: a number sets a limit, null
    /// returns it to its default, an absent one stays). The changes as the JSON the store merges, or null for none.
    /// </summary>
    private static string? ReadRequestLimits(JsonElement body, JsonFields fields)
    {
        if (!body.TryGetProperty(RequestLimitsField, out JsonElement limits))
        {
            return null;
        }

        if (limits.ValueKind != JsonValueKind.Object)
        {
            fields.Fail($"{RequestLimitsField} must be an object of limits, e.g. {{\"{RequestLimits.TokenRequestsPerMinute.Name}\": 600}}.");
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (JsonProperty member in limits.EnumerateObject())
            {
                if (RequestLimits.Find(member.Name) is not { } limit)
                {
                    fields.Fail($"{RequestLimitsField}.{member.Name} is not a limit; the limits are {string.Join(", ", RequestLimits.All.Select(l => l.Name))}.");
                    return null;
                }

                if (member.Value.ValueKind == JsonValueKind.Null)
                {
                    writer.WriteNull(limit.Name);
                }
                else if (member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt32(out int value) && value >= limit.Min && value <= limit.Max)
                {
                    writer.WriteNumber(limit.Name, value);
                }
                else
                {
                    fields.Fail($"{RequestLimitsField}.{limit.Name} ({limit.Meaning}) must be a whole number from {limit.Min} to {limit.Max}, or null for the default {limit.Default}.");
                    return null;
                }
            }

            writer.WriteEndObject();
        }

        return limits.EnumerateObject().Any() ? System.Text.Encoding.UTF8.GetString(buffer.ToArray()) : null;
    }

    /// <summary>
    /// A string member that JSON null removes (read from the raw body, as <see cref="ReadKeyRotationDays"/>): absent
    /// leaves it, null clears it, a string must pass <paramref name="problem"/>.
    /// </summary>
    private static (bool Given, string? Value) ReadNullable(JsonElement body, JsonFields fields, string name, int maxLength, Func<string, string?> problem)
    {
        if (!body.TryGetProperty(name, out JsonElement raw))
        {
            return (false, null);
        }

        if (raw.ValueKind == JsonValueKind.Null)
        {
            return (true, null);
        }

        string? value = fields.String(name, maxLength);
        if (value is null)
        {
            return (false, null);
        }

        if (problem(value) is string wrong)
        {
            fields.Fail($"{name} {wrong}.");
            return (false, null);
        }

        return (true, value);
    }

    /// <summary>
    /// mfa_policy (optional, required, required_for_groups), mfa_groups (exact group names) and
    /// mfa_grace_period_seconds (0 to 90 days); each null when absent. required_for_groups needs at least one group,
    /// counting the ones already stored.
    /// </summary>
    private static (MfaPolicy? Policy, IReadOnlyList<string>? Groups, TimeSpan? Grace) ReadMfaPolicy(JsonFields fields, SignInPolicy current)
    {
        string? name = fields.String(MfaPolicyField, 64);
        MfaPolicy? policy = null;
        if (name is not null)
        {
            if (MfaPolicies.TryParse(name, out MfaPolicy parsed))
            {
                policy = parsed;
            }
            else
            {
                fields.Fail($"{MfaPolicyField} must be {MfaPolicies.Optional}, {MfaPolicies.Required} or {MfaPolicies.RequiredForGroups}; '{name}' is none of them.");
            }
        }

        IReadOnlyList<string>? groups = fields.Strings(MfaGroupsField, 256);
        foreach (string group in groups ?? [])
        {
            if (GroupsApi.NameProblem(group) is string problem)
            {
                fields.Fail($"{MfaGroupsField}: '{group}' {problem}.");
            }
        }

        long? seconds = fields.Integer(MfaGracePeriodField);
        if (seconds is < 0 || seconds > (long)SignInPolicy.MaxEnrolmentGracePeriod.TotalSeconds)
        {
            fields.Fail($"{MfaGracePeriodField} must be 0 to {(long)SignInPolicy.MaxEnrolmentGracePeriod.TotalSeconds} seconds (90 days); it is {seconds}.");
        }

        if ((policy ?? current.Mfa) == MfaPolicy.RequiredForGroups && (groups ?? current.MfaGroups).Count == 0)
        {
            fields.Fail($"{MfaPolicyField} {MfaPolicies.RequiredForGroups} needs at least one group in {MfaGroupsField}.");
        }

        return (policy, groups, seconds is long value ? TimeSpan.FromSeconds(value) : null);
    }

    /// <summary>
    /// key_rotation_days: absent leaves it as it is; JSON null turns scheduled rotation off (so it is read from the
    /// raw body, where <see cref="JsonFields"/> would read null as absent); a number must be 1 to 3650.
    /// </summary>
    private static (bool Given, int? Days) ReadKeyRotationDays(JsonElement body, JsonFields fields)
    {
        if (!body.TryGetProperty(KeyRotationDays, out JsonElement raw))
        {
            return (false, null);
        }

        if (raw.ValueKind == JsonValueKind.Null)
        {
            return (true, null);
        }

        long? days = fields.Integer(KeyRotationDays);
        if (days is null)
        {
            return (false, null);
        }

        if (days is < 1 or > SigningKeyPolicy.MaxKeyRotationDays)
        {
            fields.Fail($"{KeyRotationDays} must be 1 to {SigningKeyPolicy.MaxKeyRotationDays} days, or null for no scheduled rotation; it is {days}.");
            return (false, null);
        }

        return (true, (int)days.Value);
    }

    // The organizations_slug_format constraint of 0001_organizations.sql.
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
