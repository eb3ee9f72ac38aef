using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Clavex.Benchmarks.Load;

/// <summary>
/// <c>load</c>: N keep-alive workers drive one scenario against a running Clavex for a fixed time, after a warm-up,
/// then stop; the report gives iterations per second, latency percentiles and failures by step, status and error,
/// and with <c>--floor</c> the rate as a fraction of the RS256 signing ceiling measured in the same run.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        (LoadOptions? options, string? error) = LoadOptions.Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync(error + Environment.NewLine + Environment.NewLine + LoadOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        // The limits are raised for the scenario's one address, except where a flood should meet them: login (which
        // sends no token requests and only right passwords) runs beside a flood at the default limits; a token scenario
        // needs them raised, so a flood beside it is limited only by its sign-in failures.
        bool raiseLimits = options.Flood is null || options.Scenario != "login";
        BenchTarget target = await BenchTarget.CreateAsync(options.Url, options.AdminToken, raiseLimits, keepSignInLimits: options.Flood == "bad-password", cancel.Token);
        Console.WriteLine($"Organisation {target.Slug} at {options.Url}; scenario {options.Scenario}, {options.Duration.TotalSeconds:0} s after {options.Warmup.TotalSeconds:0} s of warm-up"
            + (options.Flood is string flood
                ? $", beside a {flood} flood of {options.FloodConcurrency} workers from {FloodWorker.Address}{(options.FloodRate is int rate ? $" paced to {rate}/s" : string.Empty)}."
                : "."));
        var runs = new List<LoadRun>();
        foreach (int concurrency in options.Concurrency)
        {
            LoadRun run = await RunOnceAsync(options, target, concurrency, cancel.Token);
            runs.Add(run);
            Console.WriteLine($"  {concurrency,4} workers: {run.PerSecond,9:0.0}/s  p50 {run.P50Ms:0.00} ms  p99 {run.P99Ms:0.00} ms  failures {run.Failed}");
            if (run.Flood is LoadRun floodRun)
            {
                Console.WriteLine($"       flood: {floodRun.Failed / options.Duration.TotalSeconds,9:0.0}/s answered: {string.Join(", ", floodRun.Failures.Select(f => $"{f.Value} × {f.Key}"))}");
            }
        }

        double? floor = options.Floor ? MeasureSigningRate(options.Duration) : null;
        var report = new LoadReport(options.Scenario, options.Url.AbsoluteUri, Environment.ProcessorCount, options.Duration.TotalSeconds, floor,
            LoadWorker.SignaturesPer(options.Scenario), runs) { Flood = options.Flood };
        string markdown = report.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.Out is string prefix)
        {
            await File.WriteAllTextAsync(prefix + ".json", JsonSerializer.Serialize(report, LoadReport.JsonOptions), cancel.Token);
            await File.WriteAllTextAsync(prefix + ".md", markdown, cancel.Token);
            if (options.Sweep)
            {
                await File.WriteAllTextAsync(prefix + ".svg", report.ToSvg(), cancel.Token);
            }
        }

        return runs.Exists(r => r.Completed == 0) ? 1 : 0;
    }

    private static async Task<LoadRun> RunOnceAsync(LoadOptions options, BenchTarget target, int concurrency, CancellationToken cancellationToken)
    {
        var workers = new LoadWorker[concurrency];
        using var setup = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
        {
            await setup.WaitAsync(cancellationToken);
            try
            {
                workers[i] = LoadWorker.Create(options.Scenario, target);
                if (await workers[i].PrepareAsync(cancellationToken) is string failure)
                {
                    throw new InvalidOperationException($"Preparing worker {i} failed: {failure}");
                }
            }
            finally
            {
                setup.Release();
            }
        }));

        var flooders = new LoadWorker[options.Flood is null ? 0 : options.FloodConcurrency];
        for (int i = 0; i < flooders.Length; i++)
        {
            flooders[i] = FloodWorker.CreateFlood(options.Flood!, target);
            if (await flooders[i].PrepareAsync(cancellationToken) is string failure)
            {
                throw new InvalidOperationException($"Preparing flood worker {i} failed: {failure}");
            }
        }

        long measureFrom = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        long measureTo = measureFrom + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        var results = new WorkerResult[concurrency];
        var floodResults = new WorkerResult[flooders.Length];
        // Each flood worker's share of --flood-rate, as the time between the starts of its requests.
        long floodPace = options.FloodRate is int floodRate ? (long)((double)flooders.Length / floodRate * Stopwatch.Frequency) : 0;
        IntervalMonitor? monitor = options.Interval is TimeSpan every
            ? new IntervalMonitor(every, options.MetricsUrl ?? new Uri(options.Url, "/metrics"))
            : null;
        try
        {
            Task measured = Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
                results[i] = await DriveAsync(workers[i], measureFrom, measureTo, monitor, 0, cancellationToken), cancellationToken)));
            Task flooding = Task.WhenAll(Enumerable.Range(0, flooders.Length).Select(i => Task.Run(async () =>
                floodResults[i] = await DriveAsync(flooders[i], measureFrom, measureTo, null, floodPace, cancellationToken), cancellationToken)));
            Task monitoring = monitor?.RunAsync(measureFrom, measureTo, cancellationToken) ?? Task.CompletedTask;
            await Task.WhenAll(measured, flooding, monitoring);
        }
        finally
        {
            foreach (LoadWorker worker in workers.Concat(flooders))
            {
                worker?.Dispose();
            }
        }

        return LoadRun.From(concurrency, options.Duration.TotalSeconds, results) with
        {
            Flood = flooders.Length == 0 ? null : LoadRun.From(flooders.Length, options.Duration.TotalSeconds, floodResults),
            Intervals = monitor?.Samples,
        };
    }

    /// <summary>
    /// Iterations back to back (or, with a <paramref name="pace"/> in stopwatch ticks, one per pace, on a fixed
    /// schedule) until the window ends; only those that start and end inside it count.
    /// </summary>
    private static async Task<WorkerResult> DriveAsync(
        LoadWorker worker, long measureFrom, long measureTo, IntervalMonitor? monitor, long pace, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(4096);
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        long scheduled = Stopwatch.GetTimestamp() + Random.Shared.NextInt64(Math.Max(1, pace));
        while (!cancellationToken.IsCancellationRequested)
        {
            if (pace > 0)
            {
                TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                scheduled += pace;
            }

            long start = Stopwatch.GetTimestamp();
            if (start >= measureTo)
            {
                break;
            }

            string? failure;
            try
            {
                failure = await worker.RunOnceAsync(cancellationToken);
            }
            catch (HttpRequestException e)
            {
                failure = "transport " + (e.HttpRequestError.ToString());
            }

            long end = Stopwatch.GetTimestamp();
            if (start < measureFrom || end > measureTo)
            {
                continue;
            }

            if (failure is null)
            {
                double milliseconds = (end - start) * 1000.0 / Stopwatch.Frequency;
                latencies.Add(milliseconds);
                monitor?.Add(milliseconds);
            }
            else
            {
                failures[failure] = failures.GetValueOrDefault(failure) + 1;
            }
        }

        return new WorkerResult(latencies, failures);
    }

    /// <summary>
    /// RS256 (RSA-2048, PKCS#1 v1.5, SHA-256) signatures per second on one thread of this process over a payload the
    /// size of an ID token's: the most a server on one such core could issue if signing were all it did.
    /// </summary>
    private static double MeasureSigningRate(TimeSpan duration)
    {
        using var rsa = RSA.Create(2048);
        byte[] payload = Encoding.ASCII.GetBytes(new string('x', 700));
        var signature = new byte[256];
        for (int i = 0; i < 200; i++)
        {
            rsa.TrySignData(payload, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out _);
        }

        long count = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            rsa.TrySignData(payload, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out _);
            count++;
        }

        double rate = count / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  RS256 floor: {rate:0} signatures/s on one thread"));
        return rate;
    }
}

internal sealed record WorkerResult(List<double> Latencies, Dictionary<string, int> Failures);
