using System.Diagnostics.CodeAnalysis;

namespace Clavex.Core.Interaction;

public enum LogoutResultKind
{
    /// <summary>The request cannot be trusted: show an error, redirect nowhere.</summary>
    Refuse,

    /// <summary>Ask the user to confirm (a link on another site must not sign anyone out).</summary>
    Confirm,

    /// <summary>Done: go to <see cref="LogoutResult.ReturnLocation"/>, or show the signed-out page when it is null.</summary>
    Finish,
}

/// <summary>Why a logout was refused; the host words the page.</summary>
public enum LogoutRefusal
{
    /// <summary>The logout request names an unregistered client or return address, or an ID token not issued here.</summary>
    InvalidRequest,

    /// <summary>The confirmation form came back with a request that no longer validates.</summary>
    InvalidConfirmation,
}

/// <summary>The next step of an RP-Initiated Logout, decided by <see cref="RpInitiatedLogout"/>.</summary>
public sealed class LogoutResult
{
    private LogoutResult(LogoutResultKind kind) => Kind = kind;

    public LogoutResultKind Kind { get; }

    public LogoutRefusal Refusal { get; private init; }

    /// <summary>The validated request (all but <see cref="LogoutResultKind.Refuse"/>).</summary>
    public LogoutRequest? Request { get; private init; }

    /// <summary>For <see cref="LogoutResultKind.Finish"/>: the registered return address with <c>state</c>, or null.</summary>
    public string? ReturnLocation { get; private init; }

    /// <summary>The browser's session was ended: the host clears its cookie.</summary>
    public bool SessionEnded { get; private init; }

    public IReadOnlyList<InteractionEvent> Events { get; private init; } = [];

    [MemberNotNullWhen(true, nameof(Request))]
    public bool IsConfirm => Kind == LogoutResultKind.Confirm;

    public static LogoutResult Refused(LogoutRefusal refusal, IReadOnlyList<InteractionEvent>? events = null) =>
        new(LogoutResultKind.Refuse) { Refusal = refusal, Events = events ?? [] };

    public static LogoutResult Confirm(LogoutRequest request) =>
        new(LogoutResultKind.Confirm) { Request = request ?? throw new ArgumentNullException(nameof(request)) };

    public static LogoutResult Finish(LogoutRequest request, bool sessionEnded = false, IReadOnlyList<InteractionEvent>? events = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new LogoutResult(LogoutResultKind.Finish)
        {
            Request = request,
            ReturnLocation = request.ReturnLocation(),
            SessionEnded = sessionEnded,
            Events = events ?? [],
        };
    }
}
