using System.Text;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Users;
using Clavex.Server.Admin;
using Clavex.Server.Storage;
using Clavex.Tests.Jose;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Clavex.Tests.Fuzzing;

/// <summary>
/// The admin API's JSON input (Server/Admin/AdminRequest.cs, JsonFields.cs, ClientMetadata.cs, UserProfile.cs,
/// JsonMergePatch.cs): every body is a document or a 400, never an exception; a document that passes holds only text
/// PostgreSQL can store; the readers answer every document with a value or an error; an accepted client reads back
/// as itself (parse(write(x)) == x), and no merge patch can make a client that a create would refuse.
/// </summary>
public class AdminJsonFuzzTests
{
    private static readonly string EcJwk = Encoding.UTF8.GetString(JwkSet.ToUtf8Json([TestKeys.ES256]));

    private static readonly Gen<string> ClientValue = Gen.Frequency(
        (4, Gen.OneOf(
            "\"app-1\"", "\"a b\"", "\"\"", "\"web\"", "\"native\"", "true", "false", "null", "0", "3600", "-1", "1e400", "[]", "{}",
            "[\"https://app.example/cb\"]", "[\"http://localhost:8080/cb\"]", "[\"https://jira.example/plugins/servlet/oidc/callback\"]",
            "[\"com.example.app:/cb\"]", "[\"https://app.example/cb#x\"]", "[\"https://app.example/cb\",\"https://app.example/cb\"]",
            "[\"authorization_code\"]", "[\"authorization_code\",\"refresh_token\"]", "[\"client_credentials\"]", "[\"refresh_token\"]", "[\"implicit\"]",
            "\"client_secret_basic\"", "\"client_secret_post\"", "\"private_key_jwt\"", "\"none\"",
            "[\"openid\",\"profile\"]", "[\"a b\"]", "[\"urn:acme:password\"]", "\"RS256\"", "\"HS256\"", "\"ES256\"",
            "{\"access_token\":3600,\"refresh_token_sliding\":100000,\"refresh_token_absolute\":60}", "{\"authorization_code\":601}",
            EcJwk, "{\"keys\":[]}", "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}", "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}]}",
            "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}")),
        (2, ClaimMappingFuzzTests.MappingJson),
        (2, FuzzGen.Json(3)));

    private static readonly string[] ClientFields = [.. ClientMetadata.Fields, "client_secret", "unknown"];

    /// <summary>A client body: mostly known members with plausible values, so the readers get past their first check.</summary>
    internal static readonly Gen<string> ClientBody = Gen.Frequency(
        (4, Gen.Select(Gen.OneOf(ClientFields), ClientValue).Array[0, 10].Select(members =>
            "{\"client_id\":\"app-1\",\"redirect_uris\":[\"https://app.example/cb\"]" + string.Concat(members.Select(m => ",\"" + m.Item1 + "\":" + m.Item2)) + "}")),
        (1, Gen.Select(Gen.OneOf(ClientFields), ClientValue).Array[0, 10].Select(members =>
            "{" + string.Join(",", members.Select(m => "\"" + m.Item1 + "\":" + m.Item2)) + "}")),
        (1, FuzzGen.Json(4, ClientFields)));

    private static readonly Gen<byte[]> AnyBody = Gen.Frequency(
        (4, ClientBody.Select(FuzzGen.RawUtf8)),
        (1, FuzzGen.DeepNesting.Select(Encoding.UTF8.GetBytes)),
        (1, FuzzGen.Bytes(100)),
        (1, ClientBody.Select(body => (byte[])[.. FuzzGen.RawUtf8(body), 0xFF])));

    private static readonly Gen<string> UserBody = Gen.Select(
        Gen.OneOf([.. UserProfile.CreateFields, "sub", "unknown"]),
        Gen.Frequency(
            (3, Gen.OneOf("\"jdoe\"", "\" jdoe\"", "\"j\\u0007\"", "\"jane@acme.eu\"", "\"jane\"", "\"https://x.example/a.png\"", "\"ftp://x\"", "true", "null", "[\"g1\",\"g1\"]",
                "{\"formatted\":\"x\"}", "{\"department\":\"R&D\"}", "{\"a\":1}", "\"pässwörd-123456\"")),
            (1, FuzzGen.Json(2))))
        .Array[0, 8]
        .Select(members => "{\"username\":\"jdoe\"" + string.Concat(members.Select(m => ",\"" + m.Item1 + "\":" + m.Item2)) + "}");

    [Test]
    public void Any_body_is_a_storable_object_or_a_400()
    {
        Fuzz.Check(AnyBody, body =>
        {
            (JsonDocument? document, AdminError? error) = ReadJson(body);
            using (document)
            {
                Assert.That(document is null, Is.Not.EqualTo(error is null), "a document or an error, never both");
                if (document is not null)
                {
                    Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
                    AssertStorable(document.RootElement);
                }
            }
        }, iterations: 2000);
    }

    [Test]
    public void Any_client_body_is_read_or_refused_and_an_accepted_client_reads_back_as_itself()
    {
        Fuzz.Check(ClientBody, body =>
        {
            (JsonDocument? document, _) = ReadJson(FuzzGen.RawUtf8(body));
            if (document is null)
            {
                return;
            }

            using (document)
            {
                (Client? client, AdminError? error) = ClientMetadata.Read(document.RootElement, organizationId: 1, registering: true);
                Assert.That(client is null, Is.Not.EqualTo(error is null));
                if (client is null)
                {
                    Assert.That(error!.Code, Is.AnyOf(AdminError.InvalidClientMetadata, AdminError.InvalidRequest, AdminError.InvalidRedirectUri));
                    return;
                }

                byte[] written = ClientJson.ToUtf8(client);
                using JsonDocument again = JsonDocument.Parse(written);
                (Client? reread, AdminError? rereadError) = ClientMetadata.Read(again.RootElement, organizationId: 1);
                Assert.That(rereadError, Is.Null, Encoding.UTF8.GetString(written));
                Assert.That(Encoding.UTF8.GetString(ClientJson.ToUtf8(reread!)), Is.EqualTo(Encoding.UTF8.GetString(written)));
            }
        }, iterations: 1500);
    }

    [Test]
    public void No_merge_patch_throws_or_makes_a_client_a_create_would_refuse()
    {
        using JsonDocument baseBody = JsonDocument.Parse("{\"client_id\":\"app-1\",\"redirect_uris\":[\"https://app.example/cb\"]}");
        Client stored = ClientMetadata.Read(baseBody.RootElement, organizationId: 1).Client!;
        Fuzz.Check(ClientBody, patchBody =>
        {
            (JsonDocument? patch, _) = ReadJson(FuzzGen.RawUtf8(patchBody));
            if (patch is null)
            {
                return;
            }

            using (patch)
            {
                (JsonElement merged, AdminError? error) = ClientJson.Merge(stored, patch.RootElement);
                if (error is not null)
                {
                    return;
                }

                (Client? patched, _) = ClientMetadata.Read(merged, organizationId: 1);
                if (patched is not null)
                {
                    using JsonDocument created = JsonDocument.Parse(ClientJson.ToUtf8(patched));
                    Assert.That(ClientMetadata.Read(created.RootElement, organizationId: 1).Error, Is.Null);
                }
            }
        }, iterations: 1500);
    }

    [Test]
    public void Any_user_body_is_read_or_refused()
    {
        Fuzz.Check(UserBody, body =>
        {
            (JsonDocument? document, _) = ReadJson(FuzzGen.RawUtf8(body));
            if (document is null)
            {
                return;
            }

            using (document)
            {
                JsonFields fields = JsonFields.Of(document.RootElement, AdminError.InvalidRequest, out _)!;
                // The caller reads validity from the fields, not from the user, which is always returned.
                User user = UserProfile.Read(fields, UserProfile.CreateFields, organizationId: 1, subject: "u_1", enabled: true)!;
                if (fields.IsValid)
                {
                    Assert.That(user.Username, Is.Not.Empty);
                    Assert.That(user.Username.Trim(), Is.EqualTo(user.Username));
                    Assert.That(user.Username.Any(char.IsControl), Is.False);
                    Assert.That(user.Email is null || user.Email.IndexOf('@', StringComparison.Ordinal) > 0, Is.True);
                }
                else
                {
                    Assert.That(fields.Error, Is.Not.Null);
                }
            }
        }, iterations: 1500);
    }

    internal static (JsonDocument? Document, AdminError? Error) ReadJson(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        return AdminRequest.ReadJsonAsync(context.Request).GetAwaiter().GetResult();
    }

    private static void AssertStorable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Assert.That(StorableText.IsStorable(property.Name), Is.True);
                    AssertStorable(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    AssertStorable(item);
                }

                break;
            case JsonValueKind.String:
                Assert.That(StorableText.IsStorable(element.GetString()!), Is.True);
                break;
        }
    }
}
