namespace Clavex.Core.Interaction;

/// <summary>
/// What recording a failed sign-in found: the end of the lock in force after it (null: not locked, or no such user),
/// and whether this failure started that lock (it was the last one the lockout allows).
/// </summary>
public readonly record struct FailedSignIn(DateTimeOffset? LockedUntil, bool StartedLock);
