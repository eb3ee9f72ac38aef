namespace Clavex.Server.Login;

/// <summary>The key of <see cref="AntiforgeryTokens"/> for this deployment: every instance derives the same one from the master key.</summary>
public sealed class AntiforgeryKey(byte[] key)
{
    private readonly byte[] _key = key is { Length: AntiforgeryTokens.KeySize } ? key : throw new ArgumentException($"The key must be {AntiforgeryTokens.KeySize} bytes.", nameof(key));

    public ReadOnlySpan<byte> Value => _key;

    public override string ToString() => "AntiforgeryKey (redacted)";
}
