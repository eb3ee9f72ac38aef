using System.Text.Json;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;
using Clavex.Server.Storage;

namespace Clavex.Server.Admin;

/// <summary>
/// <c>/api/v1/organizations/{org}/signing-keys</c>: list the keys with their states and dates, and rotate. Never a
/// private key, not even its ciphertext.
/// </summary>
public static class SigningKeysApi
{
    /// <summary>The algorithms an organisation's keys may have; RS256 is the default.</summary>
    public const string AlgorithmNames = "RS256, PS256 or ES256";

    private const string OrganizationSigningAlgorithm = "signing_algorithm";

    private static readonly HashSet<string> RotationFields = new(StringComparer.Ordinal) { "algorithm", "immediate" };

    public static RouteGroupBuilder MapSigningKeysApi(this RouteGroupBuilder organization)
    {
        const string Tag = "Signing keys";
        organization.MapGet("/signing-keys", ListAsync)
            .WithName("listSigningKeys").WithSummary("List the organisation's signing keys with their states and dates").WithTags(Tag)
            .Produces<Schemas.SigningKeyListResponse>().ProducesAdminError(404);
        organization.MapPost("/signing-keys/rotate", RotateAsync)
            .WithName("rotateSigningKey").WithSummary("Publish a new signing key that signs after the JWKS cache lifetime has passed").WithTags(Tag)
            .AcceptsJson<Schemas.SigningKeyRotationRequest>(isOptional: true).Produces<Schemas.SigningKeyRotationResponse>(StatusCodes.Status201Created)
            .ProducesAdminError(400, 404, 409, 412);
        return organization;
    }

    /// <summary>Reads an algorithm member: null when absent, else one of <see cref="AlgorithmNames"/> or a failure naming the field.</summary>
    internal static JwsAlgorithm? ReadAlgorithm(JsonFields fields, string name)
    {
        string? text = fields.String(name, 16);
        if (text is null)
        {
            return null;
        }

        if (JwsAlgorithms.TryParse(text, out JwsAlgorithm algorithm) && algorithm is JwsAlgorithm.RS256 or JwsAlgorithm.PS256 or JwsAlgorithm.ES256)
        {
            return algorithm;
        }

        fields.Fail($"{fields.Name(name)} must be {AlgorithmNames}; '{text}' is not a signing algorithm Clavex supports.");
        return null;
    }

    private static async Task<IResult> ListAsync(HttpContext context, string org, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        IReadOnlyList<SigningKeyInfo> keys = await d.Rotation.ListAsync(organization.Id, context.RequestAborted);
        return AdminResults.Ok(w =>
        {
            w.WriteStartArray("signing_keys");
            foreach (SigningKeyInfo key in keys)
            {
                w.WriteStartObject();
                Write(w, key);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private static async Task<IResult> RotateAsync(HttpContext context, string org, [AsParameters] Dependencies d)
    {
        Organization organization = AdminRequest.OrganizationOf(context);

        // If-Match names the organisation's ETag: a rotation naming a new algorithm changes the organisation (and bumps
        // its version). The header is evaluated against the version read here, and the version it names is checked again
        // under the organisation's row lock in the rotation's transaction, so a PATCH or another rotation that lands in
        // between is not silently overwritten.
        long? expectedVersion = null;
        if (context.Request.Headers.IfMatch.Count > 0)
        {
            OrganizationDetails? details = await d.Organizations.FindDetailsAsync(org, context.RequestAborted);
            if (details is null)
            {
                return AdminResults.Error(AdminError.NotFound($"There is no organisation '{org}'."));
            }

            if (!AdminETag.Matches(context.Request, details.Version, out expectedVersion))
            {
                return AdminETag.Refuse(context, $"organisation '{org}'", details.Version);
            }
        }

        JwsAlgorithm? algorithm = null;
        bool immediate = false;
        (JsonDocument? document, AdminError? error) = await AdminRequest.ReadJsonAsync(context.Request, optional: true);
        using (document)
        {
            if (error is not null)
            {
                return AdminResults.Error(error);
            }

            if (document is not null)
            {
                JsonFields fields = JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out error)!;
                fields.RejectUnknown(RotationFields);
                algorithm = ReadAlgorithm(fields, "algorithm");
                immediate = fields.Bool("immediate") ?? false;
                if (!fields.IsValid)
                {
                    return AdminResults.Error(fields.Error!);
                }
            }
        }

        RotationOutcome outcome = await d.Rotation.RotateAsync(organization.Id, algorithm, immediate, context.RequestAborted, expectedVersion);
        if (outcome.PreconditionFailed)
        {
            return AdminETag.Refuse(context, $"organisation '{org}'", outcome.StaleVersion);
        }

        if (outcome.PinConflicts.Count > 0)
        {
            return AdminResults.Error(AdminError.Conflict(
                $"Organisation '{org}' cannot rotate to {JwsAlgorithms.GetName(algorithm!.Value)}: {AlgorithmPins.Describe(outcome.PinConflicts)}"));
        }

        if (outcome.Key is null)
        {
            SigningKeyInfo pending = outcome.Pending!;
            return AdminResults.Error(AdminError.Conflict(
                $"Signing key '{pending.Kid}' is already published and starts signing at {pending.ActivatesAt:O}; rotate again after that, or with \"immediate\": true."));
        }

        if (outcome.ChangedAlgorithm)
        {
            d.Directory.Invalidate(organization.Slug);
        }

        // The organisation's signing_algorithm before and after: a rotation naming an algorithm changes the organisation.
        SigningKeyInfo key = outcome.Key;
        byte[] before = AdminResults.Write(w => w.WriteString(OrganizationSigningAlgorithm, outcome.AlgorithmBefore));
        byte[] after = AdminResults.Write(w =>
        {
            Write(w, key);
            if (immediate)
            {
                WriteUnpublished(w, outcome.Unpublished);
            }

            w.WriteString(OrganizationSigningAlgorithm, outcome.AlgorithmAfter);
        });
        d.Audit.AdminChange(context, organization, immediate ? "signing_key.rotated_immediately" : "signing_key.rotation_scheduled", null, null, before, after);
        return AdminResults.Created($"{AdminApi.Prefix}/organizations/{org}/signing-keys", w =>
        {
            Write(w, key);
            if (immediate)
            {
                WriteUnpublished(w, outcome.Unpublished);
            }
        });
    }

    private static void WriteUnpublished(Utf8JsonWriter writer, IReadOnlyList<string> kids)
    {
        writer.WriteStartArray("unpublished");
        foreach (string kid in kids)
        {
            writer.WriteStringValue(kid);
        }

        writer.WriteEndArray();
    }

    private static void Write(Utf8JsonWriter writer, SigningKeyInfo key)
    {
        writer.WriteString("kid", key.Kid);
        writer.WriteString("alg", key.Algorithm);
        writer.WriteString("state", key.State);
        writer.WriteString("created_at", key.CreatedAt);
        writer.WriteStringOrNull("activates_at", key.ActivatesAt);
        writer.WriteStringOrNull("activated_at", key.ActivatedAt);
        writer.WriteStringOrNull("retire_after", key.RetireAfter);
        writer.WriteStringOrNull("retired_at", key.RetiredAt);
    }

    /// <summary>The services every signing-key endpoint needs, bound with <c>[AsParameters]</c>.</summary>
    public sealed record Dependencies(PgOrganizationStore Organizations, OrganizationDirectory Directory, KeyRotation Rotation, AuditLog Audit);
}
