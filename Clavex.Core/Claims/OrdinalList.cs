namespace Clavex.Core.Claims;

/// <summary>Membership tests without LINQ or an enumerator: scope, claim and group names are compared ordinally.</summary>
internal static class OrdinalList
{
    public static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Contains(ReadOnlySpan<string> list, string value)
    {
        foreach (string item in list)
        {
            if (string.Equals(item, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
