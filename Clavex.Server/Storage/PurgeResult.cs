namespace Clavex.Server.Storage;

/// <summary>How many rows one purge deleted, per table (refresh tokens go with their grants and are not counted).</summary>
public sealed record PurgeResult(int AuthorizationCodes, int Sessions, int Grants, int ReplayEntries)
{
    public int Total => AuthorizationCodes + Sessions + Grants + ReplayEntries;
}
