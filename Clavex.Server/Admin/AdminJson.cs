using System.Text.Json;

namespace Clavex.Server.Admin;

/// <summary>
/// The two shapes of an absent value in the admin API's JSON: a member that is always present and then <c>null</c>
/// (dates of a key, an audit event's client), or a member left out (a user's unset profile claims).
/// </summary>
internal static class AdminJson
{
    public static void WriteStringOrNull(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteStringOrNull(this Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value.Value);
        }
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter writer, string name, long? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteNumber(name, value.Value);
        }
    }

    public static void WriteStringIfPresent(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
