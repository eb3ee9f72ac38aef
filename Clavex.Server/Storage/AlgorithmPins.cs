using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>A client that pins its ID token algorithm (id_token_signed_response_alg).</summary>
public sealed record AlgorithmPin(string ClientId, string Algorithm);

/// <summary>
/// The organisation side of id_token_signed_response_alg: an organisation's signing algorithm may not move away from
/// a pin of any of its clients, enabled or not (a disabled client may be enabled again), since the organisation
/// signs every ID token with its one current key. Called in the transaction that changes the algorithm, after the
/// organisation's row is locked.
/// </summary>
internal static class AlgorithmPins
{
    private const string SelectConflicts = """
        SELECT client_id, id_token_signed_response_alg FROM clients
        WHERE organization_id = @OrganizationId AND id_token_signed_response_alg <> @Algorithm
        ORDER BY client_id COLLATE "C"
        """;

    /// <summary>The clients whose pin differs from <paramref name="algorithm"/>; empty when the change may go ahead.</summary>
    public static async Task<IReadOnlyList<AlgorithmPin>> FindConflictsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long organizationId, string algorithm, CancellationToken cancellationToken)
    {
        IEnumerable<(string ClientId, string Algorithm)> rows = await connection.QueryAsync<(string, string)>(
            Db.Command(SelectConflicts, new { OrganizationId = organizationId, Algorithm = algorithm }, cancellationToken, transaction));
        return [.. rows.Select(r => new AlgorithmPin(r.ClientId, r.Algorithm))];
    }

    /// <summary>Why the change is refused, naming every client and what it requires.</summary>
    public static string Describe(IReadOnlyList<AlgorithmPin> conflicts)
    {
        string clients = string.Join(", ", conflicts.Select(c => $"client '{c.ClientId}' requires {c.Algorithm} ID tokens"));
        return conflicts.Count == 1
            ? $"{clients} (id_token_signed_response_alg); change or remove its pin first."
            : $"{clients} (id_token_signed_response_alg); change or remove their pins first.";
    }
}
