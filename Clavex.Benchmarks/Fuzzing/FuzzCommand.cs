using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using SharpFuzz;

namespace Clavex.Benchmarks.Fuzzing;

/// <summary>
/// <c>fuzz TARGET</c>: one SharpFuzz entry point per core parser, for AFL++ over an instrumented Clavex.Core.dll
/// (docs/fuzzing.md). Each reads one input from standard input; an exception that escapes is the crash AFL++ saves.
/// Outside afl-fuzz it runs the one input it is given, which is how a saved crash is replayed.
/// </summary>
internal static class FuzzCommand
{
    private static readonly Dictionary<string, Action<byte[]>> s_targets = new(StringComparer.Ordinal)
    {
        ["jws"] = Jws,
        ["base64url"] = Base64Url,
        ["basic"] = Basic,
        ["form"] = Form,
        ["jwks"] = Jwks,
    };

    // Built on first use, inside the fuzzer's loop: instrumented code that runs before SharpFuzz has mapped AFL's
    // coverage memory crashes with an access violation.
    private static JwtValidationParameters? s_parameters;

    public static int Run(string[] args)
    {
        if (args.Length != 1 || !s_targets.TryGetValue(args[0], out Action<byte[]>? target))
        {
            Console.Error.WriteLine($"usage: fuzz {string.Join('|', s_targets.Keys)}   (input on standard input; see docs/fuzzing.md)");
            return 2;
        }

        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var input = new MemoryStream();
            stream.CopyTo(input);
            target(input.ToArray());
        });
        return 0;
    }

    // Latin-1 maps every byte to one char, so no input is lost to a decoder before the parser sees it.
    private static void Jws(byte[] input)
    {
        s_parameters ??= new JwtValidationParameters
        {
            Keys = new JwsKeySet(new HmacJwsKey(SHA256.HashData("clavex-fuzz"u8), "fuzz"), EcJwsKey.Generate()),
            AllowedAlgorithms = [JwsAlgorithm.HS256, JwsAlgorithm.ES256],
            Issuer = "https://id.example/fuzz",
            Audiences = ["fuzz"],
            RequiredType = JwtType.Jwt,
        };
        using JwtValidationResult result = JwtValidator.Validate(Encoding.Latin1.GetString(input), s_parameters);
        if (result.IsValid)
        {
            throw new InvalidOperationException("A token nobody signed validated.");
        }
    }

    private static void Base64Url(byte[] input)
    {
        string text = Encoding.Latin1.GetString(input);
        if (Base64UrlEncoding.DecodeOrNull(text) is byte[] decoded && Base64UrlEncoding.Encode(decoded) != text)
        {
            throw new InvalidOperationException("Two encodings were accepted for one byte string.");
        }
    }

    private static void Basic(byte[] input)
    {
        if (BasicCredentials.TryParse(Encoding.Latin1.GetString(input), out BasicCredentials? credentials) && credentials.ClientId.Length == 0)
        {
            throw new InvalidOperationException("Credentials with an empty client id were accepted.");
        }
    }

    // A strict encoder throws for a lone surrogate, which accepted text must never hold.
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void Form(byte[] input)
    {
        if (FormUrlEncoding.TryDecode(input, out string? decoded))
        {
            _ = s_strictUtf8.GetByteCount(decoded!);
        }
    }

    private static void Jwks(byte[] input)
    {
        if (JwkReader.TryReadKeySet(input, out JwsKeySet? keys, out _))
        {
            foreach (JwsKey key in keys.Keys)
            {
                key.Dispose();
            }
        }
    }
}
