using System.Text;

namespace Clavex.Server.Storage;

/// <summary>
/// Makes request-supplied text storable and usable as a query parameter: PostgreSQL's text and jsonb refuse U+0000,
/// and Npgsql's strict UTF-8 refuses a lone surrogate, so either in a username or client id typed by anyone would
/// otherwise turn a lookup into a 500 or fail the audit batch it is in. Both become U+FFFD, as an invalid byte
/// sequence does when decoded; no identifier Clavex issues or accepts contains U+FFFD, so the lookup simply misses.
/// </summary>
public static class StorableText
{
    public static string? Clean(string? text)
    {
        if (text is null || !NeedsCleaning(text))
        {
            return text;
        }

        var cleaned = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cleaned.Append(c).Append(text[++i]);
            }
            else
            {
                cleaned.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return cleaned.ToString();
    }

    /// <summary>Whether <paramref name="text"/> can be stored as it is (no U+0000, no unpaired surrogate).</summary>
    public static bool IsStorable(string text) => !NeedsCleaning(text ?? throw new ArgumentNullException(nameof(text)));

    private static bool NeedsCleaning(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\0')
            {
                return true;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }
}
