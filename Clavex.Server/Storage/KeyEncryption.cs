using System.Security.Cryptography;

namespace Clavex.Server.Storage;

/// <summary>
/// Seals private keys for storage with AES-256-GCM under the master key. The output is a format version byte,
/// a random 12-byte nonce, the ciphertext and the 16-byte tag. Associated data binds a ciphertext to where it
/// belongs (for signing keys: organisation and kid), so one copied elsewhere fails to open instead of decrypting.
/// </summary>
public sealed class KeyEncryption
{
    public const int MasterKeySize = 32;

    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    private readonly byte[] _masterKey;

    public KeyEncryption(ReadOnlySpan<byte> masterKey)
    {
        if (masterKey.Length != MasterKeySize)
        {
            throw new ArgumentException($"The master key must be {MasterKeySize} bytes; this one has {masterKey.Length}.", nameof(masterKey));
        }

        _masterKey = masterKey.ToArray();
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

        var plaintext = new byte[sealedValue.Length - Overhead];
        using var aes = new AesGcm(_masterKey, TagSize);
        try
        {
            aes.Decrypt(
                sealedValue.Slice(1, NonceSize),
                sealedValue.Slice(1 + NonceSize, plaintext.Length),
                sealedValue[^TagSize..],
                plaintext,
                associatedData);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new CryptographicException(
                "The stored key could not be decrypted: the master key is not the one it was encrypted with, or the ciphertext was "
                + "altered or moved to another row.",
                e);
        }

        return plaintext;
    }
}
