using System.Globalization;
using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Authorization;

/// <summary>
/// Validates an authorization request (OIDC Core §3.1.2.1–3.1.2.2, RFC 6749 §4.1.1, RFC 7636 §4.3), step by step.
/// Until the client and its redirect URI are proven, failures are rejections shown to the user; after that every
/// failure is redirected back to the client with <c>error</c>, <c>error_description</c>, <c>state</c> and <c>iss</c>.
/// </summary>
public sealed class AuthorizationRequestValidator(IClientStore clients)
{
    /// <summary>Upper bounds that keep a hostile request from being stored or echoed at any size.</summary>
    public const int MaxStateLength = 2048;

    public const int MaxNonceLength = 512;

    private static readonly string[] SingleValued =
    [
        ParameterNames.ClientId, ParameterNames.RedirectUri, ParameterNames.ResponseType, ParameterNames.ResponseMode,
        ParameterNames.Scope, ParameterNames.State, ParameterNames.Nonce, ParameterNames.Prompt, ParameterNames.MaxAge,
        ParameterNames.LoginHint, ParameterNames.AcrValues, ParameterNames.CodeChallenge, ParameterNames.CodeChallengeMethod,
        ParameterNames.Display, ParameterNames.UiLocales, ParameterNames.ClaimsLocales, ParameterNames.IdTokenHint,
        ParameterNames.Claims, ParameterNames.Request, ParameterNames.RequestUri,
    ];

    public async Task<AuthorizationValidation> ValidateAsync(Organization organization, ProtocolParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(parameters);

        // Step 1: the client. Nothing is redirected before it and its redirect URI are known.
        if (!parameters.TryGetSingle(ParameterNames.ClientId, out string? clientId))
        {
            return Reject("client_id was given more than once.", "The sign-in request names more than one client (client_id is repeated).", null, null);
        }

        if (clientId is null)
        {
            return Reject("client_id is missing.", "The sign-in request does not say which application it comes from (client_id is missing).", null, null);
        }

        Client? client = await clients.FindAsync(organization.Id, clientId, cancellationToken);
        if (client is null)
        {
            return Reject(
                $"Unknown client '{clientId}'.",
                $"The application '{clientId}' is not registered in organisation '{organization.Slug}'.",
                clientId,
                null);
        }

        if (!client.Enabled)
        {
            return Reject($"Client '{clientId}' is disabled.", $"The application '{clientId}' is disabled in organisation '{organization.Slug}'.", clientId, null);
        }

        // Step 2: the redirect URI, compared exactly with the registered ones.
        if (!parameters.TryGetSingle(ParameterNames.RedirectUri, out string? redirectUri))
        {
            return Reject("redirect_uri was given more than once.", $"The sign-in request for client '{clientId}' has more than one redirect_uri.", clientId, null);
        }

        if (redirectUri is null)
        {
            // OIDC Core §3.1.2.1 makes redirect_uri required; guessing one could deliver a code to the wrong place.
            return Reject("redirect_uri is missing.", $"The sign-in request for client '{clientId}' has no redirect_uri.", clientId, null);
        }

        if (!RedirectUriMatcher.IsRegistered(client, redirectUri))
        {
            return Reject(
                $"redirect_uri '{redirectUri}' is not registered for client '{clientId}'.",
                $"The redirect URI {redirectUri} is not registered for client '{clientId}'.",
                clientId,
                redirectUri);
        }

        // From here on errors go back to the client. state and response_mode are needed to deliver them.
        parameters.TryGetSingle(ParameterNames.State, out string? state);
        var context = new ErrorContext(organization, redirectUri, state);
        OAuthError? error = ReadResponseMode(parameters, out string responseMode);
        context = context with { ResponseMode = responseMode };
        if (error is not null)
        {
            return context.Fail(error);
        }

        error = CheckRepeatsAndUnsupported(parameters) ?? CheckState(state) ?? CheckResponseType(parameters, client);
        if (error is not null)
        {
            return context.Fail(error);
        }

        // Each step below reads one parameter; the first failure is the one reported.
        if ((error = ReadScopes(parameters, client, out List<string> scopes)) is not null
            || (error = ReadNonce(parameters, out string? nonce)) is not null
            || (error = ReadPrompt(parameters, out Prompt prompt)) is not null
            || (error = ReadMaxAge(parameters, out int? maxAge)) is not null
            || (error = ReadPkce(parameters, client, out string? challenge, out string? challengeMethod)) is not null)
        {
            return context.Fail(error);
        }

        parameters.TryGetSingle(ParameterNames.LoginHint, out string? loginHint);
        parameters.TryGetSingle(ParameterNames.AcrValues, out string? acrValues);
        parameters.TryGetSingle(ParameterNames.UiLocales, out string? uiLocales);
        parameters.TryGetSingle(ParameterNames.IdTokenHint, out string? idTokenHint);

        return AuthorizationValidation.Valid(new AuthorizationRequest
        {
            Organization = organization,
            Client = client,
            RedirectUri = redirectUri,
            ResponseMode = responseMode,
            State = state,
            Nonce = nonce,
            Scopes = scopes,
            Prompt = prompt,
            MaxAge = maxAge,
            LoginHint = loginHint,
            AcrValues = ScopeList.Parse(acrValues),
            UiLocales = uiLocales,
            IdTokenHint = idTokenHint,
            CodeChallenge = challenge,
            CodeChallengeMethod = challengeMethod,
        });
    }

    private static AuthorizationValidation Reject(string detail, string message, string? clientId, string? redirectUri) =>
        AuthorizationValidation.Rejected(new AuthorizationRejection(
            OAuthError.InvalidRequest(message, detail), message, clientId, redirectUri));

    private static OAuthError? ReadResponseMode(ProtocolParameters parameters, out string responseMode)
    {
        responseMode = ResponseModes.Query;
        if (!parameters.TryGetSingle(ParameterNames.ResponseMode, out string? requested))
        {
            return OAuthError.InvalidRequest("response_mode was given more than once.");
        }

        if (requested is null or ResponseModes.Query)
        {
            return null;
        }

        if (requested == ResponseModes.FormPost)
        {
            responseMode = ResponseModes.FormPost;
            return null;
        }

        // RFC 6749 §3.1.2 query is the default for the code flow; "fragment" would put the code in browser history.
        return OAuthError.InvalidRequest("response_mode is not supported; use query or form_post.", $"response_mode {requested}");
    }

    private static OAuthError? CheckRepeatsAndUnsupported(ProtocolParameters parameters)
    {
        // RFC 6749 §3.1: request and response parameters must not be included more than once.
        string? repeated = parameters.FindRepeated(SingleValued);
        if (repeated is not null)
        {
            return OAuthError.InvalidRequest($"The parameter '{repeated}' was given more than once.");
        }

        // OIDC Core §6: request objects are optional and not supported; say so with the dedicated codes.
        parameters.TryGetSingle(ParameterNames.Request, out string? request);
        if (request is not null)
        {
            return new OAuthError(OAuthErrorCode.RequestNotSupported, "Request objects (the request parameter) are not supported.");
        }

        parameters.TryGetSingle(ParameterNames.RequestUri, out string? requestUri);
        if (requestUri is not null)
        {
            return new OAuthError(OAuthErrorCode.RequestUriNotSupported, "The request_uri parameter is not supported.");
        }

        return null;
    }

    private static OAuthError? CheckState(string? state) =>
        state is { Length: > MaxStateLength }
            ? OAuthError.InvalidRequest($"state is longer than {MaxStateLength} characters.")
            : null;

    private static OAuthError? CheckResponseType(ProtocolParameters parameters, Client client)
    {
        parameters.TryGetSingle(ParameterNames.ResponseType, out string? responseType);
        if (responseType is null)
        {
            return OAuthError.InvalidRequest("response_type is missing.");
        }

        if (responseType != "code")
        {
            return new OAuthError(OAuthErrorCode.UnsupportedResponseType, $"response_type '{responseType}' is not supported; only 'code' is.");
        }

        if (!client.HasGrantType(GrantTypes.AuthorizationCode))
        {
            return OAuthError.UnauthorizedClient($"Client '{client.ClientId}' is not registered for the authorization_code grant.");
        }

        return null;
    }

    private static OAuthError? ReadScopes(ProtocolParameters parameters, Client client, out List<string> granted)
    {
        parameters.TryGetSingle(ParameterNames.Scope, out string? scope);
        List<string> requested = ScopeList.Parse(scope);
        granted = new List<string>(requested.Count);
        if (requested.Count == 0)
        {
            return OAuthError.InvalidRequest("scope is missing; an OpenID Connect request needs at least 'openid'.");
        }

        foreach (string item in requested)
        {
            if (!ScopeList.IsValidScopeToken(item))
            {
                return OAuthError.InvalidScope("scope contains characters RFC 6749 §3.3 does not allow.");
            }

            if (ScopeGrant.MayGrant(client, item))
            {
                granted.Add(item);
            }
        }

        if (granted.Count == 0)
        {
            return OAuthError.InvalidScope($"None of the requested scopes is allowed for client '{client.ClientId}'.");
        }

        return null;
    }

    private static OAuthError? ReadNonce(ProtocolParameters parameters, out string? nonce)
    {
        // Optional for the code flow (OIDC Core §3.1.2.1); miniOrange can be set not to send one.
        parameters.TryGetSingle(ParameterNames.Nonce, out nonce);
        return nonce is { Length: > MaxNonceLength }
            ? OAuthError.InvalidRequest($"nonce is longer than {MaxNonceLength} characters.")
            : null;
    }

    private static OAuthError? ReadPrompt(ProtocolParameters parameters, out Prompt prompt)
    {
        prompt = Prompt.Unspecified;
        parameters.TryGetSingle(ParameterNames.Prompt, out string? value);
        foreach (string item in ScopeList.Parse(value))
        {
            prompt |= item switch
            {
                "none" => Prompt.None,
                "login" => Prompt.Login,
                "consent" => Prompt.Consent,
                "select_account" => Prompt.SelectAccount,
                _ => (Prompt)(-1),
            };
            if (prompt < 0)
            {
                return OAuthError.InvalidRequest("A prompt value is not supported; use none, login, consent or select_account.", $"prompt {item}");
            }
        }

        // OIDC Core §3.1.2.1: none must not be combined with any other value.
        if (prompt.HasFlag(Prompt.None) && prompt != Prompt.None)
        {
            return OAuthError.InvalidRequest("prompt=none cannot be combined with other prompt values.");
        }

        return null;
    }

    private static OAuthError? ReadMaxAge(ProtocolParameters parameters, out int? maxAge)
    {
        maxAge = null;
        parameters.TryGetSingle(ParameterNames.MaxAge, out string? value);
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
        {
            return OAuthError.InvalidRequest("max_age must be a non-negative number of seconds.");
        }

        maxAge = seconds;
        return null;
    }

    private static OAuthError? ReadPkce(ProtocolParameters parameters, Client client, out string? challenge, out string? method)
    {
        parameters.TryGetSingle(ParameterNames.CodeChallenge, out challenge);
        parameters.TryGetSingle(ParameterNames.CodeChallengeMethod, out method);
        if (challenge is null)
        {
            if (method is not null)
            {
                return OAuthError.InvalidRequest("code_challenge_method was sent without code_challenge.");
            }

            // RFC 9700 §2.1.1: public clients must use PKCE; confidential ones when the client is configured to.
            if (client.IsPublic || client.RequirePkce)
            {
                return OAuthError.InvalidRequest($"Client '{client.ClientId}' must use PKCE: code_challenge is missing.");
            }

            return null;
        }

        // RFC 7636 §4.3: the method defaults to plain when absent.
        method ??= CodeChallenge.MethodPlain;
        if (method == CodeChallenge.MethodS256)
        {
            return CodeChallenge.IsValidS256Challenge(challenge)
                ? null
                : OAuthError.InvalidRequest("code_challenge is not a base64url SHA-256 value (43 characters).");
        }

        if (method == CodeChallenge.MethodPlain)
        {
            if (!client.AllowPlainPkce)
            {
                return OAuthError.InvalidRequest("code_challenge_method 'plain' is not allowed for this client; use S256.");
            }

            return CodeChallenge.IsValidVerifier(challenge)
                ? null
                : OAuthError.InvalidRequest("code_challenge must be 43 to 128 unreserved characters.");
        }

        return OAuthError.InvalidRequest("code_challenge_method is not supported; use S256.", $"code_challenge_method {method}");
    }

    private sealed record ErrorContext(Organization Organization, string RedirectUri, string? State)
    {
        public string ResponseMode { get; init; } = ResponseModes.Query;

        public AuthorizationValidation Fail(OAuthError error)
        {
            // An over-long state is not echoed back.
            string? state = State is { Length: > MaxStateLength } ? null : State;
            return AuthorizationValidation.RedirectError(
                AuthorizationResponse.Failure(RedirectUri, ResponseMode, error, state, Organization.Issuer));
        }
    }
}
