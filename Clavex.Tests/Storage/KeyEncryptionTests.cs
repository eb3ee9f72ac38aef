using System.Security.Cryptography;
using System.Text;
using Clavex.Server.Storage;

namespace Clavex.Tests.Storage;

public sealed class KeyEncryptionTests
{
    private static readonly byte[] Plaintext = Encoding.ASCII.GetBytes("-----PKCS#8 stand-in, any length-----");
    private static readonly byte[] Where = PgSigningKeyStore.AssociatedData(7, "kid-1");

    private readonly KeyEncryption _encryption = new(RandomNumberGenerator.GetBytes(32));

    [Test]
    public void A_sealed_value_opens_with_the_same_key_and_associated_data()
    {
        byte[] sealedValue = _encryption.Encrypt(Plaintext, Where);

        Assert.That(_encryption.Decrypt(sealedValue, Where), Is.EqualTo(Plaintext));
    }

    [Test]
    public void The_format_is_version_nonce_ciphertext_tag_and_the_nonce_is_fresh_each_time()
    {
        byte[] first = _encryption.Encrypt(Plaintext, Where);
        byte[] second = _encryption.Encrypt(Plaintext, Where);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Has.Length.EqualTo(1 + 12 + Plaintext.Length + 16));
            Assert.That(first[0], Is.EqualTo(1));
            Assert.That(first.AsSpan(1, 12).SequenceEqual(second.AsSpan(1, 12)), Is.False);
            Assert.That(first.AsSpan().IndexOf(Plaintext.AsSpan(0, 8)), Is.EqualTo(-1));
        }
    }

    [Test]
    public void Another_master_key_fails_clearly_instead_of_returning_garbage()
    {
        byte[] sealedValue = _encryption.Encrypt(Plaintext, Where);
        var other = new KeyEncryption(RandomNumberGenerator.GetBytes(32));

        Assert.That(
            () => other.Decrypt(sealedValue, Where),
            Throws.InstanceOf<CryptographicException>().With.Message.StartsWith("The stored key could not be decrypted: none of the configured master keys is the one it was encrypted with"));
    }

    [Test]
    public void A_value_presented_for_another_organisation_or_kid_fails()
    {
        byte[] sealedValue = _encryption.Encrypt(Plaintext, Where);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => _encryption.Decrypt(sealedValue, PgSigningKeyStore.AssociatedData(8, "kid-1")), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => _encryption.Decrypt(sealedValue, PgSigningKeyStore.AssociatedData(7, "kid-2")), Throws.InstanceOf<CryptographicException>());
        }
    }

    [TestCase(0)]
    [TestCase(13)]
    [TestCase(-1)]
    public void A_changed_byte_anywhere_fails(int index)
    {
        byte[] sealedValue = _encryption.Encrypt(Plaintext, Where);
        sealedValue[index < 0 ? sealedValue.Length + index : index] ^= 0x01;

        Assert.That(() => _encryption.Decrypt(sealedValue, Where), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void A_value_too_short_to_be_sealed_is_refused_by_format()
    {
        Assert.That(
            () => _encryption.Decrypt(new byte[28], Where),
            Throws.InstanceOf<CryptographicException>().With.Message.EqualTo("The stored key is not in the format KeyEncryption writes (version 1, at least 29 bytes)."));
    }

    [TestCase(16)]
    [TestCase(31)]
    [TestCase(33)]
    public void A_master_key_that_is_not_32_bytes_is_refused(int length)
    {
        Assert.That(() => new KeyEncryption(new byte[length]), Throws.ArgumentException.With.Message.StartsWith($"The master key must be 32 bytes; this one has {length}."));
    }
}
