using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// The contract between whoever changes data that instances cache (organisations, clients, signing keys) and the
/// listener on every instance that drops the stale entries: a PostgreSQL <c>NOTIFY</c> on <see cref="Channel"/>,
/// sent in the same transaction as the change, so it is delivered exactly when the change commits and never for a
/// change that rolled back. Payloads are <c>kind:organisation-id[:key]</c>; a client id may itself contain ':', so
/// the listener splits on the first two colons only.
/// </summary>
public static class CacheChanges
{
    public const string Channel = "clavex_cache";

    private const string Notify = "SELECT pg_notify('clavex_cache', @Payload)";

    /// <summary>An organisation's row changed; its slug is carried because instances cache organisations by slug.</summary>
    public static string Organization(long organizationId, string slug) => $"org:{organizationId}:{slug}";

    /// <summary>A client or its secrets changed.</summary>
    public static string Client(long organizationId, string clientId) => $"client:{organizationId}:{clientId}";

    /// <summary>An organisation's signing keys changed (created, rotated, retired, algorithm switched).</summary>
    public static string SigningKeys(long organizationId) => $"keys:{organizationId}";

    /// <summary>Queues the notification on <paramref name="connection"/>; PostgreSQL delivers it when the transaction commits.</summary>
    public static Task NotifyAsync(NpgsqlConnection connection, string payload, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.ExecuteAsync(Db.Command(Notify, new { Payload = payload }, cancellationToken, transaction));
    }
}
