using System.Text;

namespace Clavex.Core.Protocol;

/// <summary>Space-delimited scope strings (RFC 6749 §3.3).</summary>
public static class ScopeList
{
    /// <summary>Splits on spaces, dropping empty entries and repeats, keeping the first-seen order.</summary>
    public static List<string> Parse(string? scope)
    {
        var result = new List<string>();
        if (string.IsNullOrEmpty(scope))
        {
            return result;
        }

        foreach (string item in scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Contains(result, item))
            {
                result.Add(item);
            }
        }

        return result;
    }

    public static string Join(IReadOnlyList<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var builder = new StringBuilder();
        for (int i = 0; i < scopes.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(scopes[i]);
        }

        return builder.ToString();
    }

    public static bool Contains(IReadOnlyList<string> scopes, string scope)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        for (int i = 0; i < scopes.Count; i++)
        {
            if (string.Equals(scopes[i], scope, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 3.3 scope-token: printable ASCII except space, double quote and backslash.</summary>
    public static bool IsValidScopeToken(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        foreach (char c in scope)
        {
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return scope.Length > 0;
    }
}
