using System.Security.Cryptography;
using System.Text;
using Clavex.Core.Interaction;
using NSec.Cryptography;

namespace Clavex.Server.Login;

/// <summary>
/// Argon2id password hashes (RFC 9106) through libsodium, stored as PHC strings. Thread-safe; hashing is CPU- and
/// memory-bound (19 MiB per call at OWASP parameters), so callers run it behind a <see cref="PasswordCheckLimiter"/>.
/// </summary>
public sealed class PasswordHasher
{
    /// <summary>Bounds the work one request can cause; far above any password a person types or a manager generates.</summary>
    public const int MaxPasswordLength = 1024;

    public const int HashBytes = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Argon2id _algorithm;
    private readonly Lazy<Argon2idPhcString> _dummy;

    public PasswordHasher()
        : this(Argon2idParameters.Owasp)
    {
    }

    public PasswordHasher(Argon2idParameters parameters)
    {
        if (!parameters.IsSupported)
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), parameters, "libsodium computes Argon2id with p = 1, t ≥ 1 and m ≥ 8 KiB.");
        }

        if (!"e\u0301".Normalize(NormalizationForm.FormC).Equals("\u00E9", StringComparison.Ordinal))
        {
            // Invariant globalization mode makes Normalize a silent no-op; hashes stored then would not match later.
            throw new InvalidOperationException("Unicode normalisation is unavailable: run Clavex with ICU (InvariantGlobalization false, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT unset).");
        }

        Parameters = parameters;
        _algorithm = CreateAlgorithm(parameters);
        _dummy = new Lazy<Argon2idPhcString>(CreateDummy, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Argon2idParameters Parameters { get; }

    /// <summary>Non-empty, at most <see cref="MaxPasswordLength"/> characters, and well-formed UTF-16 (no lone surrogates).</summary>
    public static bool IsAcceptable(string? password) =>
        !string.IsNullOrEmpty(password) && password.Length <= MaxPasswordLength && IsWellFormedUtf16(password);

    /// <summary>Why <paramref name="password"/> may not be set in <paramref name="organization"/> for a user with these context words, or null.</summary>
    public static string? Problem(string password, Core.Protocol.Organization organization, params ReadOnlySpan<string?> contextWords)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return !IsAcceptable(password) ? $"password must be at most {MaxPasswordLength} characters of well-formed Unicode."
            : organization.SignInPolicy.Password.Problem(password, [.. contextWords, organization.Slug]) is string problem ? "password " + problem
            : null;
    }

    /// <summary>A new PHC string with a fresh 16-byte salt. Throws for a password <see cref="IsAcceptable"/> refuses.</summary>
    public string Hash(string password)
    {
        if (!IsAcceptable(password))
        {
            throw new ArgumentException($"A password is 1 to {MaxPasswordLength} characters of well-formed Unicode.", nameof(password));
        }

        Span<byte> salt = stackalloc byte[Argon2idPhcString.SaltBytes];
        RandomNumberGenerator.Fill(salt);
        Span<byte> hash = stackalloc byte[HashBytes];
        Derive(_algorithm, password, salt, hash);
        return Argon2idPhcString.Format(Parameters, salt, hash);
    }

    /// <summary>
    /// Checks <paramref name="password"/> against a stored PHC string. A missing, malformed or unsupported stored
    /// hash fails after the same work as a wrong password, so it neither throws nor shows in the response time.
    /// </summary>
    public PasswordVerification Verify(string password, string? storedHash)
    {
        if (!IsAcceptable(password))
        {
            return PasswordVerification.Failed;
        }

        if (!Argon2idPhcString.TryParse(storedHash, out Argon2idPhcString? stored))
        {
            return VerifyAgainstDummy(password);
        }

        Argon2id algorithm = stored!.Parameters == Parameters ? _algorithm : CreateAlgorithm(stored.Parameters);
        if (!Matches(algorithm, password, stored))
        {
            return PasswordVerification.Failed;
        }

        return stored.Parameters.IsWeakerThan(Parameters) || stored.Hash.Length < HashBytes
            ? PasswordVerification.SucceededRehashNeeded
            : PasswordVerification.Succeeded;
    }

    /// <summary>
    /// For an unknown username: the same work as checking a real user's password at current parameters, and always
    /// <see cref="PasswordVerification.Failed"/>, so response time does not tell which usernames exist.
    /// </summary>
    public PasswordVerification VerifyAgainstDummy(string password)
    {
        if (IsAcceptable(password))
        {
            _ = Matches(_algorithm, password, _dummy.Value);
        }

        return PasswordVerification.Failed;
    }

    private static bool Matches(Argon2id algorithm, string password, Argon2idPhcString stored)
    {
        Span<byte> actual = stackalloc byte[stored.Hash.Length];
        Derive(algorithm, password, stored.Salt, actual);
        return CryptographicOperations.FixedTimeEquals(actual, stored.Hash);
    }

    /// <summary>
    /// The password is hashed as UTF-8 of its Unicode NFC form. The same password can reach us as different code
    /// points: "é" is U+00E9 from most keyboards but "e" + U+0301 from some input methods and from text copied out
    /// of macOS file names. RFC 8265 §4.2 (PRECIS OpaqueString, the profile for passwords) normalises with NFC, which
    /// makes those equal without folding compatibility characters (NFKC would also merge "ﬁ" and "fi", shrinking
    /// the password space). Changing this later would lock out every user whose password it affects.
    /// </summary>
    private static void Derive(Argon2id algorithm, string password, ReadOnlySpan<byte> salt, Span<byte> hash)
    {
        string normalized = password.Normalize(NormalizationForm.FormC);
        byte[] utf8 = StrictUtf8.GetBytes(normalized);
        try
        {
            algorithm.DeriveBytes(utf8, salt, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
        }
    }

    private static Argon2id CreateAlgorithm(Argon2idParameters parameters) =>
        PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            MemorySize = parameters.MemoryKib,
            NumberOfPasses = parameters.Iterations,
            DegreeOfParallelism = parameters.Parallelism,
        });

    private Argon2idPhcString CreateDummy()
    {
        // A password nobody knows, hashed once like any other: checking against it costs what a real check costs.
        Span<byte> secret = stackalloc byte[HashBytes];
        RandomNumberGenerator.Fill(secret);
        byte[] salt = RandomNumberGenerator.GetBytes(Argon2idPhcString.SaltBytes);
        var hash = new byte[HashBytes];
        Derive(_algorithm, Convert.ToBase64String(secret), salt, hash);
        return new Argon2idPhcString(Parameters, salt, hash);
    }

    private static bool IsWellFormedUtf16(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
