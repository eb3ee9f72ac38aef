using Clavex.Core.Authorization;
using Clavex.Core.Factors;

namespace Clavex.Core.Interaction;

public enum InteractionResultKind
{
    /// <summary>Nothing about the request can be trusted enough to redirect to: show <see cref="InteractionResult.Rejection"/>.</summary>
    Reject,

    /// <summary>Send <see cref="InteractionResult.Response"/> (a code or an error) to the client's redirect URI.</summary>
    Deliver,

    /// <summary>Show the login page for <see cref="InteractionResult.Request"/>.</summary>
    ShowLogin,

    /// <summary>Show the consent page for <see cref="InteractionResult.Request"/>.</summary>
    ShowConsent,

    /// <summary>Ask for the code of the user's authenticator app (or a recovery code).</summary>
    ShowSecondFactor,

    /// <summary>Show the QR code of <see cref="InteractionResult.Enrolment"/> and ask for its first code.</summary>
    ShowEnrolment,

    /// <summary>
    /// The second factor was accepted: show <see cref="InteractionResult.RecoveryCodes"/> (new, once) or how many
    /// recovery codes are left, with a button that continues the authorization request.
    /// </summary>
    ShowRecoveryCodes,
}

/// <summary>
/// The next step of a browser interaction, decided by <see cref="SignInInteraction"/>: what to show or where to send
/// the browser, the session the browser must now hold, and what to audit. The host renders it and nothing more.
/// </summary>
public sealed class InteractionResult
{
    private InteractionResult(InteractionResultKind kind, IReadOnlyList<InteractionEvent> events)
    {
        Kind = kind;
        Events = events;
    }

    public InteractionResultKind Kind { get; }

    /// <summary>The validated request, for <see cref="InteractionResultKind.ShowLogin"/> and <see cref="InteractionResultKind.ShowConsent"/>.</summary>
    public AuthorizationRequest? Request { get; private init; }

    public AuthorizationResponse? Response { get; private init; }

    public AuthorizationRejection? Rejection { get; private init; }

    /// <summary>The login page is shown again because the credentials were not accepted (which of them, it never says).</summary>
    public bool CredentialsRejected { get; private init; }

    /// <summary>The second-factor or enrolment page is shown again because the code was not accepted.</summary>
    public bool CodeRejected { get; private init; }

    /// <summary>The page is shown again because a passkey was not accepted (or not registered).</summary>
    public bool PasskeyRejected { get; private init; }

    /// <summary>For <see cref="InteractionResultKind.ShowSecondFactor"/>: the passkey assertion the page offers, when the user has one.</summary>
    public PasskeyAssertionOffer? PasskeyAssertion { get; private init; }

    /// <summary>For <see cref="InteractionResultKind.ShowSecondFactor"/>: the user has an authenticator app the organisation allows.</summary>
    public bool OffersTotp { get; private init; }

    /// <summary>For <see cref="InteractionResultKind.ShowEnrolment"/>: the passkey registration the page offers, when passkeys are allowed.</summary>
    public PasskeyRegistrationOffer? PasskeyRegistration { get; private init; }

    /// <summary>The authenticator being enrolled, for <see cref="InteractionResultKind.ShowEnrolment"/>; null when the organisation allows passkeys only.</summary>
    public TotpEnrolment? Enrolment { get; private init; }

    /// <summary>New recovery codes to show this once, for <see cref="InteractionResultKind.ShowRecoveryCodes"/>.</summary>
    public IReadOnlyList<string>? RecoveryCodes { get; private init; }

    /// <summary>How many unused recovery codes the user has, for <see cref="InteractionResultKind.ShowRecoveryCodes"/>.</summary>
    public int? RecoveryCodesLeft { get; private init; }

    /// <summary>A session started by this step: the host hands its secret to the browser.</summary>
    public StartedSession? StartedSession { get; private init; }

    public IReadOnlyList<InteractionEvent> Events { get; }

    public static InteractionResult Reject(AuthorizationRejection rejection, IReadOnlyList<InteractionEvent> events) =>
        new(InteractionResultKind.Reject, events) { Rejection = rejection ?? throw new ArgumentNullException(nameof(rejection)) };

    public static InteractionResult Deliver(AuthorizationResponse response, IReadOnlyList<InteractionEvent> events, StartedSession? started = null) =>
        new(InteractionResultKind.Deliver, events) { Response = response ?? throw new ArgumentNullException(nameof(response)), StartedSession = started };

    public static InteractionResult ShowLogin(
        AuthorizationRequest request, IReadOnlyList<InteractionEvent> events, bool credentialsRejected = false, StartedSession? started = null,
        bool passkeyRejected = false) =>
        new(InteractionResultKind.ShowLogin, events)
        {
            Request = request ?? throw new ArgumentNullException(nameof(request)),
            CredentialsRejected = credentialsRejected,
            PasskeyRejected = passkeyRejected,
            StartedSession = started,
        };

    public static InteractionResult ShowConsent(AuthorizationRequest request, IReadOnlyList<InteractionEvent> events, StartedSession? started = null) =>
        new(InteractionResultKind.ShowConsent, events) { Request = request ?? throw new ArgumentNullException(nameof(request)), StartedSession = started };

    public static InteractionResult ShowSecondFactor(
        AuthorizationRequest request, IReadOnlyList<InteractionEvent> events, bool offersTotp, PasskeyAssertionOffer? passkey,
        bool codeRejected = false, bool passkeyRejected = false, StartedSession? started = null) =>
        new(InteractionResultKind.ShowSecondFactor, events)
        {
            Request = request ?? throw new ArgumentNullException(nameof(request)),
            OffersTotp = offersTotp,
            PasskeyAssertion = passkey,
            CodeRejected = codeRejected,
            PasskeyRejected = passkeyRejected,
            StartedSession = started,
        };

    public static InteractionResult ShowEnrolment(
        AuthorizationRequest request, TotpEnrolment? enrolment, PasskeyRegistrationOffer? passkey, IReadOnlyList<InteractionEvent> events,
        bool codeRejected = false, bool passkeyRejected = false, StartedSession? started = null)
    {
        if (enrolment is null && passkey is null)
        {
            throw new ArgumentException("An enrolment page offers an authenticator app, a passkey, or both.", nameof(enrolment));
        }

        return new(InteractionResultKind.ShowEnrolment, events)
        {
            Request = request ?? throw new ArgumentNullException(nameof(request)),
            Enrolment = enrolment,
            PasskeyRegistration = passkey,
            CodeRejected = codeRejected,
            PasskeyRejected = passkeyRejected,
            StartedSession = started,
        };
    }

    public static InteractionResult ShowRecoveryCodes(
        AuthorizationRequest request, IReadOnlyList<string>? newCodes, int codesLeft, IReadOnlyList<InteractionEvent> events, StartedSession started) =>
        new(InteractionResultKind.ShowRecoveryCodes, events)
        {
            Request = request ?? throw new ArgumentNullException(nameof(request)),
            RecoveryCodes = newCodes,
            RecoveryCodesLeft = codesLeft,
            StartedSession = started,
        };
}

/// <summary>
/// An authenticator app being enrolled: its secret (the host shows it as a QR code of <see cref="Totp.OtpAuthUri"/>
/// and as <see cref="Key"/> to type) and the account name the app lists it under.
/// </summary>
public sealed record TotpEnrolment(byte[] Secret, string AccountName)
{
    /// <summary>The secret in base32, as a user types it into an app without a camera.</summary>
    public string Key => Base32.Encode(Secret);

    public override string ToString() => $"TotpEnrolment {{ AccountName = {AccountName}, Secret = (redacted) }}";
}
