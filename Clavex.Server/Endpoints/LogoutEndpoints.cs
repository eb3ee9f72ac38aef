using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Login;

namespace Clavex.Server.Endpoints;

/// <summary>
/// OpenID Connect RP-Initiated Logout 1.0. A valid <c>id_token_hint</c> for the current session logs out at once;
/// otherwise the user confirms, so a link on another site cannot sign anyone out. The user returns to
/// <c>post_logout_redirect_uri</c> only when it is registered for the client.
/// </summary>
public static class LogoutEndpoints
{
    private static readonly JwsAlgorithm[] Algorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    public static RouteGroupBuilder MapLogout(this RouteGroupBuilder group)
    {
        group.MapGet("/logout", (HttpContext context, LogoutHandler handler) =>
            handler.StartAsync(context, ProtocolRequest.FromQuery(context.Request)));
        group.MapPost("/logout", async (HttpContext context, LogoutHandler handler, BrowserPages pages) =>
        {
            (BrowserForm? form, IResult? refusal) = await BrowserForm.ReadAsync(context, pages, requireAntiforgery: false);
            if (refusal is not null)
            {
                return refusal;
            }

            // The confirmation page posts back with its antiforgery token; an RP may also POST the logout request.
            return form!.Get(BrowserForm.DecisionField) is not null
                ? await handler.ConfirmAsync(context, form)
                : await handler.StartAsync(context, form.Request);
        });
        return group;
    }

    public sealed class LogoutHandler(
        IClientStore clients, ISigningKeyStore keys, ISessionStore sessions, SignInFlow flow, SessionCookie cookie, BrowserPages pages, AuditLog audit, TimeProvider timeProvider)
    {
        public async Task<IResult> StartAsync(HttpContext context, ProtocolParameters parameters)
        {
            Organization organization = context.GetOrganization();
            LogoutRequest? request = await ReadAsync(context, organization, parameters);
            if (request is null)
            {
                return pages.Error(context, "Sign-out cannot be completed",
                    "The sign-out request names a client or return address that is not registered, or an ID token that was not issued here.",
                    StatusCodes.Status400BadRequest);
            }

            AuthenticationSession? session = await flow.CurrentSessionAsync(context, organization);
            if (session is not null && request.HintSessionId is not null && request.HintSessionId == session.Id)
            {
                return await LogOutAsync(context, organization, session, request);
            }

            return session is null
                ? Finish(context, request)
                : pages.LogoutConfirm(context, organization, parameters);
        }

        public async Task<IResult> ConfirmAsync(HttpContext context, BrowserForm form)
        {
            ArgumentNullException.ThrowIfNull(form);
            Organization organization = context.GetOrganization();
            if (!form.AntiforgeryValid)
            {
                return pages.Error(context, "Sign-out cannot be completed", "The sign-out form has expired. Go back to the application and sign out again.", StatusCodes.Status400BadRequest);
            }

            LogoutRequest? request = await ReadAsync(context, organization, form.Request);
            if (request is null)
            {
                return pages.Error(context, "Sign-out cannot be completed", "The sign-out request is not valid.", StatusCodes.Status400BadRequest);
            }

            AuthenticationSession? session = await flow.CurrentSessionAsync(context, organization);
            if (form.Get(BrowserForm.DecisionField) != FormFieldNames.SignOut || session is null)
            {
                return Finish(context, request);
            }

            return await LogOutAsync(context, organization, session, request);
        }

        private async Task<IResult> LogOutAsync(HttpContext context, Organization organization, AuthenticationSession session, LogoutRequest request)
        {
            await sessions.DeleteAsync(organization.Id, session.Id, context.RequestAborted);
            cookie.Clear(context, organization);
            audit.Record(context, organization, "logout", true, request.ClientId, session.Subject);
            return Finish(context, request);
        }

        private IResult Finish(HttpContext context, LogoutRequest request)
        {
            if (request.PostLogoutRedirectUri is null)
            {
                return pages.LoggedOut(context, context.GetOrganization());
            }

            string separator = request.PostLogoutRedirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            string location = request.State is null
                ? request.PostLogoutRedirectUri
                : request.PostLogoutRedirectUri + separator + "state=" + Uri.EscapeDataString(request.State);
            context.Response.Headers.CacheControl = "no-store";
            return Results.Redirect(location);
        }

        private async Task<LogoutRequest?> ReadAsync(HttpContext context, Organization organization, ProtocolParameters parameters)
        {
            parameters.TryGetSingle(ParameterNames.IdTokenHint, out string? hint);
            parameters.TryGetSingle("post_logout_redirect_uri", out string? postLogoutRedirectUri);
            parameters.TryGetSingle(ParameterNames.State, out string? state);
            parameters.TryGetSingle(ParameterNames.ClientId, out string? clientId);

            string? hintSessionId = null;
            if (hint is not null)
            {
                (string? hintClient, hintSessionId) = await ReadHintAsync(organization, hint, clientId, context.RequestAborted);
                if (hintClient is null || (clientId is not null && clientId != hintClient))
                {
                    return null;
                }

                clientId = hintClient;
            }

            if (postLogoutRedirectUri is not null)
            {
                // §3: the URI must have been registered for the client; without a known client it cannot be trusted.
                Client? client = clientId is null ? null : await clients.FindAsync(organization.Id, clientId, context.RequestAborted);
                if (client is null || !client.PostLogoutRedirectUris.Contains(postLogoutRedirectUri, StringComparer.Ordinal))
                {
                    return null;
                }
            }

            return new LogoutRequest(clientId, postLogoutRedirectUri, state, hintSessionId);
        }

        /// <summary>The hint's client and session when it is an ID token this organisation signed; it may have expired.</summary>
        private async Task<(string? ClientId, string? SessionId)> ReadHintAsync(Organization organization, string hint, string? clientId, CancellationToken cancellationToken)
        {
            string? audience = clientId ?? UnverifiedAudience(hint);
            if (audience is null)
            {
                return (null, null);
            }

            SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
            using JwtValidationResult result = JwtValidator.Validate(hint, new JwtValidationParameters
            {
                Keys = signingKeys.Verification,
                AllowedAlgorithms = Algorithms,
                Issuer = organization.Issuer,
                Audiences = [audience],
                RequiredType = JwtType.Jwt,
                // RP-Initiated Logout §2: an expired ID token is still a fine hint of who is logging out.
                RequireExpiration = false,
                ClockSkew = TimeSpan.FromDays(30),
                TimeProvider = timeProvider,
            });
            if (!result.IsValid)
            {
                return (null, null);
            }

            string? sid = result.Payload.TryGetProperty("sid"u8, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return (audience, sid);
        }

        // Only used to pick the audience to validate against; the signature check that follows is what counts.
        private static string? UnverifiedAudience(string token)
        {
            string[] parts = token.Split('.');
            if (parts.Length != 3 || Base64UrlEncoding.DecodeOrNull(parts[1]) is not byte[] payload)
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(payload);
                return document.RootElement.TryGetProperty("aud"u8, out JsonElement aud) && aud.ValueKind == JsonValueKind.String ? aud.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private sealed record LogoutRequest(string? ClientId, string? PostLogoutRedirectUri, string? State, string? HintSessionId);
}
