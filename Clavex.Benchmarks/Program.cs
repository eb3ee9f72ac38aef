using BenchmarkDotNet.Running;
using Clavex.Benchmarks.Fuzzing;
using Clavex.Benchmarks.Load;

// `load …` drives a running Clavex over HTTP (docs/benchmarks.md), `fuzz …` is a SharpFuzz entry point for AFL++
// (docs/fuzzing.md); anything else is BenchmarkDotNet.
if (args.Length > 1 && args[0] == "load" && args[1] == "seed")
{
    return await SeedCommand.RunAsync(args[2..]);
}

if (args.Length > 0 && args[0] == "load")
{
    return await LoadCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "fuzz")
{
    return FuzzCommand.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
