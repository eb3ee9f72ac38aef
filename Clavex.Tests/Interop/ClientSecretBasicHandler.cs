using System.Net.Http.Headers;
using System.Text;

namespace Clavex.Tests.Interop;

/// <summary>
/// The OpenID Connect handler only posts the secret in the body (client_secret_post). In the backchannel, this moves
/// it to an Authorization header (RFC 6749 §2.3.1: client_secret_basic, id and secret form-urlencoded first) when
/// <see cref="UseBasic"/> is set, and records what each token request carried on the wire.
/// </summary>
internal sealed class ClientSecretBasicHandler(bool useBasic) : DelegatingHandler(new HttpClientHandler())
{
    private const string SecretField = "client_secret";

    public bool UseBasic { get; } = useBasic;

    /// <summary>Token requests as sent: with a Basic header, and with client_secret in the body.</summary>
    public List<(bool Basic, bool SecretInBody)> TokenRequests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Post && request.Content is FormUrlEncodedContent content)
        {
            string body = await content.ReadAsStringAsync(cancellationToken);
            var fields = ParseForm(body);
            if (UseBasic && fields.TryGetValue(SecretField, out string? secret) && fields.TryGetValue("client_id", out string? clientId))
            {
                fields.Remove(SecretField);
                string credentials = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret);
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
                request.Content = new FormUrlEncodedContent(fields);
            }

            TokenRequests.Add((request.Headers.Authorization?.Scheme == "Basic", fields.ContainsKey(SecretField)));
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private static Dictionary<string, string> ParseForm(string body)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? pair : pair[..equals];
            string value = equals < 0 ? string.Empty : pair[(equals + 1)..];
            fields[Decode(name)] = Decode(value);
        }

        return fields;
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
