using System.Text;
using Clavex.Core.Protocol;
using Clavex.Server.Http;
using Clavex.Server.Storage;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Clavex.Tests.Fuzzing;

/// <summary>
/// Form bodies and query strings into <see cref="ProtocolParameters"/> (Server/Http/ProtocolRequest.cs, StorableText.cs)
/// and the core's strict form decoding (Protocol/FormUrlEncoding.cs): every input gives parameters that PostgreSQL can
/// store, or the <see cref="InvalidDataException"/> of a limit (a 400 in ServerErrors), and encoded pairs round-trip.
/// </summary>
public class FormParserFuzzTests
{
    private static readonly Gen<string> Piece = Gen.Frequency(
        (4, FuzzGen.HostileString),
        (2, Gen.OneOf("%", "%2", "%zz", "%00", "%C3", "%C3%28", "%ED%A0%80", "%F0%9F%98%80", "%FF", "+", "&", "=", "&&", "==", "%%", "%u00e9")));

    private static readonly Gen<byte[]> Body = Gen.Frequency(
        (3, Piece.Array[0, 12].Select(pieces => FuzzGen.RawUtf8(string.Concat(pieces)))),
        (1, FuzzGen.Bytes(200)),
        (1, Gen.Int[90, 120].Select(count => Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, count).Select(i => $"p{i}=v"))))),
        (1, Gen.Int[250, 260].Select(length => Encoding.ASCII.GetBytes(new string('k', length) + "=v"))));

    private static readonly Gen<string> WellFormed = FuzzGen.HostileString.Where(text => !FuzzGen.HasLoneSurrogate(text));

    [Test]
    public void Any_form_body_gives_storable_parameters_or_a_limit_error()
    {
        Fuzz.Check(Body, body =>
        {
            ProtocolParameters? parameters;
            try
            {
                parameters = ReadForm(body);
            }
            catch (InvalidDataException)
            {
                // FormReader's count and length limits; ServerErrors answers 400.
                return;
            }

            Assert.That(parameters, Is.Not.Null);
            Assert.That(parameters!.Pairs, Has.Count.LessThanOrEqualTo(ProtocolRequest.MaxFormValues));
            foreach ((string name, string value) in parameters.Pairs)
            {
                Assert.That(StorableText.IsStorable(name) && StorableText.IsStorable(value), Is.True, $"{name}={value}");
            }
        }, iterations: 3000);
    }

    [Test]
    public void Encoded_pairs_are_read_back_in_order_with_repeats()
    {
        Gen<(string, string)[]> pairs = Gen.Select(WellFormed.Where(name => name.Length > 0), WellFormed).Array[0, 8];
        Fuzz.Check(pairs, expected =>
        {
            string body = string.Join("&", expected.Select(p => Encode(p.Item1) + "=" + Encode(p.Item2)));
            ProtocolParameters parameters = ReadForm(Encoding.ASCII.GetBytes(body))!;

            Assert.That(parameters.Pairs.Select(p => (p.Key, p.Value)), Is.EqualTo(expected.Select(p => (StorableText.Clean(p.Item1), StorableText.Clean(p.Item2)))));
        }, iterations: 2000);
    }

    [Test]
    public void Any_query_string_gives_storable_parameters()
    {
        Fuzz.Check(Piece.Array[0, 12].Select(pieces => "?" + string.Concat(pieces)), query =>
        {
            var context = new DefaultHttpContext();
            context.Request.QueryString = new QueryString(query);
            foreach ((string name, string value) in ProtocolRequest.FromQuery(context.Request).Pairs)
            {
                Assert.That(StorableText.IsStorable(name) && StorableText.IsStorable(value), Is.True, $"{name}={value}");
            }
        }, iterations: 3000);
    }

    [Test]
    public void Strict_form_decoding_accepts_only_UTF8_and_inverts_percent_encoding()
    {
        Fuzz.Check(Gen.Frequency((2, Body), (1, WellFormed.Select(text => Encoding.ASCII.GetBytes(Encode(text))))), bytes =>
        {
            if (!FormUrlEncoding.TryDecode(bytes, out string? decoded))
            {
                return;
            }

            // Whatever is accepted re-encodes to a form that decodes to the same text.
            Assert.That(FuzzGen.HasLoneSurrogate(decoded!), Is.False);
            Assert.That(FormUrlEncoding.TryDecode(Encoding.ASCII.GetBytes(Encode(decoded!)), out string? again), Is.True);
            Assert.That(again, Is.EqualTo(decoded));
        }, iterations: 3000);
    }

    [Test]
    public void Cleaning_makes_any_text_storable_and_changes_only_what_it_must()
    {
        Fuzz.Check(FuzzGen.HostileString, text =>
        {
            string cleaned = StorableText.Clean(text)!;
            Assert.That(StorableText.IsStorable(cleaned), Is.True);
            Assert.That(cleaned, Has.Length.EqualTo(text.Length));
            Assert.That(cleaned == text, Is.EqualTo(StorableText.IsStorable(text)));
        }, iterations: 3000);
    }

    // Found by Any_form_body_…: FormReader enforces ValueCountLimit only in ReadFormAsync, so ReadNextPairAsync read all
    // 112 pairs (and would have read a body's worth of millions) although the limit said 100.
    [TestCase(100, false)]
    [TestCase(101, true)]
    public void A_form_with_more_than_100_values_is_refused_issue_16(int count, bool refused)
    {
        byte[] body = Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, count).Select(i => $"p{i}=v")));

        if (refused)
        {
            Assert.That(() => ReadForm(body), Throws.TypeOf<InvalidDataException>());
        }
        else
        {
            Assert.That(ReadForm(body)!.Pairs, Has.Count.EqualTo(count));
        }
    }

    private static ProtocolParameters? ReadForm(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = ProtocolRequest.FormContentType + "; charset=utf-8";
        context.Request.Body = new MemoryStream(body);
        return ProtocolRequest.FromFormAsync(context.Request, CancellationToken.None).GetAwaiter().GetResult();
    }

    private static string Encode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);
}
