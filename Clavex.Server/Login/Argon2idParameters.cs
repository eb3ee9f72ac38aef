namespace Clavex.Server.Login;

/// <summary>Argon2id cost parameters as a PHC string spells them: <c>m</c> in KiB, <c>t</c> passes, <c>p</c> lanes.</summary>
public readonly record struct Argon2idParameters(int MemoryKib, int Iterations, int Parallelism)
{
    /// <summary>
    /// OWASP Password Storage Cheat Sheet, Argon2id: "m=19456 (19 MiB), t=2, p=1". One lane because libsodium
    /// computes only p = 1.
    /// </summary>
    public static Argon2idParameters Owasp { get; } = new(19456, 2, 1);

    /// <summary>RFC 9106 §3.1: m ≥ 8p KiB, t ≥ 1.</summary>
    public const int MinMemoryKib = 8;

    /// <summary>
    /// Upper bounds on what a stored hash may ask for, so one imported or tampered row cannot make a single login
    /// allocate gigabytes or run for seconds.
    /// </summary>
    public const int MaxMemoryKib = 256 * 1024;

    public const int MaxIterations = 16;

    /// <summary>Whether this is a set libsodium can compute and a stored hash may legitimately use.</summary>
    public bool IsSupported =>
        MemoryKib is >= MinMemoryKib and <= MaxMemoryKib
        && Iterations is >= 1 and <= MaxIterations
        && Parallelism == 1;

    /// <summary>Less memory or fewer passes than <paramref name="current"/>: a login should upgrade the stored hash.</summary>
    public bool IsWeakerThan(Argon2idParameters current) =>
        MemoryKib < current.MemoryKib || Iterations < current.Iterations;
}
