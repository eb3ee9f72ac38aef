using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>
/// Moves every value sealed with the master key (signing keys' private keys, authenticator apps' secrets) to the
/// current master key: the last step of a rotation, run once every instance opens values with both keys
/// (<c>CLAVEX_OTHER_MASTER_KEYS</c>). Each row is rewritten only if it still holds what was read (compare and set),
/// so running instances may keep writing; running it again finds nothing to do. A value no configured key opens is
/// counted and left as it is.
/// </summary>
public sealed class MasterKeyRotation(NpgsqlDataSource dataSource, KeyEncryption encryption)
{
    // Each sealed column, read as (organisation, the name its associated data binds it to, the sealed value).
    private const string SelectSigningKeys = """
        SELECT organization_id, kid AS name, private_key AS sealed FROM signing_keys WHERE private_key IS NOT NULL
        """;

    private const string UpdateSigningKey = """
        UPDATE signing_keys SET private_key = @Sealed
        WHERE organization_id = @OrganizationId AND kid = @Name AND private_key = @Previous
        """;

    private const string SelectTotp = """
        SELECT organization_id, subject AS name, secret_sealed AS sealed FROM user_totp
        """;

    private const string UpdateTotp = """
        UPDATE user_totp SET secret_sealed = @Sealed
        WHERE organization_id = @OrganizationId AND subject = @Name AND secret_sealed = @Previous
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly KeyEncryption _encryption = encryption ?? throw new ArgumentNullException(nameof(encryption));

    public async Task<MasterKeyRotationResult> RunAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var result = new MasterKeyRotationResult();
        result.SigningKeys = await ResealColumnAsync(connection, SelectSigningKeys, UpdateSigningKey, PgSigningKeyStore.AssociatedData, result, cancellationToken);
        result.TotpSecrets = await ResealColumnAsync(connection, SelectTotp, UpdateTotp, PgSecondFactorStore.AssociatedData, result, cancellationToken);
        return result;
    }

    /// <summary>Every value of one column moved to the master key; how many rows were rewritten.</summary>
    private async Task<int> ResealColumnAsync(
        NpgsqlConnection connection, string select, string update, Func<long, string, byte[]> associatedData, MasterKeyRotationResult result,
        CancellationToken cancellationToken)
    {
        int rewritten = 0;
        foreach (SealedRow row in await connection.QueryAsync<SealedRow>(Db.Command(select, null, cancellationToken)))
        {
            byte[]? resealed = Reseal(row.Sealed, associatedData(row.OrganizationId, row.Name), result);
            if (resealed is not null && await connection.ExecuteAsync(Db.Command(update, new
            {
                row.OrganizationId, row.Name, Sealed = resealed, Previous = row.Sealed,
            }, cancellationToken)) == 1)
            {
                rewritten++;
            }
        }

        return rewritten;
    }

    private byte[]? Reseal(byte[] sealedValue, byte[] associatedData, MasterKeyRotationResult result)
    {
        try
        {
            byte[]? resealed = _encryption.Reseal(sealedValue, associatedData);
            if (resealed is null)
            {
                result.AlreadyCurrent++;
            }

            return resealed;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            result.Unopenable++;
            return null;
        }
    }

    private sealed class SealedRow
    {
        public long OrganizationId { get; init; }

        public string Name { get; init; } = string.Empty;

        public byte[] Sealed { get; init; } = [];
    }
}

/// <summary>What a master-key rotation did: values moved to the master key, values already under it, values no key opens.</summary>
public sealed class MasterKeyRotationResult
{
    public int SigningKeys { get; set; }

    public int TotpSecrets { get; set; }

    public int AlreadyCurrent { get; set; }

    public int Unopenable { get; set; }
}
