using System.Globalization;
using System.Text;

namespace Clavex.Core.Users;

/// <summary>
/// What a new password must be (NIST SP 800-63B §3.1.1.2): long enough (at least 8 characters, 12 by default, counted
/// as Unicode code points), and not one attackers try first. There are no composition rules (no "one digit, one
/// symbol") and no expiry. Refused: a password on the list shipped with Clavex (common and breached passwords, and
/// defaults), also with digits or punctuation appended ("Password2026!"); one character repeated; a run of the keyboard
/// or the alphabet; and the context-specific words of the account (username, e-mail name, the organisation).
/// Checked wherever a password is set; a stored password is never re-checked at sign-in.
/// </summary>
public sealed record PasswordPolicy
{
    /// <summary>NIST SP 800-63B: at least 8 characters for a memorised secret chosen by its user.</summary>
    public const int MinimumLength = 8;

    public const int DefaultMinLength = 12;

    /// <summary>Longer minimums than this would only push people to write passwords down.</summary>
    public const int MaxMinLength = 64;

    public static readonly PasswordPolicy Default = new();

    private static readonly HashSet<string> s_common = LoadCommonPasswords();

    private static readonly string[] s_runs = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn"];

    public int MinLength { get; init; } = DefaultMinLength;

    /// <summary>Why <paramref name="password"/> may not be set, in words for the person choosing it; null when it may.</summary>
    /// <param name="password">The new password.</param>
    /// <param name="contextWords">The username, the e-mail address, the organisation's slug and name: none may be the password's core.</param>
    public string? Problem(string password, params ReadOnlySpan<string?> contextWords)
    {
        ArgumentNullException.ThrowIfNull(password);
        int length = new StringInfo(password).LengthInTextElements;
        if (length < MinLength)
        {
            return $"must be at least {MinLength} characters (it has {length}); a few unrelated words make a long password that is easy to remember.";
        }

        string core = Core(password);
        if (core.Length == 0 || s_common.Contains(core) || IsRepeatedOrRun(core))
        {
            return "is one of the passwords attackers try first (a common or breached password, or a simple pattern); choose another.";
        }

        foreach (string? word in contextWords)
        {
            string? context = word is null ? null : Core(word.Split('@')[0]);
            if (context is { Length: >= 3 } && (core == context || core.Contains(context, StringComparison.Ordinal) && core.Length - context.Length < 4))
            {
                return "must not be built from the username, the e-mail address or the organisation's name.";
            }
        }

        return null;
    }

    /// <summary>Lower case, letters and digits only, without the digits and punctuation at the end ("P@ssword2026!" → "pssword").</summary>
    private static string Core(string text)
    {
        var core = new StringBuilder(text.Length);
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
            {
                core.Append(c);
            }
        }

        int end = core.Length;
        while (end > 0 && char.IsAsciiDigit(core[end - 1]))
        {
            end--;
        }

        // An all-digit password keeps its digits: "123456789012" is itself the thing to refuse.
        return end == 0 ? core.ToString() : core.ToString(0, end);
    }

    private static bool IsRepeatedOrRun(string core)
    {
        bool repeated = true;
        for (int i = 1; i < core.Length && repeated; i++)
        {
            repeated = core[i] == core[0];
        }

        if (repeated)
        {
            return true;
        }

        foreach (string run in s_runs)
        {
            if (run.Contains(core, StringComparison.Ordinal) || Reverse(run).Contains(core, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Reverse(string text)
    {
        char[] chars = text.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    private static HashSet<string> LoadCommonPasswords()
    {
        using Stream stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Clavex.Core.Users.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from Clavex.Core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is string line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                // Stored as typed; compared by the same core as a candidate, so "p@ssw0rd" also stands for "Passw0rd!!".
                words.Add(Core(line));
            }
        }

        return words;
    }
}
