using System.Text;
using Clavex.Core.Users;

namespace Clavex.Core.Interaction;

/// <summary>
/// A user found for sign-in, with the password hash to verify against (null: no password set) and the end of its
/// lock after too many wrong passwords (null, or in the past: not locked).
/// </summary>
public sealed record UserCredentials(User User, string? PasswordHash, DateTimeOffset? LockedUntil = null)
{
    // The generated ToString would print the hash into any log line the record reaches.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Subject = ").Append(User.Subject).Append(", PasswordHash = ").Append(PasswordHash is null ? "(none)" : "(redacted)");
        return true;
    }
}
