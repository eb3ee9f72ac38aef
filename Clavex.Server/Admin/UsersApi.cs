using System.Globalization;
using System.Text.Json;
using Clavex.Core.Factors;
using Clavex.Core.Protocol;
using Clavex.Core.Users;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Admin;

/// <summary><c>/api/v1/organizations/{org}/users</c>: create, search, read, patch, set password, disable, enable, unlock, delete.</summary>
public static class UsersApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    private static readonly HashSet<string> PasswordFields = new(StringComparer.Ordinal) { "password" };

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder organization)
    {
        const string Tag = "Users";
        organization.MapPost("/users", CreateAsync)
            .WithName("createUser").WithSummary("Create a user; the answer has its generated sub").WithTags(Tag)
            .AcceptsJson<Schemas.UserCreateRequest>().Produces<Schemas.UserResponse>(StatusCodes.Status201Created).ProducesAdminError(400, 404, 409);
        organization.MapGet("/users", ListAsync)
            .WithName("listUsers").WithSummary("List or search users, in pages; username= finds one exactly, group= lists a group's members").WithTags(Tag)
            .Produces<Schemas.UserListResponse>().ProducesAdminError(400, 404);
        organization.MapGet("/users/{sub}", GetAsync)
            .WithName("getUser").WithSummary("Read a user").WithTags(Tag)
            .Produces<Schemas.UserResponse>().ProducesAdminError(404);
        organization.MapMethods("/users/{sub}", ["PATCH"], PatchAsync)
            .WithName("updateUser").WithSummary("Change a user's username or profile (JSON Merge Patch)").WithTags(Tag)
            .AcceptsJson<Schemas.UserPatchRequest>(mergePatch: true).Produces<Schemas.UserResponse>().ProducesAdminError(400, 404, 409, 412);
        organization.MapPut("/users/{sub}/password", SetPasswordAsync)
            .WithName("setUserPassword").WithSummary("Set a user's password").WithTags(Tag)
            .AcceptsJson<Schemas.PasswordRequest>().Produces(StatusCodes.Status204NoContent).ProducesAdminError(400, 404, 412);
        organization.MapPost("/users/{sub}/disable", (HttpContext context, string org, string sub, [AsParameters] Dependencies d) => SetEnabledAsync(context, org, sub, false, d))
            .WithName("disableUser").WithSummary("Disable a user, ending its sessions and revoking its grants").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapPost("/users/{sub}/enable", (HttpContext context, string org, string sub, [AsParameters] Dependencies d) => SetEnabledAsync(context, org, sub, true, d))
            .WithName("enableUser").WithSummary("Enable a user").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapDelete("/users/{sub}", DeleteAsync)
            .WithName("deleteUser").WithSummary("Delete a user, its memberships, consents, sessions and grants").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapPost("/users/{sub}/sign-out", SignOutAsync)
            .WithName("signOutUser").WithSummary("End every session of a user and revoke every grant, so every refresh and access token; the account stays enabled").WithTags(Tag)
            .Produces<Schemas.SignOutResponse>().ProducesAdminError(404);
        organization.MapPost("/users/{sub}/unlock", UnlockAsync)
            .WithName("unlockUser").WithSummary("End a user's lockout after repeated wrong passwords or codes").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapGet("/users/{sub}/factors", GetFactorsAsync)
            .WithName("getUserFactors").WithSummary("List a user's second factors (never their secrets)").WithTags(Tag)
            .Produces<Schemas.UserFactorsResponse>().ProducesAdminError(404);
        organization.MapDelete("/users/{sub}/factors/totp", RemoveTotpAsync)
            .WithName("removeUserTotp").WithSummary("Remove a user's authenticator app").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404);
        organization.MapDelete("/users/{sub}/factors/passkeys/{id}", RemovePasskeyAsync)
            .WithName("removeUserPasskey").WithSummary("Remove one of a user's passkeys").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404);
        organization.MapPost("/users/{sub}/mfa/reset", ResetMfaAsync)
            .WithName("resetUserMfa").WithSummary("Remove every second factor and recovery code; the user enrols again at the next sign-in").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404);
        return organization;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string org, [AsParameters] Dependencies d, PasswordHasher hasher)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            JsonFields? fields = document is null ? null : JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error);
            if (fields is null)
            {
                return AdminResults.Error(error!);
            }

            // The subject is random and permanent, never derived from the username (OIDC Core §5.7).
            string subject = "u_" + OpaqueToken.New(OpaqueToken.IdentifierBytes);
            User? user = UserProfile.Read(fields, UserProfile.CreateFields, organization.Id, subject, enabled: true);
            string? password = fields.String("password", PasswordHasher.MaxPasswordLength);
            if (password is not null && PasswordHasher.Problem(password, organization, user?.Username, user?.Email) is string problem)
            {
                fields.Fail(problem);
            }

            // A typo must not make a group: the user would land in Jira without the real one. Groups are made with POST …/groups.
            if (fields.IsValid && user!.Groups.Count > 0 && await MissingGroupAsync(organization, user.Groups, d, context.RequestAborted) is string missing)
            {
                fields.Fail($"groups: there is no group '{missing}' in organisation '{org}'; create it first (POST {AdminApi.Prefix}/organizations/{org}/groups). Group names are exact.");
            }

            if (!fields.IsValid)
            {
                return AdminResults.Error(fields.Error!);
            }

            try
            {
                await d.Users.CreateAsync(user!, password is null ? null : hasher.Hash(password), context.RequestAborted);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return AdminResults.Error(AdminError.Conflict($"username '{user!.Username}' is taken in organisation '{org}' (usernames are compared without regard to case)."));
            }

            UserAccount created = (await d.Users.FindAccountAsync(organization.Id, subject, context.RequestAborted))!;
            d.Audit.AdminChange(context, organization, "user.created", null, subject, null, UserProfile.ToUtf8(created.User));
            return AdminETag.With(
                AdminResults.Created($"{AdminApi.Prefix}/organizations/{org}/users/{subject}", w => UserProfile.Write(w, created.User)), created.Version);
        }
    }

    private static readonly HashSet<string> ListParameters = new(StringComparer.Ordinal) { "search", "username", "group", "limit", "cursor" };

    private static async Task<IResult> ListAsync(
        HttpContext context, string org, [AsParameters] Dependencies d, string? search, string? username, string? group, string? limit, string? cursor)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        foreach (string key in context.Request.Query.Keys)
        {
            if (!ListParameters.Contains(key) || context.Request.Query[key].Count > 1)
            {
                return AdminResults.Error(new AdminError(AdminError.InvalidRequest,
                    $"'{StorableText.Clean(key.Length > 64 ? key[..64] + "…" : key)}' is not a parameter of this list, or is given twice; the parameters are search, username, group, limit and cursor."));
            }
        }

        if (username is { Length: > 256 } || group is { Length: > 256 })
        {
            return AdminResults.Error(new AdminError(AdminError.InvalidRequest, "username and group must be at most 256 characters."));
        }

        if (group is not null && await d.Groups.FindAsync(organization.Id, group, context.RequestAborted) is null)
        {
            return AdminResults.Error(AdminError.NotFound($"There is no group '{group}' in organisation '{org}' (group names are exact)."));
        }

        int size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return AdminResults.Error(new AdminError(AdminError.InvalidRequest, $"limit must be a whole number from 1 to {MaxPageSize}."));
        }

        long after = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            return AdminResults.Error(new AdminError(AdminError.InvalidRequest, "cursor must be the next_cursor of a previous page."));
        }

        if (search is { Length: > 256 })
        {
            return AdminResults.Error(new AdminError(AdminError.InvalidRequest, "search must be at most 256 characters."));
        }

        string? pattern = string.IsNullOrEmpty(search) ? null : "%" + EscapeLike(search) + "%";
        // One more than the page, to know whether there is a next one without a count.
        IReadOnlyList<(long RowId, UserAccount Account)> rows = await d.Users.ListAsync(organization.Id, pattern, after, size + 1, context.RequestAborted, username, group);
        bool more = rows.Count > size;
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("users");
            for (int i = 0; i < Math.Min(size, rows.Count); i++)
            {
                w.WriteStartObject();
                UserProfile.Write(w, rows[i].Account.User, rows[i].Account.LockedUntil);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (more)
            {
                w.WriteString("next_cursor", rows[size - 1].RowId.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("next_cursor");
            }
        });
    }

    private static async Task<IResult> GetAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        UserAccount? account = await FindUserAsync(context, AdminRequest.OrganizationOf(context), sub, d);
        return account is null
            ? AdminResource.User(context, sub).NotFound()
            : AdminETag.With(AdminResults.Ok(w => UserProfile.Write(w, account.User, account.LockedUntil)), account.Version);
    }

    private static async Task<IResult> PatchAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.User(context, sub);
        UserAccount? current = await FindUserAsync(context, organization, sub, d);
        if (!resource.CanChange(current, u => u.Version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        User before = current.User;
        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            if (document is null)
            {
                return AdminResults.Error(error!);
            }

            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!UserProfile.ProfileFields.Contains(property.Name))
                {
                    string where = property.Name switch
                    {
                        "password" => "; use PUT …/password",
                        "enabled" => "; use POST …/disable or …/enable",
                        "groups" => "; use PUT or DELETE …/groups/{name}/members/{sub}",
                        _ => string.Empty,
                    };
                    return AdminResults.Error(new AdminError(AdminError.InvalidRequest, $"{property.Name} cannot be changed with PATCH{where}."));
                }
            }

            (JsonElement merged, error) = JsonMergePatch.Apply(AdminResults.Write(w => UserProfile.WriteProfile(w, before)), document.RootElement);
            if (error is not null)
            {
                return AdminResults.Error(error);
            }

            JsonFields fields = JsonFields.Of(merged, AdminError.InvalidRequest, out _)!;
            User after = UserProfile.Read(fields, UserProfile.ProfileFields, organization.Id, sub, before.Enabled)!;
            if (!fields.IsValid)
            {
                return AdminResults.Error(fields.Error!);
            }

            try
            {
                if (await d.Users.UpdateProfileAsync(after, expectedVersion, context.RequestAborted) is null)
                {
                    return resource.NotFoundOrMoved(expectedVersion);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return AdminResults.Error(AdminError.Conflict($"username '{after.Username}' is taken in organisation '{org}'."));
            }

            UserAccount? updated = await d.Users.FindAccountAsync(organization.Id, sub, context.RequestAborted);
            if (updated is null)
            {
                return resource.NotFound();
            }

            d.Audit.AdminChange(context, organization, "user.updated", null, sub, UserProfile.ToUtf8(before), UserProfile.ToUtf8(updated.User));
            return AdminETag.With(AdminResults.Ok(w => UserProfile.Write(w, updated.User, updated.LockedUntil)), updated.Version);
        }
    }

    private static async Task<IResult> SetPasswordAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d, PasswordHasher hasher)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.User(context, sub);
        UserAccount? user = await FindUserAsync(context, organization, sub, d);
        if (user is null)
        {
            return resource.NotFound();
        }

        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            JsonFields? fields = document is null ? null : JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error);
            if (fields is null)
            {
                return AdminResults.Error(error!);
            }

            fields.RejectUnknown(PasswordFields);
            string? password = fields.String("password", PasswordHasher.MaxPasswordLength, required: true);
            if (password is not null && PasswordHasher.Problem(password, organization, user.User.Username, user.User.Email) is string problem)
            {
                fields.Fail(problem);
            }

            if (!fields.IsValid)
            {
                return AdminResults.Error(fields.Error!);
            }

            // If-Match is checked once the body is known to be valid, so a bad password is a 400 whatever the ETag.
            if (!resource.CanChange(user, u => u.Version, out long? expectedVersion, out IResult? refusal))
            {
                return refusal;
            }

            if (!await d.Users.SetPasswordHashAsync(organization.Id, sub, hasher.Hash(password!), context.RequestAborted, expectedVersion))
            {
                return resource.NotFoundOrMoved(expectedVersion);
            }

            d.Audit.AdminChange(context, organization, "user.password_set", null, sub, null, null);
            return AdminResults.NoContent();
        }
    }

    private static async Task<IResult> SetEnabledAsync(HttpContext context, string org, string sub, bool enabled, Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.User(context, sub);
        UserAccount? user = await FindUserAsync(context, organization, sub, d);
        if (!resource.CanChange(user, u => u.Version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        if (!await d.Users.SetEnabledAsync(organization.Id, sub, enabled, d.TimeProvider.GetUtcNow(), context.RequestAborted, expectedVersion))
        {
            return resource.NotFoundOrMoved(expectedVersion);
        }

        d.Audit.AdminChange(context, organization, enabled ? "user.enabled" : "user.disabled", null, sub,
            AdminResults.Write(w => w.WriteBoolean("enabled", user.User.Enabled)), AdminResults.Write(w => w.WriteBoolean("enabled", enabled)));
        return AdminResults.NoContent();
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.User(context, sub);
        UserAccount? user = await FindUserAsync(context, organization, sub, d);
        if (!resource.CanChange(user, u => u.Version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        if (!await d.Users.DeleteAsync(organization.Id, sub, d.TimeProvider.GetUtcNow(), context.RequestAborted, expectedVersion))
        {
            return resource.NotFoundOrMoved(expectedVersion);
        }

        d.Audit.AdminChange(context, organization, "user.deleted", null, sub, UserProfile.ToUtf8(user.User), null);
        return AdminResults.NoContent();
    }

    /// <summary>
    /// What an admin does for an account that may be compromised (with a new password, or a second-factor reset): no
    /// session or token issued before survives. 200 with the counts, so the admin sees what it ended.
    /// </summary>
    private static async Task<IResult> SignOutAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        if (sub.Length > 256 || await d.Users.SignOutEverywhereAsync(organization.Id, sub, d.TimeProvider.GetUtcNow(), context.RequestAborted) is not var (sessions, grants))
        {
            return AdminResource.User(context, sub).NotFound();
        }

        byte[] ended = AdminResults.Write(w =>
        {
            w.WriteNumber("sessions_ended", sessions);
            w.WriteNumber("grants_revoked", grants);
        });
        d.Audit.AdminChange(context, organization, "user.signed_out", null, sub, null, ended);
        return OAuthResults.Json(ended);
    }

    /// <summary>Lifts a lock after too many wrong passwords (<see cref="Core.Interaction.LockoutPolicy"/>) and clears the failure count: 204.</summary>
    private static async Task<IResult> UnlockAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.User(context, sub);
        UserAccount? user = await FindUserAsync(context, organization, sub, d);
        if (!resource.CanChange(user, u => u.Version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        (bool found, DateTimeOffset? lifted) = await d.Users.UnlockAsync(organization.Id, sub, context.RequestAborted, expectedVersion);
        if (!found)
        {
            return resource.NotFoundOrMoved(expectedVersion);
        }

        d.Throttle.Forgive(organization.Slug, user!.User.Username);
        d.Audit.AdminChange(context, organization, "user.unlocked", null, sub,
            AdminResults.Write(w => w.WriteStringOrNull("locked_until", lifted)), AdminResults.Write(w => w.WriteNull("locked_until")));
        return AdminResults.NoContent();
    }

    private static async Task<IResult> GetFactorsAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        SecondFactorAccount? account = sub.Length <= 256 ? await d.Factors.FindAsync(organization.Id, sub, context.RequestAborted) : null;
        if (account is null)
        {
            return AdminResource.User(context, sub).NotFound();
        }

        return AdminResults.Ok(w =>
        {
            if (account.Totp is TotpAuthenticator totp)
            {
                w.WriteStartObject("totp");
                w.WriteBoolean("confirmed", totp.Confirmed);
                w.WriteString("created_at", totp.CreatedAt);
                w.WriteStringOrNull("confirmed_at", totp.ConfirmedAt);
                w.WriteStringOrNull("last_used_at", totp.LastUsedAt);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("totp");
            }

            w.WriteStartArray("passkeys");
            foreach (PasskeyCredential passkey in account.Passkeys)
            {
                w.WriteStartObject();
                w.WriteString("id", passkey.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("name", passkey.Name);
                w.WriteBoolean("backup_eligible", passkey.BackupEligible);
                w.WriteBoolean("backed_up", passkey.BackedUp);
                w.WriteString("created_at", passkey.CreatedAt);
                w.WriteStringOrNull("last_used_at", passkey.LastUsedAt);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("recovery_codes_left", account.RecoveryCodesLeft);
            w.WriteStringOrNull("locked_until", account.LockedUntil);
        });
    }

    private static async Task<IResult> RemovePasskeyAsync(HttpContext context, string org, string sub, string id, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        if (sub.Length > 256 || !long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long passkeyId)
            || !await d.Factors.RemovePasskeyAsync(organization.Id, sub, passkeyId, context.RequestAborted))
        {
            return AdminResults.Error(AdminError.NotFound($"User '{sub}' of organisation '{org}' has no passkey '{id}'."));
        }

        d.Audit.AdminChange(context, organization, "mfa.factor_removed", null, sub,
            AdminResults.Write(w => { w.WriteString("factor", FactorNames.Passkey); w.WriteString("passkey_id", id); }), null);
        return AdminResults.NoContent();
    }

    private static async Task<IResult> RemoveTotpAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        if (sub.Length > 256 || !await d.Factors.RemoveTotpAsync(organization.Id, sub, context.RequestAborted))
        {
            return AdminResults.Error(AdminError.NotFound($"User '{sub}' of organisation '{org}' has no authenticator app."));
        }

        d.Audit.AdminChange(context, organization, "mfa.factor_removed", null, sub, AdminResults.Write(w => w.WriteString("factor", "totp")), null);
        return AdminResults.NoContent();
    }

    /// <summary>For a lost device: every factor and recovery code goes, and the enrolment grace period starts again now.</summary>
    private static async Task<IResult> ResetMfaAsync(HttpContext context, string org, string sub, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        if (sub.Length > 256 || !await d.Factors.ResetAsync(organization.Id, sub, d.TimeProvider.GetUtcNow(), context.RequestAborted))
        {
            return AdminResource.User(context, sub).NotFound();
        }

        d.Audit.AdminChange(context, organization, "mfa.reset", null, sub, null, null);
        return AdminResults.NoContent();
    }

    /// <summary>The first of <paramref name="names"/> that names no group of the organisation, or null.</summary>
    private static async Task<string?> MissingGroupAsync(Organization organization, IReadOnlyList<string> names, Dependencies d, CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        foreach (GroupInfo group in await d.Groups.ListAsync(organization.Id, cancellationToken))
        {
            existing.Add(group.Name);
        }

        foreach (string name in names)
        {
            if (!existing.Contains(name))
            {
                return name;
            }
        }

        return null;
    }

    private static async Task<UserAccount?> FindUserAsync(HttpContext context, Organization organization, string sub, Dependencies d) =>
        sub.Length <= 256 ? await d.Users.FindAccountAsync(organization.Id, sub, context.RequestAborted) : null;

    // ILIKE's wildcards and its escape character are matched literally: a search for "a_b" finds only "a_b".
    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>The services every user endpoint needs, bound with <c>[AsParameters]</c>.</summary>
    public sealed record Dependencies(PgUserStore Users, PgGroupStore Groups, PgSecondFactorStore Factors, AuditLog Audit, TimeProvider TimeProvider, LoginThrottle Throttle);
}
