using Clavex.Core.Protocol;
using Clavex.Core.Sessions;

namespace Clavex.Core.Interaction;

/// <summary>
/// OpenID Connect RP-Initiated Logout 1.0. A valid <c>id_token_hint</c> for the current session logs out at once;
/// otherwise the user confirms, so a link on another site cannot sign anyone out. The user returns to
/// <c>post_logout_redirect_uri</c> only when it is registered for the client.
/// </summary>
public sealed class RpInitiatedLogout(LogoutRequestValidator validator, BrowserSessions sessions)
{
    /// <summary>A logout request from a relying party (GET, or a POSTed form without a decision).</summary>
    public async Task<LogoutResult> StartAsync(Organization organization, ProtocolParameters parameters, string? sessionSecret, CancellationToken cancellationToken)
    {
        (LogoutRequest? request, string? reason, string? clientId) = await validator.ValidateWithReasonAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return LogoutResult.Refused(LogoutRefusal.InvalidRequest, [Refusal(clientId, reason)]);
        }

        AuthenticationSession? session = await sessions.FindCurrentAsync(organization, sessionSecret, cancellationToken);
        if (session is null)
        {
            return LogoutResult.Finish(request);
        }

        return request.HintSessionId is not null && request.HintSessionId == session.Id
            ? await LogOutAsync(session, request, cancellationToken)
            : LogoutResult.Confirm(request);
    }

    /// <summary>The confirmation page posted back: sign out when the user chose to, and finish either way.</summary>
    public async Task<LogoutResult> ConfirmAsync(
        Organization organization, ProtocolParameters parameters, bool signOut, string? sessionSecret, CancellationToken cancellationToken)
    {
        (LogoutRequest? request, string? reason, string? clientId) = await validator.ValidateWithReasonAsync(organization, parameters, cancellationToken);
        if (request is null)
        {
            return LogoutResult.Refused(LogoutRefusal.InvalidConfirmation, [Refusal(clientId, reason)]);
        }

        AuthenticationSession? session = await sessions.FindCurrentAsync(organization, sessionSecret, cancellationToken);
        return !signOut || session is null
            ? LogoutResult.Finish(request)
            : await LogOutAsync(session, request, cancellationToken);
    }

    // The page says only that the request is not valid (and its Reference); the audit log says why.
    private static InteractionEvent Refusal(string? clientId, string? reason) => new("logout.refused", false, clientId, null, ("reason", reason));

    private async Task<LogoutResult> LogOutAsync(AuthenticationSession session, LogoutRequest request, CancellationToken cancellationToken)
    {
        await sessions.EndAsync(session, cancellationToken);
        return LogoutResult.Finish(request, sessionEnded: true, [new InteractionEvent("logout", true, request.ClientId, session.Subject)]);
    }
}
