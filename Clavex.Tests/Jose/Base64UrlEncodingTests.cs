using System.Text;
using Clavex.Core.Jose;

namespace Clavex.Tests.Jose;

public class Base64UrlEncodingTests
{
    // RFC 4648 §10 test vectors, in the URL-safe alphabet without padding.
    [TestCase("", "")]
    [TestCase("f", "Zg")]
    [TestCase("fo", "Zm8")]
    [TestCase("foo", "Zm9v")]
    [TestCase("foob", "Zm9vYg")]
    [TestCase("fooba", "Zm9vYmE")]
    [TestCase("foobar", "Zm9vYmFy")]
    public void Rfc4648_vectors_round_trip_without_padding(string plain, string encoded)
    {
        Assert.That(Base64UrlEncoding.Encode(Encoding.ASCII.GetBytes(plain)), Is.EqualTo(encoded));
        Assert.That(Base64UrlEncoding.DecodeOrNull(encoded), Is.EqualTo(Encoding.ASCII.GetBytes(plain)));
    }

    [Test]
    public void Url_safe_alphabet_is_used_for_62_and_63()
    {
        byte[] bytes = [0xfb, 0xff, 0xbf];
        Assert.That(Base64UrlEncoding.Encode(bytes), Is.EqualTo("-_-_"));
        Assert.That(Base64UrlEncoding.DecodeOrNull("-_-_"), Is.EqualTo(bytes));
    }

    [TestCase("Zg==", TestName = "Padding is refused")]
    [TestCase("Zm8=", TestName = "Single padding character is refused")]
    [TestCase("Zm9v Yg", TestName = "Inner space is refused")]
    [TestCase(" Zm9v", TestName = "Leading space is refused")]
    [TestCase("Zm9v\n", TestName = "Trailing newline is refused")]
    [TestCase("Zm9\tv", TestName = "Tab is refused")]
    [TestCase("+/+/", TestName = "Standard base64 alphabet is refused")]
    [TestCase("Zm9*", TestName = "Non-alphabet character is refused")]
    [TestCase("Zm9vY", TestName = "A length of 4n+1 is impossible")]
    [TestCase("Zh", TestName = "Non-zero unused bits after one byte are refused")]
    [TestCase("Zm9", TestName = "Non-zero unused bits after two bytes are refused")]
    [TestCase("Zm9vYgé", TestName = "Non-ASCII is refused")]
    public void Invalid_input_is_refused(string input)
    {
        Assert.That(Base64UrlEncoding.DecodeOrNull(input), Is.Null);
        Assert.That(Base64UrlEncoding.TryDecode(Encoding.UTF8.GetBytes(input), new byte[64], out _), Is.False);
    }

    [Test]
    public void Decoding_into_a_short_destination_fails_instead_of_truncating()
    {
        Assert.That(Base64UrlEncoding.TryDecode("Zm9vYmFy".AsSpan(), new byte[5], out int written), Is.False);
        Assert.That(written, Is.Zero);
    }

    [Test]
    public void Every_length_round_trips_through_utf8_and_char_decoders()
    {
        var random = new Random(7515);
        for (int length = 0; length < 70; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            string encoded = Base64UrlEncoding.Encode(data);
            Assert.That(encoded, Does.Not.Contain("="));
            Assert.That(Base64UrlEncoding.DecodeOrNull(encoded), Is.EqualTo(data), $"length {length}");

            byte[] decoded = new byte[Base64UrlEncoding.GetDecodedLength(encoded.Length)];
            Assert.That(Base64UrlEncoding.TryDecode(Encoding.ASCII.GetBytes(encoded), decoded, out int written), Is.True);
            Assert.That(decoded.AsSpan(0, written).ToArray(), Is.EqualTo(data));
        }
    }
}
