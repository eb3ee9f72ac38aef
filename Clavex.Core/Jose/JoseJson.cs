using System.Text.Encodings.Web;
using System.Text.Json;

namespace Clavex.Core.Jose;

internal static class JoseJson
{
    /// <summary>
    /// Tokens are never embedded in HTML, so there is no reason to escape <c>+</c> (as in <c>at+jwt</c>) or
    /// non-ASCII letters in names; quotes, backslashes and control characters are still escaped.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
