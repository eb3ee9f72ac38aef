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

    /// <summary>
    /// The string member <paramref name="name"/> of <paramref name="json"/>, or null when it is absent, not a string,
    /// or escapes a lone surrogate (<c>"\ud800"</c>), which is valid JSON but no string .NET can hold. A signature
    /// says who wrote a token, not that its claims are well formed.
    /// </summary>
    public static string? ReadString(JsonElement json, ReadOnlySpan<byte> name)
    {
        if (!json.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
