using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Clavex.Tests.Support;

/// <summary>
/// A WebAuthn authenticator in the test process, written from WebAuthn Level 3 §6 (not from the Fido2 library the
/// server uses): one P-256 credential, "none" attestation, and assertions whose signature counter, flags and user
/// handle the test chooses, so the server's checks (counter, backup eligibility, user verification, ownership) can each
/// be made to fail. Responses are the JSON a browser's <c>PublicKeyCredential.toJSON()</c> gives.
/// </summary>
internal sealed class SoftwareAuthenticator : IDisposable
{
    public const byte UserPresent = 0x01;
    public const byte UserVerified = 0x04;
    public const byte BackupEligible = 0x08;
    public const byte BackedUp = 0x10;
    private const byte AttestedCredentialData = 0x40;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The response to <c>navigator.credentials.create</c> for <paramref name="optionsJson"/>.</summary>
    public string Register(string optionsJson, string origin, byte flags = UserPresent | UserVerified)
    {
        using JsonDocument options = JsonDocument.Parse(optionsJson);
        string challenge = options.RootElement.GetProperty("challenge").GetString()!;
        string rpId = options.RootElement.GetProperty("rp").GetProperty("id").GetString()!;
        byte[] clientData = ClientData("webauthn.create", challenge, origin);

        ECParameters key = _key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2); // kty: EC2
        cose.WriteInt32(3);
        cose.WriteInt32(-7); // alg: ES256
        cose.WriteInt32(-1);
        cose.WriteInt32(1); // crv: P-256
        cose.WriteInt32(-2);
        cose.WriteByteString(key.Q.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(key.Q.Y!);
        cose.WriteEndMap();
        byte[] coseKey = cose.Encode();

        byte[] attested = new byte[16 + 2 + CredentialId.Length + coseKey.Length];
        BinaryPrimitives.WriteUInt16BigEndian(attested.AsSpan(16), (ushort)CredentialId.Length);
        CredentialId.CopyTo(attested, 18);
        coseKey.CopyTo(attested, 18 + CredentialId.Length);
        byte[] authData = [.. AuthData(rpId, (byte)(flags | AttestedCredentialData), 0), .. attested];

        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authData);
        attestation.WriteEndMap();

        return JsonSerializer.Serialize(new
        {
            id = Base64Url(CredentialId),
            rawId = Base64Url(CredentialId),
            type = "public-key",
            response = new { clientDataJSON = Base64Url(clientData), attestationObject = Base64Url(attestation.Encode()), transports = new[] { "internal" } },
            clientExtensionResults = new { },
        });
    }

    /// <summary>The response to <c>navigator.credentials.get</c> for <paramref name="optionsJson"/>, signed with this credential.</summary>
    public string Assert(string optionsJson, string origin, uint signCount, byte[]? userHandle, byte flags = UserPresent | UserVerified)
    {
        using JsonDocument options = JsonDocument.Parse(optionsJson);
        string challenge = options.RootElement.GetProperty("challenge").GetString()!;
        string rpId = options.RootElement.GetProperty("rpId").GetString()!;
        byte[] clientData = ClientData("webauthn.get", challenge, origin);
        byte[] authData = AuthData(rpId, flags, signCount);
        byte[] signature = _key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return JsonSerializer.Serialize(new
        {
            id = Base64Url(CredentialId),
            rawId = Base64Url(CredentialId),
            type = "public-key",
            response = new
            {
                clientDataJSON = Base64Url(clientData),
                authenticatorData = Base64Url(authData),
                signature = Base64Url(signature),
                userHandle = userHandle is null ? null : Base64Url(userHandle),
            },
            clientExtensionResults = new { },
        });
    }

    public void Dispose() => _key.Dispose();

    private static byte[] AuthData(string rpId, byte flags, uint signCount)
    {
        byte[] data = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(data, 0);
        data[32] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33), signCount);
        return data;
    }

    private static byte[] ClientData(string type, string challenge, string origin) =>
        JsonSerializer.SerializeToUtf8Bytes(new { type, challenge, origin, crossOrigin = false });

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
