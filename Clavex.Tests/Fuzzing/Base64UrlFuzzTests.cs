using System.Buffers.Text;
using System.Text;
using Clavex.Core.Jose;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>Strict base64url (Jose/Base64UrlEncoding.cs): round trips, one accepted encoding per byte string, no throw.</summary>
public class Base64UrlFuzzTests
{
    private static readonly Gen<string> AnyText = Gen.Frequency(
        (3, FuzzGen.Base64UrlText),
        (2, Gen.Select(FuzzGen.Base64UrlText, FuzzGen.HostileChar, Gen.Int[0, 64], (text, c, at) => text.Insert(Math.Min(at, text.Length), c.ToString()))),
        (1, FuzzGen.HostileString));

    [Test]
    public void Every_byte_string_round_trips_through_encode_and_decode()
    {
        Fuzz.Check(FuzzGen.Bytes(300), bytes =>
        {
            string encoded = Base64UrlEncoding.Encode(bytes);
            Assert.That(Base64UrlEncoding.DecodeOrNull(encoded), Is.EqualTo(bytes));

            var utf8 = new byte[Base64UrlEncoding.GetEncodedLength(bytes.Length)];
            Assert.That(Base64UrlEncoding.Encode(bytes, utf8), Is.EqualTo(utf8.Length));
            var decoded = new byte[Base64UrlEncoding.GetDecodedLength(utf8.Length)];
            Assert.That(Base64UrlEncoding.TryDecode(utf8, decoded, out int written), Is.True);
            Assert.That(decoded.AsSpan(0, written).ToArray(), Is.EqualTo(bytes));
        }, iterations: 2000);
    }

    [Test]
    public void Accepted_text_is_the_one_canonical_encoding_of_what_it_decodes_to()
    {
        Fuzz.Check(AnyText, text =>
        {
            byte[]? decoded = Base64UrlEncoding.DecodeOrNull(text);
            if (decoded is null)
            {
                return;
            }

            // No padding, whitespace or stray trailing bits: re-encoding gives back exactly the input.
            Assert.That(Base64UrlEncoding.Encode(decoded), Is.EqualTo(text));
            Assert.That(decoded, Has.Length.EqualTo(Base64UrlEncoding.GetDecodedLength(text.Length)));
            Assert.That(Base64Url.DecodeFromChars(text), Is.EqualTo(decoded), "the BCL decoder reads the same bytes");
        }, iterations: 3000);
    }

    [Test]
    public void Char_and_utf8_decoding_agree_on_every_input()
    {
        Fuzz.Check(AnyText, text =>
        {
            byte[]? fromChars = Base64UrlEncoding.DecodeOrNull(text);
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            var buffer = new byte[Base64UrlEncoding.GetDecodedLength(utf8.Length)];
            bool fromBytes = Base64UrlEncoding.TryDecode(utf8, buffer, out int written);

            // Only ASCII text can be accepted, where the UTF-8 bytes are the characters.
            if (text.Length == utf8.Length)
            {
                Assert.That(fromBytes, Is.EqualTo(fromChars is not null));
                if (fromBytes)
                {
                    Assert.That(buffer.AsSpan(0, written).ToArray(), Is.EqualTo(fromChars));
                }
            }
            else
            {
                Assert.That(fromChars, Is.Null);
            }
        }, iterations: 3000);
    }

    [Test]
    public void A_destination_too_small_is_refused_not_overrun()
    {
        Fuzz.Check(Gen.Select(FuzzGen.Base64UrlText, Gen.Int[0, 50]), (text, size) =>
        {
            var destination = new byte[size];
            bool accepted = Base64UrlEncoding.TryDecode(text.AsSpan(), destination, out int written);
            if (size < Base64UrlEncoding.GetDecodedLength(text.Length))
            {
                Assert.That(accepted, Is.False);
            }

            Assert.That(written, Is.InRange(0, size));
        }, iterations: 2000);
    }
}
