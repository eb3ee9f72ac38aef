using Clavex.Core.Protocol;
using Clavex.Server.Login;

namespace Clavex.Server.Http;

/// <summary>
/// A POSTed login, consent or logout form: its own fields (username, password, decision, antiforgery token) apart,
/// and everything else, the original authorization or logout request, as <see cref="Request"/>.
/// </summary>
public sealed class BrowserForm
{
    public const string UsernameField = FormFieldNames.Username;
    public const string PasswordField = FormFieldNames.Password;
    public const string CodeField = FormFieldNames.Code;
    public const string DecisionField = FormFieldNames.Decision;

    private readonly ProtocolParameters _all;

    private BrowserForm(ProtocolParameters all, ProtocolParameters request, bool antiforgeryValid)
    {
        _all = all;
        Request = request;
        AntiforgeryValid = antiforgeryValid;
    }

    public ProtocolParameters Request { get; }

    public bool AntiforgeryValid { get; }

    public string? Get(string name) => _all.TryGetSingle(name, out string? value) ? value : null;

    public static async Task<(BrowserForm? Form, IResult? Refusal)> ReadAsync(HttpContext context, BrowserPages pages, bool requireAntiforgery = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(pages);
        ProtocolParameters? all = await ProtocolRequest.FromFormAsync(context.Request, context.RequestAborted);
        if (all is null)
        {
            return (null, pages.Error(context, t => t.NotAFormTitle, t => t.NotAForm, StatusCodes.Status400BadRequest));
        }

        var request = new List<KeyValuePair<string, string>>(all.Pairs.Count);
        foreach (KeyValuePair<string, string> pair in all.Pairs)
        {
            if (!FormFieldNames.IsReserved(pair.Key))
            {
                request.Add(pair);
            }
        }

        bool secure = context.RequestServices.GetRequiredService<CookieSecurity>().Secure;
        all.TryGetSingle(AntiforgeryTokens.FormFieldName, out string? formToken);
        AntiforgeryKey key = context.RequestServices.GetRequiredService<AntiforgeryKey>();
        bool valid = AntiforgeryTokens.Validate(key.Value, context.Request.Cookies[AntiforgeryTokens.CookieName(secure)], formToken);
        if (requireAntiforgery && !valid)
        {
            return (null, pages.Error(context, t => t.FormExpiredTitle, t => t.FormExpired, StatusCodes.Status400BadRequest));
        }

        return (new BrowserForm(all, new ProtocolParameters(request), valid), null);
    }
}
