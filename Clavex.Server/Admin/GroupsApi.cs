using System.Text.Json;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Admin;

/// <summary>
/// <c>/api/v1/organizations/{org}/groups</c>: create, list, read, rename, delete, and membership. Group names are what
/// relying parties match (Jira group names), so they are exact: case and spaces count.
/// </summary>
public static class GroupsApi
{
    private static readonly HashSet<string> NameFields = new(StringComparer.Ordinal) { "name" };

    public static RouteGroupBuilder MapGroupsApi(this RouteGroupBuilder organization)
    {
        const string Tag = "Groups";
        organization.MapPost("/groups", CreateAsync)
            .WithName("createGroup").WithSummary("Create a group").WithTags(Tag)
            .AcceptsJson<Schemas.GroupNameRequest>().Produces<Schemas.GroupResponse>(StatusCodes.Status201Created).ProducesAdminError(400, 404, 409);
        organization.MapGet("/groups", ListAsync)
            .WithName("listGroups").WithSummary("List the groups with their member counts").WithTags(Tag)
            .Produces<Schemas.GroupListResponse>().ProducesAdminError(404);
        organization.MapGet("/groups/{name}", GetAsync)
            .WithName("getGroup").WithSummary("Read a group with its member count").WithTags(Tag)
            .Produces<Schemas.GroupResponse>().ProducesAdminError(404);
        organization.MapMethods("/groups/{name}", ["PATCH"], RenameAsync)
            .WithName("renameGroup").WithSummary("Rename a group, keeping its members").WithTags(Tag)
            .AcceptsJson<Schemas.GroupNameRequest>(mergePatch: true).Produces<Schemas.GroupResponse>().ProducesAdminError(400, 404, 409, 412);
        organization.MapDelete("/groups/{name}", DeleteAsync)
            .WithName("deleteGroup").WithSummary("Delete a group").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapPut("/groups/{name}/members/{sub}", (HttpContext context, string org, string name, string sub, [AsParameters] Dependencies d) =>
            ChangeMemberAsync(context, org, name, sub, add: true, d))
            .WithName("addGroupMember").WithSummary("Add a user to a group (idempotent)").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapDelete("/groups/{name}/members/{sub}", (HttpContext context, string org, string name, string sub, [AsParameters] Dependencies d) =>
            ChangeMemberAsync(context, org, name, sub, add: false, d))
            .WithName("removeGroupMember").WithSummary("Remove a user from a group (idempotent)").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        return organization;
    }

    /// <summary>Why <paramref name="name"/> cannot name a group, or null.</summary>
    public static string? NameProblem(string name) =>
        name.Length is 0 or > 256 ? "must be 1 to 256 characters"
        : name.Trim().Length != name.Length ? "must not start or end with white space"
        : name.Any(char.IsControl) || name.Contains('/', StringComparison.Ordinal) ? "must not contain control characters or '/'"
        : null;

    private static async Task<IResult> CreateAsync(HttpContext context, string org, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        (string? name, AdminError? error) = await ReadNameAsync(context);
        if (name is null)
        {
            return AdminResults.Error(error!);
        }

        GroupInfo? group = await d.Groups.CreateAsync(organization.Id, name, context.RequestAborted);
        if (group is null)
        {
            return AdminResults.Error(AdminError.Conflict($"There is already a group '{name}' in organisation '{org}'."));
        }

        d.Audit.AdminChange(context, organization, "group.created", null, null, null, AdminResults.Write(w => Write(w, group)));
        return AdminResults.Created($"{AdminApi.Prefix}/organizations/{org}/groups/{Uri.EscapeDataString(name)}", w => Write(w, group));
    }

    private static async Task<IResult> ListAsync(HttpContext context, string org, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        IReadOnlyList<GroupInfo> groups = await d.Groups.ListAsync(organization.Id, context.RequestAborted);
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("groups");
            foreach (GroupInfo group in groups)
            {
                w.WriteStartObject();
                Write(w, group);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> GetAsync(HttpContext context, string org, string name, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        GroupInfo? group = await d.Groups.FindAsync(organization.Id, name, context.RequestAborted);
        return group is null
            ? AdminResource.Group(context, name).NotFound()
            : AdminETag.With(AdminResults.Ok(w => Write(w, group)), group.Version);
    }

    private static async Task<IResult> RenameAsync(HttpContext context, string org, string name, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        AdminResource group = AdminResource.Group(context, name);
        GroupInfo? before = await d.Groups.FindAsync(organization.Id, name, context.RequestAborted);
        if (!group.CanChange(before, g => g.Version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        (string? newName, AdminError? error) = await ReadNameAsync(context);
        if (newName is null)
        {
            return AdminResults.Error(error!);
        }

        long? newVersion;
        try
        {
            newVersion = await d.Groups.RenameAsync(organization.Id, name, newName, context.RequestAborted, expectedVersion);
            if (newVersion is null)
            {
                return group.NotFoundOrMoved(expectedVersion);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return AdminResults.Error(AdminError.Conflict($"There is already a group '{newName}' in organisation '{org}'."));
        }

        GroupInfo after = before with { Name = newName, Version = newVersion.Value };
        d.Audit.AdminChange(context, organization, "group.renamed", null, null, AdminResults.Write(w => Write(w, before)), AdminResults.Write(w => Write(w, after)));
        return AdminETag.With(AdminResults.Ok(w => Write(w, after)), after.Version);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string org, string name, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        AdminResource group = AdminResource.Group(context, name);
        GroupInfo? before = await d.Groups.FindAsync(organization.Id, name, context.RequestAborted);
        if (!group.CanChange(before, g => g.Version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        if (!await d.Groups.DeleteAsync(organization.Id, name, context.RequestAborted, expectedVersion))
        {
            return group.NotFoundOrMoved(expectedVersion);
        }

        d.Audit.AdminChange(context, organization, "group.deleted", null, null, AdminResults.Write(w => Write(w, before)), null);
        return AdminResults.NoContent();
    }

    private static async Task<IResult> ChangeMemberAsync(HttpContext context, string org, string name, string sub, bool add, Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        // If-Match is evaluated against the group's version (which a membership change bumps): here against the version
        // just read, and again atomically by the statement that changes the membership, which locks the group row.
        AdminResource group = AdminResource.Group(context, name);
        long? expectedVersion = null;
        if (context.Request.Headers.IfMatch.Count > 0
            && !group.CanChange(await d.Groups.FindAsync(organization.Id, name, context.RequestAborted), g => g.Version, out expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        MembershipChange change = add
            ? await d.Groups.AddMemberAsync(organization.Id, name, sub, context.RequestAborted, expectedVersion)
            : await d.Groups.RemoveMemberAsync(organization.Id, name, sub, context.RequestAborted, expectedVersion);
        if (!change.GroupExists || !change.VersionMatches)
        {
            return group.NotFoundOrMoved(change.GroupExists ? expectedVersion : null);
        }

        if (!change.UserExists)
        {
            return AdminResource.User(context, sub).NotFound();
        }

        d.Audit.AdminChange(context, organization, add ? "group.member_added" : "group.member_removed", null, sub, null,
            AdminResults.Write(w => w.WriteString("group", name)));
        return AdminResults.NoContent();
    }

    private static async Task<(string? Name, AdminError? Error)> ReadNameAsync(HttpContext context)
    {
        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            JsonFields? fields = document is null ? null : JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error);
            if (fields is null)
            {
                return (null, error);
            }

            fields.RejectUnknown(NameFields);
            string? name = fields.String("name", 256, required: true);
            if (name is not null && NameProblem(name) is string problem)
            {
                fields.Fail($"name {problem}.");
            }

            return fields.IsValid ? (name, null) : (null, fields.Error);
        }
    }

    private static void Write(Utf8JsonWriter writer, GroupInfo group)
    {
        writer.WriteString("name", group.Name);
        writer.WriteString("created_at", group.CreatedAt);
        writer.WriteNumber("member_count", group.MemberCount);
    }

    /// <summary>The services every group endpoint needs, bound with <c>[AsParameters]</c>.</summary>
    public sealed record Dependencies(PgGroupStore Groups, AuditLog Audit);
}
