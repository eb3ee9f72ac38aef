namespace Clavex.Core.Authorization;

/// <summary>
/// The outcome of validating an authorization request: exactly one of a valid <see cref="Request"/>, an error to
/// <see cref="Redirect"/> to the client, or a <see cref="Rejection"/> shown to the user because nothing could be
/// trusted enough to redirect to.
/// </summary>
public sealed class AuthorizationValidation
{
    private AuthorizationValidation(AuthorizationRequest? request, AuthorizationResponse? redirect, AuthorizationRejection? rejection)
    {
        Request = request;
        Redirect = redirect;
        Rejection = rejection;
    }

    public AuthorizationRequest? Request { get; }

    public AuthorizationResponse? Redirect { get; }

    public AuthorizationRejection? Rejection { get; }

    public static AuthorizationValidation Valid(AuthorizationRequest request) => new(request, null, null);

    public static AuthorizationValidation RedirectError(AuthorizationResponse response) => new(null, response, null);

    public static AuthorizationValidation Rejected(AuthorizationRejection rejection) => new(null, null, rejection);
}
