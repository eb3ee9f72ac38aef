using System.Globalization;
using CsCheck;

namespace Clavex.Tests.Fuzzing;

/// <summary>
/// Runs a property in one of three modes (docs/fuzzing.md):
/// <list type="bullet">
/// <item>the regular suite: a fixed number of inputs from fixed seeds, so a run is repeatable and cannot be flaky;</item>
/// <item><c>CLAVEX_FUZZ_SECONDS=N</c>: CsCheck's own random sampling for N seconds, shrinking any failure to a small input;</item>
/// <item><c>CLAVEX_FUZZ_SEED=S</c>: the one input of a seed printed by a failure.</item>
/// </list>
/// </summary>
/// <remarks>
/// CsCheck's <c>seed:</c> fixes only its first iteration, so the regular mode draws each input from its own
/// <see cref="PCG"/> and names that generator's seed when the property fails.
/// </remarks>
internal static class Fuzz
{
    public const string SecondsVariable = "CLAVEX_FUZZ_SECONDS";
    public const string SeedVariable = "CLAVEX_FUZZ_SEED";

    // Any odd constant spreads the seeds; this one is 2^64 / golden ratio.
    private const ulong SeedStep = 0x9E3779B97F4A7C15UL;
    private const uint Stream = 16;

    public static int? Seconds { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0
            ? seconds
            : null;

    public static string? Seed { get; } = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } seed ? seed : null;

    public static void Check<T1, T2>(Gen<(T1, T2)> gen, Action<T1, T2> property, int iterations) =>
        Check(gen, input => property(input.Item1, input.Item2), iterations);

    public static void Check<T1, T2, T3>(Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> property, int iterations) =>
        Check(gen, input => property(input.Item1, input.Item2, input.Item3), iterations);

    public static void Check<T1, T2, T3, T4>(Gen<(T1, T2, T3, T4)> gen, Action<T1, T2, T3, T4> property, int iterations) =>
        Check(gen, input => property(input.Item1, input.Item2, input.Item3, input.Item4), iterations);

    /// <summary>Checks <paramref name="property"/> on <paramref name="iterations"/> inputs, or for the configured time.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, int iterations, Func<T, string>? print = null)
    {
        if (Seed is not null)
        {
            gen.Sample(property, seed: Seed, iter: 1, threads: 1, print: print);
            return;
        }

        if (Seconds is int time)
        {
            gen.Sample(property, time: time, print: print);
            return;
        }

        for (int i = 0; i < iterations; i++)
        {
            var pcg = new PCG(Stream, (ulong)i * SeedStep);
            string seed = pcg.ToString();
            T input = gen.Generate(pcg, null, out _);
            try
            {
                property(input);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string shown = print is null ? CsCheck.Check.Print(input) : print(input);
                Assert.Fail($"Input {i} failed ({SeedVariable}={seed} reproduces it; {SecondsVariable} also shrinks): {shown}{Environment.NewLine}{e}");
            }
        }
    }
}
