using System.Text;
using System.Text.Json;
using Clavex.Core.Factors;
using Clavex.Core.Interaction;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;

namespace Clavex.Server.Login;

/// <summary>
/// WebAuthn's cryptography by the Fido2 library: attestation (registration) and assertion (sign-in) verification,
/// with the RP ID the host of the public base URL and its origin the only one accepted. Attestation is not requested
/// (<c>none</c>): Clavex does not restrict authenticator models, so it has no use for a metadata service. Everything
/// in a response is the browser's (and so possibly an attacker's) input: a response that does not parse or verify is
/// a failure reason, never an exception.
/// </summary>
public sealed class Fido2PasskeyVerifier : IPasskeyVerifier
{
    // WebAuthn §6.1 authenticator data: rpIdHash (32 bytes), then the flags byte.
    private const int FlagsOffset = 32;
    private const byte UserVerifiedFlag = 0x04;
    private const byte BackupEligibleFlag = 0x08;
    private const byte BackedUpFlag = 0x10;

    private static readonly IReadOnlyList<PubKeyCredParam> s_algorithms = [PubKeyCredParam.ES256, PubKeyCredParam.Ed25519, PubKeyCredParam.RS256, PubKeyCredParam.PS256];

    private readonly Fido2Configuration _configuration;
    private readonly Fido2 _fido2;

    /// <summary>Credentials are scoped to the host of <paramref name="publicBaseUrl"/>, and its origin is the only one accepted.</summary>
    public Fido2PasskeyVerifier(Uri publicBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(publicBaseUrl);
        Uri baseUrl = publicBaseUrl;
        _configuration = new Fido2Configuration
        {
            RPID = baseUrl.IdnHost,
            RPName = "Clavex",
            Origins = new HashSet<string>(StringComparer.Ordinal) { baseUrl.GetLeftPart(UriPartial.Authority) },
            Timeout = (uint)PasskeyChallenges.Lifetime.TotalMilliseconds,
        };
        _fido2 = new Fido2(_configuration, metadataService: null);
    }

    /// <summary>The RP ID credentials are scoped to: the public host.</summary>
    public string RelyingPartyId => _configuration.RPID;

    /// <summary>The <c>PublicKeyCredentialCreationOptions</c> for the page, as WebAuthn Level 3's JSON (base64url byte strings).</summary>
    public string CreationOptionsJson(PasskeyRegistrationOffer offer) => CreationOptions(offer).ToJson();

    /// <summary>The <c>PublicKeyCredentialRequestOptions</c> for the page, as WebAuthn Level 3's JSON.</summary>
    public string RequestOptionsJson(PasskeyAssertionOffer offer) => RequestOptions(offer).ToJson();

    public PasskeyAssertionClaim? ReadAssertion(string responseJson)
    {
        AuthenticatorAssertionRawResponse? raw = Parse<AuthenticatorAssertionRawResponse>(responseJson);
        return raw?.RawId is { Length: > 0 } id && raw.Response?.AuthenticatorData is not null
            ? new PasskeyAssertionClaim(id, raw.Response.UserHandle is { Length: > 0 } handle ? handle : null)
            : null;
    }

    public async Task<(PasskeyAssertion? Assertion, string? FailureReason)> VerifyAssertionAsync(
        string responseJson, PasskeyAssertionOffer offer, PasskeyCredential stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(stored);
        AuthenticatorAssertionRawResponse? raw = Parse<AuthenticatorAssertionRawResponse>(responseJson);
        if (raw?.Response?.AuthenticatorData is not { Length: > FlagsOffset } authenticatorData)
        {
            return (null, "malformed_response");
        }

        try
        {
            VerifyAssertionResult result = await _fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = raw,
                OriginalOptions = RequestOptions(offer),
                StoredPublicKey = stored.PublicKey,
                StoredSignatureCounter = stored.SignCount,
                // The core has matched the credential to its user (and the user handle to the row) before this.
                IsUserHandleOwnerOfCredentialIdCallback = static (_, _) => Task.FromResult(true),
            }, cancellationToken);
            byte flags = authenticatorData[FlagsOffset];
            return (new PasskeyAssertion(result.SignCount, (flags & BackupEligibleFlag) != 0, result.IsBackedUp, (flags & UserVerifiedFlag) != 0), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, Reason(e));
        }
    }

    public async Task<(NewPasskey? Passkey, string? FailureReason)> VerifyRegistrationAsync(
        string responseJson, PasskeyRegistrationOffer offer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        AuthenticatorAttestationRawResponse? raw = Parse<AuthenticatorAttestationRawResponse>(responseJson);
        if (raw?.Response?.AttestationObject is null || raw.Response.ClientDataJson is null)
        {
            return (null, "malformed_response");
        }

        try
        {
            RegisteredPublicKeyCredential credential = await _fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = raw,
                OriginalOptions = CreationOptions(offer),
                // Uniqueness within the organisation is the store's constraint, checked when the row is inserted.
                IsCredentialIdUniqueToUserCallback = static (_, _) => Task.FromResult(true),
            }, cancellationToken);
            var transports = new List<string>(credential.Transports?.Length ?? 0);
            foreach (AuthenticatorTransport transport in credential.Transports ?? [])
            {
                transports.Add(TransportName(transport));
            }

            return (new NewPasskey(
                credential.Id, credential.PublicKey, credential.SignCount, credential.IsBackupEligible, credential.IsBackedUp, transports, credential.AaGuid), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, Reason(e));
        }
    }

    private CredentialCreateOptions CreationOptions(PasskeyRegistrationOffer offer) => CredentialCreateOptions.Create(
        _configuration,
        offer.Challenge,
        new Fido2User { Id = offer.UserHandle, Name = offer.UserName, DisplayName = offer.DisplayName },
        new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Preferred, UserVerification = UserVerificationRequirement.Preferred },
        AttestationConveyancePreference.None,
        Descriptors(offer.Exclude),
        extensions: null,
        s_algorithms);

    private AssertionOptions RequestOptions(PasskeyAssertionOffer offer) => AssertionOptions.Create(
        _configuration,
        offer.Challenge,
        Descriptors(offer.Allowed),
        offer.UserVerificationRequired ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred,
        extensions: null);

    private static PublicKeyCredentialDescriptor[] Descriptors(IReadOnlyList<PasskeyDescriptor> passkeys)
    {
        var descriptors = new PublicKeyCredentialDescriptor[passkeys.Count];
        for (int i = 0; i < descriptors.Length; i++)
        {
            var transports = new List<AuthenticatorTransport>(passkeys[i].Transports.Count);
            foreach (string name in passkeys[i].Transports)
            {
                if (TryParseTransport(name, out AuthenticatorTransport transport))
                {
                    transports.Add(transport);
                }
            }

            descriptors[i] = new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PublicKey, passkeys[i].CredentialId, transports.Count == 0 ? null! : [.. transports]);
        }

        return descriptors;
    }

    private static T? Parse<T>(string json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The library's error code in snake case (<c>invalid_signature</c>, <c>invalid_sign_count</c>, …), or <c>passkey_unverified</c>.</summary>
    private static string Reason(Exception e)
    {
        if (e is not Fido2VerificationException { Code: var code and not Fido2ErrorCode.Unknown })
        {
            return PasskeyFailureReasons.Unverified;
        }

        string name = code.ToString();
        var snake = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }

    private static string TransportName(AuthenticatorTransport transport) => transport switch
    {
        AuthenticatorTransport.Usb => "usb",
        AuthenticatorTransport.Nfc => "nfc",
        AuthenticatorTransport.Ble => "ble",
        AuthenticatorTransport.SmartCard => "smart-card",
        AuthenticatorTransport.Hybrid => "hybrid",
        AuthenticatorTransport.Internal => "internal",
        _ => transport.ToString().ToLowerInvariant(),
    };

    private static bool TryParseTransport(string name, out AuthenticatorTransport transport)
    {
        (bool known, transport) = name switch
        {
            "usb" => (true, AuthenticatorTransport.Usb),
            "nfc" => (true, AuthenticatorTransport.Nfc),
            "ble" => (true, AuthenticatorTransport.Ble),
            "smart-card" => (true, AuthenticatorTransport.SmartCard),
            "hybrid" => (true, AuthenticatorTransport.Hybrid),
            "internal" => (true, AuthenticatorTransport.Internal),
            _ => (false, default),
        };
        return known;
    }
}
