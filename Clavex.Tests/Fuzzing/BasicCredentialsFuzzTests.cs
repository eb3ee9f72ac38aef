using System.Text;
using Clavex.Core.Clients;
using Clavex.Tests.Clients;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>HTTP Basic client credentials (Clients/BasicCredentials.cs): no throw, RFC 6749 §2.3.1 encoding round-trips.</summary>
public class BasicCredentialsFuzzTests
{
    private static readonly Gen<string> Scheme = Gen.OneOf("Basic ", "basic ", "BASIC  ", " Basic\t", "Basic", "Bearer ", "Basic\u00A0", "Basi ", "");

    private static readonly Gen<string> Base64Token = Gen.Frequency(
        (3, FuzzGen.Bytes(80).Select(Convert.ToBase64String)),
        (2, Gen.Select(FuzzGen.HostileString, FuzzGen.HostileString).Select(pair => Convert.ToBase64String(FuzzGen.RawUtf8(pair.Item1 + ":" + pair.Item2)))),
        (1, FuzzGen.HostileString),
        (1, FuzzGen.Bytes(80).Select(bytes => Convert.ToBase64String(bytes).TrimEnd('=') + new string('=', bytes.Length % 4))));

    [Test]
    public void Any_header_value_parses_or_is_refused_without_throwing()
    {
        Fuzz.Check(Gen.Select(Scheme, Base64Token, Gen.OneOf("", " ", "\t", "=", " x")), (scheme, token, tail) =>
        {
            if (BasicCredentials.TryParse(scheme + token + tail, out BasicCredentials? credentials))
            {
                Assert.That(credentials.ClientId, Is.Not.Empty);
                Assert.That(scheme.Trim(' ', '\t'), Is.EqualTo("Basic").IgnoreCase);
            }
        }, iterations: 5000);
    }

    [Test]
    public void Form_encoded_id_and_secret_round_trip()
    {
        Gen<string> text = FuzzGen.HostileString.Where(value => !FuzzGen.HasLoneSurrogate(value));
        Fuzz.Check(Gen.Select(text.Where(id => id.Length > 0), text), (clientId, clientSecret) =>
        {
            string raw = BasicCredentialsTests.FormEncode(clientId) + ":" + BasicCredentialsTests.FormEncode(clientSecret);
            string header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

            Assert.That(BasicCredentials.TryParse(header, out BasicCredentials? credentials), Is.True);
            Assert.That(credentials, Is.EqualTo(new BasicCredentials(clientId, clientSecret)));
        }, iterations: 3000);
    }
}
