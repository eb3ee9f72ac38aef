using Clavex.Core.Users;

namespace Clavex.Server.Storage;

/// <summary>A user as the admin API shows it: its version is the ETag, and <see cref="LockedUntil"/> ends its lock.</summary>
public sealed record UserAccount(User User, long Version, DateTimeOffset? LockedUntil);
