using System.Text;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>Generators the fuzz properties share: hostile text, JSON that is almost valid, and bytewise mutations.</summary>
internal static class FuzzGen
{
    /// <summary>Characters parsers treat specially, plus NUL, a lone surrogate of each kind, a BOM and non-ASCII letters.</summary>
    private const string Specials = ".=-_+/%:;,&#?\"\\{}[] \t\r\n\0\uD800\uDC00\uFEFFüé€€";

    /// <summary>Any UTF-16 code unit, lone surrogates included.</summary>
    public static readonly Gen<char> AnyChar = Gen.Char[char.MinValue, char.MaxValue];

    /// <summary>Mostly ASCII, often a special character, sometimes any code unit.</summary>
    public static readonly Gen<char> HostileChar = Gen.Frequency(
        (6, Gen.Char['\x20', '\x7E']),
        (3, Gen.Char[Specials]),
        (1, AnyChar));

    public static readonly Gen<string> HostileString = HostileChar.Array[0, 40].Select(chars => new string(chars));

    public static readonly Gen<string> Base64UrlText = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].Array[0, 64]
        .Select(chars => new string(chars));

    public static Gen<byte[]> Bytes(int maxLength) => Gen.Byte.Array[0, maxLength];

    /// <summary>Whether <paramref name="text"/> has a surrogate without its pair, which no UTF-8 can represent.</summary>
    public static bool HasLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>, with lone surrogates written as their raw (invalid) three-byte form.</summary>
    public static byte[] RawUtf8(string text)
    {
        var bytes = new List<byte>(text.Length * 3);
        foreach (char c in text)
        {
            if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else if (c < 0x800)
            {
                bytes.Add((byte)(0xC0 | (c >> 6)));
                bytes.Add((byte)(0x80 | (c & 0x3F)));
            }
            else
            {
                // A surrogate's code unit is encoded on its own, which no UTF-8 decoder accepts (CESU-8).
                bytes.Add((byte)(0xE0 | (c >> 12)));
                bytes.Add((byte)(0x80 | ((c >> 6) & 0x3F)));
                bytes.Add((byte)(0x80 | (c & 0x3F)));
            }
        }

        return [.. bytes];
    }

    /// <summary>
    /// JSON text that is usually well formed and sometimes not: strings with escapes of lone surrogates and NUL,
    /// numbers beyond every range, duplicate names, nesting up to <paramref name="maxDepth"/>, stray tokens.
    /// </summary>
    public static Gen<string> Json(int maxDepth, IReadOnlyList<string>? names = null)
    {
        Gen<string> name = names is null
            ? JsonStringLiteral
            : Gen.Frequency((4, Gen.OneOf([.. names]).Select(n => "\"" + n + "\"")), (1, JsonStringLiteral));
        return JsonValue(maxDepth, name);
    }

    /// <summary>An array nested <c>depth</c> levels, around the readers' limit of 64.</summary>
    public static readonly Gen<string> DeepNesting = Gen.Int[1, 200].Select(Gen.Bool, (depth, objects) =>
    {
        var text = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            text.Append(objects ? "{\"a\":" : "[");
        }

        text.Append('1');
        for (int i = 0; i < depth; i++)
        {
            text.Append(objects ? '}' : ']');
        }

        return text.ToString();
    });

    private static readonly Gen<string> JsonStringLiteral = Gen.Frequency(
        (5, HostileString.Select(s => "\"" + Escape(s) + "\"")),
        (2, Gen.OneOf("\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\\uD83D\\uDE00\"", "\"\\x\"", "\"\\u12\"", "\"unterminated", "\"\"")),
        (1, HostileString.Select(s => "\"" + s + "\"")));

    private static readonly Gen<string> JsonScalar = Gen.Frequency(
        (4, JsonStringLiteral),
        (2, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("true", "false", "null", "0", "-0", "1e400", "-1e400", "1.5", "9223372036854775808", "01", "+1", ".5", "NaN", "1e", "-", "tru")));

    private static Gen<string> JsonValue(int depth, Gen<string> name)
    {
        if (depth <= 0)
        {
            return JsonScalar;
        }

        Gen<string> inner = JsonValue(depth - 1, name);
        Gen<string> array = inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]");
        Gen<string> member = Gen.Select(name, inner, (n, v) => n + ":" + v);
        Gen<string> obj = member.Array[0, 5].Select(members => "{" + string.Join(",", members) + "}");
        return Gen.Frequency((3, JsonScalar), (2, array), (3, obj), (1, Gen.Select(obj, Gen.OneOf(",", "}", "]", " x", "{", ""), (o, tail) => o + tail)));
    }

    /// <summary>JSON-escapes quotes, backslashes and control characters; everything else (lone surrogates too) stays as it is.</summary>
    public static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\').Append(c);
            }
            else if (c < 0x20)
            {
                text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>One to three changes at random places: a byte replaced, inserted or removed.</summary>
    public static Gen<byte[]> Mutated(byte[] original) =>
        Gen.Int[1, 3].SelectMany(count => Mutation(original.Length + count).Array[count]).Select(mutations =>
        {
            var bytes = new List<byte>(original);
            foreach ((int kind, int position, byte value) in mutations)
            {
                int at = bytes.Count == 0 ? 0 : position % (bytes.Count + (kind == 1 ? 1 : 0));
                switch (kind)
                {
                    case 0 when bytes.Count > 0:
                        // XOR with a non-zero value: the byte always changes.
                        bytes[at] ^= value == 0 ? (byte)1 : value;
                        break;
                    case 1:
                        bytes.Insert(at, value);
                        break;
                    case 2 when bytes.Count > 0:
                        bytes.RemoveAt(at);
                        break;
                }
            }

            return bytes.ToArray();
        });

    private static Gen<(int Kind, int Position, byte Value)> Mutation(int maxPosition) =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, Math.Max(0, maxPosition)], Gen.Byte);
}
