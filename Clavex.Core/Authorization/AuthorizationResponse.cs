using System.Text;
using Clavex.Core.Protocol;

namespace Clavex.Core.Authorization;

/// <summary>
/// What goes back to the client's redirect URI: a code or an error, always with <c>state</c> (when sent) and
/// <c>iss</c> (RFC 9207). The host delivers it as a query-string redirect or an auto-submitted form (form_post).
/// </summary>
public sealed class AuthorizationResponse
{
    private readonly KeyValuePair<string, string>[] _parameters;

    private AuthorizationResponse(string redirectUri, string responseMode, KeyValuePair<string, string>[] parameters, OAuthError? error)
    {
        RedirectUri = redirectUri;
        ResponseMode = responseMode;
        _parameters = parameters;
        Error = error;
    }

    public string RedirectUri { get; }

    public string ResponseMode { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters => _parameters;

    /// <summary>Set for error responses; <see cref="OAuthError.Detail"/> is for the audit log only.</summary>
    public OAuthError? Error { get; }

    public bool IsError => Error is not null;

    public static AuthorizationResponse Success(string redirectUri, string responseMode, string code, string? state, string issuer) =>
        new(redirectUri, responseMode, BuildParameters(ParameterNames.Code, code, null, state, issuer), null);

    public static AuthorizationResponse Failure(string redirectUri, string responseMode, OAuthError error, string? state, string issuer)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(redirectUri, responseMode, BuildParameters(ParameterNames.Error, error.ErrorName, error.Description, state, issuer), error);
    }

    /// <summary>The redirect URL for <c>response_mode=query</c>: parameters appended to any existing query (RFC 6749 §3.1.2).</summary>
    public string ToQueryRedirectUrl()
    {
        var builder = new StringBuilder(RedirectUri);
        char separator = RedirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (KeyValuePair<string, string> parameter in _parameters)
        {
            builder.Append(separator).Append(Uri.EscapeDataString(parameter.Key)).Append('=').Append(Uri.EscapeDataString(parameter.Value));
            separator = '&';
        }

        return builder.ToString();
    }

    private static KeyValuePair<string, string>[] BuildParameters(string name, string value, string? description, string? state, string issuer)
    {
        var list = new List<KeyValuePair<string, string>>(4) { new(name, value) };
        if (description is not null)
        {
            list.Add(new(ParameterNames.ErrorDescription, description));
        }

        if (state is not null)
        {
            list.Add(new(ParameterNames.State, state));
        }

        list.Add(new(ParameterNames.Issuer, issuer));
        return [.. list];
    }
}
