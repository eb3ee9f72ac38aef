using System.Security.Cryptography;

namespace Clavex.Server.Login;

/// <summary>
/// The one script file the pages load, <c>/assets/passkey.js</c>, served from the assembly. Pages with a passkey form
/// allow it with <c>script-src 'self'</c>; nothing inline.
/// </summary>
public static class PasskeyScript
{
    public const string Path = "/assets/passkey.js";

    public static byte[] Content { get; } = Load();

    /// <summary>A strong validator for conditional requests: the content's hash.</summary>
    public static string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(Content).AsSpan(0, 16)) + "\"";

    private static byte[] Load()
    {
        using Stream stream = typeof(PasskeyScript).Assembly.GetManifestResourceStream("Clavex.Server.Login.Assets.passkey.js")
            ?? throw new InvalidOperationException("The passkey script is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
