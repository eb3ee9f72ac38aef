using Clavex.Core.Authorization;

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

    /// <summary>A session started by this step: the host hands its secret to the browser.</summary>
    public StartedSession? StartedSession { get; private init; }

    public IReadOnlyList<InteractionEvent> Events { get; }

    public static InteractionResult Reject(AuthorizationRejection rejection, IReadOnlyList<InteractionEvent> events) =>
        new(InteractionResultKind.Reject, events) { Rejection = rejection ?? throw new ArgumentNullException(nameof(rejection)) };

    public static InteractionResult Deliver(AuthorizationResponse response, IReadOnlyList<InteractionEvent> events, StartedSession? started = null) =>
        new(InteractionResultKind.Deliver, events) { Response = response ?? throw new ArgumentNullException(nameof(response)), StartedSession = started };

    public static InteractionResult ShowLogin(
        AuthorizationRequest request, IReadOnlyList<InteractionEvent> events, bool credentialsRejected = false, StartedSession? started = null) =>
        new(InteractionResultKind.ShowLogin, events)
        {
            Request = request ?? throw new ArgumentNullException(nameof(request)),
            CredentialsRejected = credentialsRejected,
            StartedSession = started,
        };

    public static InteractionResult ShowConsent(AuthorizationRequest request, IReadOnlyList<InteractionEvent> events, StartedSession? started = null) =>
        new(InteractionResultKind.ShowConsent, events) { Request = request ?? throw new ArgumentNullException(nameof(request)), StartedSession = started };
}
