using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Server.Audit;
using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Server.Admin;

/// <summary>
/// <c>/api/v1/organizations/{org}/clients</c>: register, read, patch, delete, and rotate secrets. Reads and writes go
/// to <see cref="PgClientStore"/>, which notifies every instance; each change also drops this instance's cached
/// client at once, so the next token request here sees it without waiting for the notification.
/// </summary>
public static class ClientsApi
{
    /// <summary>How long the previous secrets keep working after a rotation, unless the request says otherwise.</summary>
    public const long DefaultPreviousSecretLifetimeSeconds = 86_400;

    /// <summary>At most 30 days of overlap: a rotation that never ends is no rotation.</summary>
    public const long MaxPreviousSecretLifetimeSeconds = 30 * 86_400;

    private static readonly HashSet<string> RotationFields = new(StringComparer.Ordinal) { "previous_secret_expires_in" };

    public static RouteGroupBuilder MapClientsApi(this RouteGroupBuilder organization)
    {
        const string Tag = "Clients";
        organization.MapPost("/clients", CreateAsync)
            .WithName("createClient").WithSummary("Register a client; the answer shows its secret this once").WithTags(Tag)
            .AcceptsJson<Schemas.ClientRequest>().Produces<Schemas.ClientCreatedResponse>(StatusCodes.Status201Created).ProducesAdminError(400, 404, 409);
        organization.MapGet("/clients", ListAsync)
            .WithName("listClients").WithSummary("List the clients").WithTags(Tag)
            .Produces<Schemas.ClientListResponse>().ProducesAdminError(404);
        organization.MapGet("/clients/{clientId}", GetAsync)
            .WithName("getClient").WithSummary("Read a client").WithTags(Tag)
            .Produces<Schemas.ClientResponse>().ProducesAdminError(404);
        organization.MapMethods("/clients/{clientId}", ["PATCH"], PatchAsync)
            .WithName("updateClient").WithSummary("Change a client (JSON Merge Patch, validated as a registration)").WithTags(Tag)
            .AcceptsJson<Schemas.ClientRequest>(mergePatch: true).Produces<Schemas.ClientResponse>().ProducesAdminError(400, 404, 412);
        organization.MapDelete("/clients/{clientId}", DeleteAsync)
            .WithName("deleteClient").WithSummary("Delete a client, its secrets and grants").WithTags(Tag)
            .Produces(StatusCodes.Status204NoContent).ProducesAdminError(404, 412);
        organization.MapPost("/clients/{clientId}/secrets", RotateSecretAsync)
            .WithName("rotateClientSecret").WithSummary("Add a new secret; the previous ones expire after an overlap").WithTags(Tag)
            .AcceptsJson<Schemas.SecretRotationRequest>(isOptional: true).Produces<Schemas.SecretCreatedResponse>(StatusCodes.Status201Created).ProducesAdminError(400, 404, 412);
        organization.MapGet("/clients/{clientId}/secrets", ListSecretsAsync)
            .WithName("listClientSecrets").WithSummary("List a client's secrets (never their values)").WithTags(Tag)
            .Produces<Schemas.SecretListResponse>().ProducesAdminError(404);
        return organization;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string org, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            if (document is null)
            {
                return AdminResults.Error(error!);
            }

            (Client? client, error) = ClientMetadata.Read(document.RootElement, organization.Id, registering: true);
            if (client is null)
            {
                return AdminResults.Error(error!);
            }

            if (await CheckPinAsync(context, org, client, d.Organizations) is AdminError pinError)
            {
                return AdminResults.Error(pinError);
            }

            // RFC 7591 §2: a public client ("none") and a private_key_jwt client have no secret.
            string? secret = client.TokenEndpointAuthMethod is TokenEndpointAuthMethod.ClientSecretBasic or TokenEndpointAuthMethod.ClientSecretPost
                ? ClientSecrets.Generate()
                : null;
            if (secret is not null)
            {
                client = WithSecret(client, NewSecret(secret, d.TimeProvider));
            }

            try
            {
                await d.Clients.CreateAsync(client, context.RequestAborted);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return AdminResults.Error(AdminError.Conflict($"client_id '{client.ClientId}' is already registered in organisation '{org}'."));
            }

            d.Cache.Invalidate(organization.Id, client.ClientId);

            d.Audit.AdminChange(context, organization, "client.created", client.ClientId, null, null, ClientJson.ToUtf8(client));
            return AdminResults.Created($"{AdminApi.Prefix}/organizations/{org}/clients/{client.ClientId}", w =>
            {
                ClientJson.Write(w, client);
                if (secret is not null)
                {
                    // Shown this once; only its SHA-256 is stored.
                    w.WriteString("client_secret", secret);
                    w.WriteNumber("client_secret_expires_at", 0);
                }
            });
        }
    }

    private static async Task<IResult> ListAsync(HttpContext context, string org, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        IReadOnlyList<Client> list = await d.Clients.ListAsync(organization.Id, context.RequestAborted);
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("clients");
            foreach (Client client in list)
            {
                w.WriteStartObject();
                ClientJson.Write(w, client);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> GetAsync(HttpContext context, string org, string clientId, [AsParameters] Dependencies d)
    {
        (Client? client, long version) = await FindVersionedClientAsync(context, AdminRequest.OrganizationOf(context), clientId, d);
        return client is null ? AdminResource.Client(context, clientId).NotFound() : AdminETag.With(AdminResults.Ok(w => ClientJson.Write(w, client)), version);
    }

    private static async Task<IResult> PatchAsync(HttpContext context, string org, string clientId, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.Client(context, clientId);
        (Client? before, long version) = await FindVersionedClientAsync(context, organization, clientId, d);
        if (!resource.CanChange(before, _ => version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request);
        using (document)
        {
            if (document is null)
            {
                return AdminResults.Error(error!);
            }

            if (document.RootElement.TryGetProperty("client_id", out JsonElement id) && !(id.ValueKind == JsonValueKind.String && id.GetString() == clientId))
            {
                return AdminResults.Error(new AdminError(AdminError.InvalidClientMetadata, "client_id cannot be changed; register a new client instead."));
            }

            // The merged whole is validated, so a patch cannot leave the client in a state it could not be created in.
            (JsonElement patched, error) = ClientJson.Merge(before, document.RootElement);
            if (error is not null)
            {
                return AdminResults.Error(error);
            }

            (Client? merged, error) = ClientMetadata.Read(patched, organization.Id);
            if (merged is null)
            {
                return AdminResults.Error(error!);
            }

            if (await CheckPinAsync(context, org, merged, d.Organizations) is AdminError pinError)
            {
                return AdminResults.Error(pinError);
            }

            if (await d.Clients.UpdateAsync(merged, context.RequestAborted, expectedVersion) is not long newVersion)
            {
                return resource.NotFoundOrMoved(expectedVersion);
            }

            d.Cache.Invalidate(organization.Id, clientId);
            d.Audit.AdminChange(context, organization, "client.updated", clientId, null, ClientJson.ToUtf8(before), ClientJson.ToUtf8(merged));
            return AdminETag.With(AdminResults.Ok(w => ClientJson.Write(w, merged)), newVersion);
        }
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string org, string clientId, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.Client(context, clientId);
        (Client? before, long version) = await FindVersionedClientAsync(context, organization, clientId, d);
        if (!resource.CanChange(before, _ => version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        if (!await d.Clients.DeleteAsync(organization.Id, clientId, d.TimeProvider.GetUtcNow(), context.RequestAborted, expectedVersion))
        {
            return resource.NotFoundOrMoved(expectedVersion);
        }

        d.Cache.Invalidate(organization.Id, clientId);
        d.Audit.AdminChange(context, organization, "client.deleted", clientId, null, ClientJson.ToUtf8(before), null);
        return AdminResults.NoContent();
    }

    private static async Task<IResult> RotateSecretAsync(HttpContext context, string org, string clientId, [AsParameters] Dependencies d)
    {
        // The secrets are not part of the client's representation, so a rotation leaves its version as it is; If-Match
        // is still evaluated, against the version just read and again in the statement that adds the secret.
        Organization organization = AdminRequest.OrganizationOf(context);
        AdminResource resource = AdminResource.Client(context, clientId);
        (Client? client, long version) = await FindVersionedClientAsync(context, organization, clientId, d);
        if (!resource.CanChange(client, _ => version, out long? expectedVersion, out IResult? refusal))
        {
            return refusal;
        }

        if (client.TokenEndpointAuthMethod is not (TokenEndpointAuthMethod.ClientSecretBasic or TokenEndpointAuthMethod.ClientSecretPost))
        {
            return AdminResults.Error(new AdminError(AdminError.InvalidRequest,
                $"Client '{clientId}' uses token_endpoint_auth_method '{TokenEndpointAuthMethods.GetName(client.TokenEndpointAuthMethod)}', which has no secret."));
        }

        long previousLifetime = DefaultPreviousSecretLifetimeSeconds;
        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request, optional: true);
        using (document)
        {
            if (error is not null)
            {
                return AdminResults.Error(error);
            }

            if (document is not null)
            {
                JsonFields? fields = JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error);
                if (fields is null)
                {
                    return AdminResults.Error(error!);
                }

                fields.RejectUnknown(RotationFields);
                long? requested = fields.Integer("previous_secret_expires_in");
                if (requested is < 0 or > MaxPreviousSecretLifetimeSeconds)
                {
                    fields.Fail($"previous_secret_expires_in must be between 0 and {MaxPreviousSecretLifetimeSeconds} seconds; it is {requested}.");
                }

                if (!fields.IsValid)
                {
                    return AdminResults.Error(fields.Error!);
                }

                previousLifetime = requested ?? previousLifetime;
            }
        }

        string secret = ClientSecrets.Generate();
        ClientSecret added = NewSecret(secret, d.TimeProvider);
        DateTimeOffset previousExpiresAt = added.CreatedAt.AddSeconds(previousLifetime);
        if (!await d.Clients.RotateSecretAsync(organization.Id, clientId, added, previousExpiresAt, context.RequestAborted, expectedVersion))
        {
            return resource.NotFoundOrMoved(expectedVersion);
        }

        d.Cache.Invalidate(organization.Id, clientId);
        byte[] summary = AdminResults.Write(w =>
        {
            w.WriteString("secret_id", added.Id);
            w.WriteString("previous_secrets_expire_at", previousExpiresAt);
        });
        d.Audit.AdminChange(context, organization, "client.secret_rotated", clientId, null, null, summary);
        return AdminResults.Created($"{AdminApi.Prefix}/organizations/{org}/clients/{clientId}/secrets", w =>
        {
            w.WriteString("id", added.Id);
            w.WriteString("client_secret", secret);
            w.WriteString("created_at", added.CreatedAt);
            w.WriteString("previous_secrets_expire_at", previousExpiresAt);
        });
    }

    private static async Task<IResult> ListSecretsAsync(HttpContext context, string org, string clientId, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);
        (Client? client, long _) = await FindVersionedClientAsync(context, organization, clientId, d);
        if (client is null)
        {
            return AdminResource.Client(context, clientId).NotFound();
        }

        IReadOnlyList<ClientSecretInfo> secrets = await d.Clients.ListSecretsAsync(organization.Id, clientId, context.RequestAborted);
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("secrets");
            foreach (ClientSecretInfo secret in secrets)
            {
                w.WriteStartObject();
                w.WriteString("id", secret.Id);
                w.WriteString("created_at", secret.CreatedAt);
                w.WriteStringOrNull("last_used_at", secret.LastUsedAt);
                w.WriteStringOrNull("expires_at", secret.ExpiresAt);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary>The client with its version, the ETag of GET and the expected value of a conditional PATCH or DELETE.</summary>
    private static async Task<(Client? Client, long Version)> FindVersionedClientAsync(
        HttpContext context, Organization organization, string clientId, Dependencies d) =>
        clientId.Length <= 128 ? await d.Clients.FindVersionedAsync(organization.Id, clientId, context.RequestAborted) : (null, 0);

    /// <summary>
    /// A pinned client's algorithm against the organisation's. Read, then checked, then written in another
    /// transaction: an algorithm change landing in between could leave a pin the organisation no longer signs with.
    /// The organisation side checks pins under its row lock, so only that narrow race remains, and an admin sees it
    /// on the client (GET shows the pin) and fixes it with either PATCH. Only pinned clients pay the extra read.
    /// </summary>
    private static async Task<AdminError?> CheckPinAsync(HttpContext context, string org, Client client, PgOrganizationStore organizations)
    {
        if (client.IdTokenSignedResponseAlgorithm is null)
        {
            return null;
        }

        OrganizationDetails? details = await organizations.FindDetailsAsync(org, context.RequestAborted);
        if (details is null)
        {
            return AdminError.NotFound($"There is no organisation '{org}'.");
        }

        if (ClientMetadata.CheckPin(client, details.SigningAlgorithm, org) is AdminError error)
        {
            return error;
        }

        // signing_algorithm names the keys of future rotations; the pin must also hold for the key that signs today.
        SigningKeys keys = await context.RequestServices.GetRequiredService<PgSigningKeyStore>().GetAsync(details.Id, context.RequestAborted);
        return keys.Current.Algorithm == client.IdTokenSignedResponseAlgorithm
            ? null
            : new AdminError(AdminError.InvalidClientMetadata,
                $"id_token_signed_response_alg is {details.SigningAlgorithm}, but organisation '{org}' still signs with "
                + $"{JwsAlgorithms.GetName(keys.Current.Algorithm)} until its next key activates; pin it once the rotation is done.");
    }

    private static ClientSecret NewSecret(string secret, TimeProvider timeProvider) =>
        new("s_" + OpaqueToken.New(8), ClientSecrets.Hash(secret), timeProvider.GetUtcNow());

    private static Client WithSecret(Client client, ClientSecret secret) => new()
    {
        OrganizationId = client.OrganizationId,
        ClientId = client.ClientId,
        ClientName = client.ClientName,
        Enabled = client.Enabled,
        TokenEndpointAuthMethod = client.TokenEndpointAuthMethod,
        RedirectUris = client.RedirectUris,
        PostLogoutRedirectUris = client.PostLogoutRedirectUris,
        GrantTypes = client.GrantTypes,
        Scopes = client.Scopes,
        Secrets = [secret],
        Jwks = client.Jwks,
        IsNative = client.IsNative,
        RequirePkce = client.RequirePkce,
        AllowPlainPkce = client.AllowPlainPkce,
        RequireConsent = client.RequireConsent,
        AlwaysIssueRefreshToken = client.AlwaysIssueRefreshToken,
        Lifetimes = client.Lifetimes,
        ClaimMapping = client.ClaimMapping,
        IdTokenSignedResponseAlgorithm = client.IdTokenSignedResponseAlgorithm,
        RequireMfa = client.RequireMfa,
        DefaultAcrValues = client.DefaultAcrValues,
    };

    /// <summary>The services every client endpoint needs, bound with <c>[AsParameters]</c>.</summary>
    public sealed record Dependencies(PgOrganizationStore Organizations, PgClientStore Clients, CachingClientStore Cache, AuditLog Audit, TimeProvider TimeProvider);
}
