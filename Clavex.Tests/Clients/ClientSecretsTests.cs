using System.Text.RegularExpressions;
using Clavex.Core.Clients;

namespace Clavex.Tests.Clients;

public sealed partial class ClientSecretsTests
{
    [Test]
    public void A_generated_secret_is_cs_and_43_base62_characters()
    {
        Assert.That(ClientSecrets.Generate(), Does.Match(SecretFormat()));
    }

    [Test]
    public void Generated_secrets_are_unique()
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 10_000; i++)
        {
            secrets.Add(ClientSecrets.Generate());
        }

        Assert.That(secrets, Has.Count.EqualTo(10_000));
    }

    [Test]
    public void Generated_secrets_use_the_whole_alphabet_evenly()
    {
        // 10 000 × 43 characters: each of the 62 expected about 6 935 times. A modulo-biased generator over bytes
        // would give the first 8 characters (256 mod 62) about 25 % more; ±15 % is far outside chance either way.
        var counts = new Dictionary<char, int>();
        for (int i = 0; i < 10_000; i++)
        {
            foreach (char c in ClientSecrets.Generate().AsSpan(ClientSecrets.Prefix.Length))
            {
                counts[c] = counts.GetValueOrDefault(c) + 1;
            }
        }

        double expected = 10_000.0 * ClientSecrets.RandomLength / 62;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(counts, Has.Count.EqualTo(62));
            Assert.That(counts.Values.Min(), Is.GreaterThan(expected * 0.85));
            Assert.That(counts.Values.Max(), Is.LessThan(expected * 1.15));
        }
    }

    [Test]
    public void The_hash_is_SHA256_of_the_UTF8_secret()
    {
        // FIPS 180-2 appendix B.1: SHA-256("abc").
        Assert.That(
            Convert.ToHexStringLower(ClientSecrets.Hash("abc")),
            Is.EqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    [Test]
    public void Non_ASCII_secrets_hash_their_UTF8_bytes()
    {
        Assert.That(ClientSecrets.Hash("pässwörd"), Is.EqualTo(System.Security.Cryptography.SHA256.HashData("pässwörd"u8)));
    }

    [GeneratedRegex("^cs_[A-Za-z0-9]{43}$")]
    private static partial Regex SecretFormat();
}
