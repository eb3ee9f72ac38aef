using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Jose;

namespace Clavex.Core.Factors;

/// <summary>What a WebAuthn challenge was issued for; a challenge is accepted only for the ceremony it was issued for.</summary>
public enum PasskeyPurpose : byte
{
    /// <summary>The second factor of a signed-in (password-only) session.</summary>
    SecondFactor = 1,

    /// <summary>Registering a new credential for a signed-in user.</summary>
    Registration = 2,

    /// <summary>Signing in with a passkey alone, from the login page: no user is known yet.</summary>
    Passwordless = 3,
}

/// <summary>
/// WebAuthn challenges (WebAuthn Level 3 §13.4.3: random, at least 16 bytes, used once) that need no server-side
/// state until they are used: each carries its expiry and a random nonce, and is authenticated with HMAC-SHA-256 over
/// them, its purpose, the organisation and the user it was issued to. The page hands it back beside the
/// authenticator's response; <see cref="Check"/> verifies it and returns the nonce, which the caller records in the
/// replay cache, so a challenge is used once. Rendering a login page therefore writes nothing to the database.
/// Also derives the WebAuthn user handle of a user: a keyed hash of the organisation and subject, so it reveals neither.
/// </summary>
public sealed class PasskeyChallenges
{
    public const int KeySize = 32;

    /// <summary>How long a page may wait for the user's authenticator; also the <c>timeout</c> the browser is given.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private const byte Version = 1;
    private const int NonceSize = 16;
    private const int MacSize = 16;
    private const int SignedSize = 1 + sizeof(long) + NonceSize;
    private const int ChallengeSize = SignedSize + MacSize;

    private static readonly byte[] s_challengeLabel = Encoding.ASCII.GetBytes("clavex passkey challenge\0");
    private static readonly byte[] s_handleLabel = Encoding.ASCII.GetBytes("clavex passkey user handle\0");

    private readonly byte[] _key;
    private readonly TimeProvider _timeProvider;

    public PasskeyChallenges(ReadOnlySpan<byte> key, TimeProvider timeProvider)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"The key is {KeySize} bytes.", nameof(key));
        }

        _key = key.ToArray();
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <summary>A new challenge for <paramref name="purpose"/>, bound to the organisation and subject (empty for <see cref="PasskeyPurpose.Passwordless"/>).</summary>
    public byte[] Issue(PasskeyPurpose purpose, long organizationId, string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        byte[] challenge = new byte[ChallengeSize];
        challenge[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(challenge.AsSpan(1), (_timeProvider.GetUtcNow() + Lifetime).ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(challenge.AsSpan(1 + sizeof(long), NonceSize));
        Mac(purpose, organizationId, subject, challenge.AsSpan(0, SignedSize), challenge.AsSpan(SignedSize));
        return challenge;
    }

    /// <summary>
    /// The challenge as the page hands it back (base64url): its nonce as a replay-cache key when it was issued by this
    /// server for this purpose, organisation and subject and has not expired, else null. The caller records the key
    /// until <see cref="Lifetime"/> from now and refuses the challenge when it was recorded before.
    /// </summary>
    public string? Check(string? encoded, PasskeyPurpose purpose, long organizationId, string subject, out byte[]? challenge)
    {
        ArgumentNullException.ThrowIfNull(subject);
        challenge = null;
        if (encoded is null || encoded.Length > 128 || Base64UrlEncoding.DecodeOrNull(encoded) is not byte[] bytes || bytes.Length != ChallengeSize || bytes[0] != Version)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[MacSize];
        Mac(purpose, organizationId, subject, bytes.AsSpan(0, SignedSize), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(SignedSize)))
        {
            return null;
        }

        long expires = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
        if (_timeProvider.GetUtcNow().ToUnixTimeSeconds() >= expires)
        {
            return null;
        }

        challenge = bytes;
        return "passkey:" + Base64UrlEncoding.Encode(bytes.AsSpan(1 + sizeof(long), NonceSize));
    }

    /// <summary>The WebAuthn user handle of a user (WebAuthn §14.6.1: no personal information): 32 bytes, the same every time.</summary>
    public byte[] UserHandle(long organizationId, string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        byte[] input = Input(s_handleLabel, 0, organizationId, subject, []);
        return HMACSHA256.HashData(_key, input);
    }

    private void Mac(PasskeyPurpose purpose, long organizationId, string subject, ReadOnlySpan<byte> signed, Span<byte> destination)
    {
        byte[] input = Input(s_challengeLabel, (byte)purpose, organizationId, subject, signed);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, mac);
        mac[..MacSize].CopyTo(destination);
    }

    private static byte[] Input(byte[] label, byte purpose, long organizationId, string subject, ReadOnlySpan<byte> signed)
    {
        int subjectLength = Encoding.UTF8.GetByteCount(subject);
        byte[] input = new byte[label.Length + 1 + sizeof(long) + sizeof(int) + subjectLength + signed.Length];
        int at = 0;
        label.CopyTo(input, at);
        at += label.Length;
        input[at++] = purpose;
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(at), organizationId);
        at += sizeof(long);
        BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(at), subjectLength);
        at += sizeof(int);
        at += Encoding.UTF8.GetBytes(subject, input.AsSpan(at));
        signed.CopyTo(input.AsSpan(at));
        return input;
    }
}
