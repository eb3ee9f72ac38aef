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
    private const string SelectSigningKeys = """
        SELECT organization_id, kid, private_key FROM signing_keys WHERE private_key IS NOT NULL
        """;

    private const string UpdateSigningKey = """
        UPDATE signing_keys SET private_key = @Sealed
        WHERE organization_id = @OrganizationId AND kid = @Kid AND private_key = @Previous
        """;

    private const string SelectTotp = """
        SELECT organization_id, subject, secret_sealed FROM user_totp
        """;

    private const string UpdateTotp = """
        UPDATE user_totp SET secret_sealed = @Sealed
        WHERE organization_id = @OrganizationId AND subject = @Subject AND secret_sealed = @Previous
        """;

    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
    private readonly KeyEncryption _encryption = encryption ?? throw new ArgumentNullException(nameof(encryption));

    public async Task<MasterKeyRotationResult> RunAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var result = new MasterKeyRotationResult();
        foreach (SigningKeyRow row in await connection.QueryAsync<SigningKeyRow>(Db.Command(SelectSigningKeys, null, cancellationToken)))
        {
            byte[]? resealed = Reseal(row.PrivateKey, PgSigningKeyStore.AssociatedData(row.OrganizationId, row.Kid), result);
            if (resealed is not null && await connection.ExecuteAsync(Db.Command(UpdateSigningKey, new
            {
                row.OrganizationId, row.Kid, Sealed = resealed, Previous = row.PrivateKey,
            }, cancellationToken)) == 1)
            {
                result.SigningKeys++;
            }
        }

        foreach (TotpRow row in await connection.QueryAsync<TotpRow>(Db.Command(SelectTotp, null, cancellationToken)))
        {
            byte[]? resealed = Reseal(row.SecretSealed, PgSecondFactorStore.AssociatedData(row.OrganizationId, row.Subject), result);
            if (resealed is not null && await connection.ExecuteAsync(Db.Command(UpdateTotp, new
            {
                row.OrganizationId, row.Subject, Sealed = resealed, Previous = row.SecretSealed,
            }, cancellationToken)) == 1)
            {
                result.TotpSecrets++;
            }
        }

        return result;
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

    private sealed class SigningKeyRow
    {
        public long OrganizationId { get; init; }

        public string Kid { get; init; } = string.Empty;

        public byte[] PrivateKey { get; init; } = [];
    }

    private sealed class TotpRow
    {
        public long OrganizationId { get; init; }

        public string Subject { get; init; } = string.Empty;

        public byte[] SecretSealed { get; init; } = [];
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
