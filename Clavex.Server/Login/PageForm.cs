namespace Clavex.Server.Login;

/// <summary>
/// Where a page's form goes and what it carries besides what the user types: the antiforgery token and the original
/// authorization (or logout) request's parameters, one hidden input each, so the endpoint can validate the request
/// again after the POST instead of trusting anything it kept.
/// </summary>
public sealed record PageForm(
    string Action,
    string AntiforgeryToken,
    IReadOnlyList<KeyValuePair<string, string>> RequestParameters,
    FormMethod Method = FormMethod.Post);
