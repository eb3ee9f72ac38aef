using System.Security.Cryptography;

namespace Clavex.Server.Storage;

/// <summary>
/// Seals private keys for storage with AES-256-GCM under the master key. The output is a format version byte,
/// a random 12-byte nonce, the ciphertext and the 16-byte tag. Associated data binds a ciphertext to where it
/// belongs (for signing keys: organisation and kid), so one copied elsewhere fails to open instead of decrypting.
/// <para>
/// For a master-key rotation without downtime, older (or newer) keys can be given for opening only: values are always
/// sealed with the master key, and opened with whichever key sealed them (the tag tells). <see cref="Reseal"/> moves a
/// value to the master key, which the <c>rotate-master-key</c> command does for every sealed column.
/// </para>
/// </summary>
public sealed class KeyEncryption
{
    public const int MasterKeySize = 32;

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    private readonly byte[] _masterKey;
    private readonly byte[][] _otherKeys;

    public KeyEncryption(ReadOnlySpan<byte> masterKey, IReadOnlyList<byte[]>? otherKeys = null)
    {
        if (masterKey.Length != MasterKeySize)
        {
            throw new ArgumentException($"The master key must be {MasterKeySize} bytes; this one has {masterKey.Length}.", nameof(masterKey));
        }

        _masterKey = masterKey.ToArray();
        _otherKeys = [.. otherKeys ?? []];
        foreach (byte[] key in _otherKeys)
        {
            if (key.Length != MasterKeySize)
            {
                throw new ArgumentException($"Every other master key must be {MasterKeySize} bytes; one has {key.Length}.", nameof(otherKeys));
            }
        }
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[Overhead + plaintext.Length];
        output[0] = FormatVersion;
        Span<byte> nonce = output.AsSpan(1, NonceSize);

        // Random 96-bit nonces: with a few keys per organisation, far below the 2^32 messages where collisions matter.
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_masterKey, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize, plaintext.Length), output.AsSpan(output.Length - TagSize), associatedData);
        return output;
    }

    /// <exception cref="CryptographicException">
    /// The master key is not the one the value was sealed with, or the value or its associated data changed.
    /// </exception>
    public byte[] Decrypt(ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        if (sealedValue.Length < Overhead || sealedValue[0] != FormatVersion)
        {
            throw new CryptographicException($"The stored key is not in the format KeyEncryption writes (version {FormatVersion}, at least {Overhead} bytes).");
        }

        if (TryOpen(_masterKey, sealedValue, associatedData) is byte[] plaintext)
        {
            return plaintext;
        }

        foreach (byte[] key in _otherKeys)
        {
            if (TryOpen(key, sealedValue, associatedData) is byte[] opened)
            {
                return opened;
            }
        }

        throw new CryptographicException(
            "The stored key could not be decrypted: none of the configured master keys is the one it was encrypted with, or the "
            + "ciphertext was altered or moved to another row.");
    }

    /// <summary>
    /// The value sealed again with the master key when one of the other keys sealed it; null when the master key did
    /// already (nothing to do).
    /// </summary>
    /// <exception cref="CryptographicException">No configured key opens the value.</exception>
    public byte[]? Reseal(ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        if (sealedValue.Length >= Overhead && sealedValue[0] == FormatVersion && TryOpen(_masterKey, sealedValue, associatedData) is not null)
        {
            return null;
        }

        byte[] plaintext = Decrypt(sealedValue, associatedData);
        try
        {
            return Encrypt(plaintext, associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static byte[]? TryOpen(byte[] key, ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        var plaintext = new byte[sealedValue.Length - Overhead];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue.Slice(1 + NonceSize, plaintext.Length), sealedValue[^TagSize..], plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
