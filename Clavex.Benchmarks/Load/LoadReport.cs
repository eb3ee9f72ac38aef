using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clavex.Benchmarks.Load;

/// <summary>One measured run at one concurrency.</summary>
internal sealed record LoadRun(
    int Concurrency, long Completed, long Failed, double PerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs,
    IReadOnlyDictionary<string, int> Failures)
{
    /// <summary>With <c>--flood</c>: what the flood's requests were answered (its "failures" are the answers).</summary>
    public LoadRun? Flood { get; init; }

    /// <summary>With <c>--interval</c>: one sample per interval of the run.</summary>
    public IReadOnlyList<IntervalSample>? Intervals { get; init; }

    public static LoadRun From(int concurrency, double seconds, IReadOnlyList<WorkerResult> results)
    {
        var latencies = new List<double>();
        var failures = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (WorkerResult result in results)
        {
            latencies.AddRange(result.Latencies);
            foreach ((string key, int count) in result.Failures)
            {
                failures[key] = failures.GetValueOrDefault(key) + count;
            }
        }

        latencies.Sort();
        return new LoadRun(
            concurrency, latencies.Count, failures.Values.Sum(), latencies.Count / seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.90), Percentile(latencies, 0.99), latencies.Count == 0 ? 0 : latencies[^1],
            failures);
    }

    // Nearest rank: the smallest latency at least that share of iterations did not exceed.
    private static double Percentile(List<double> sorted, double share) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>What a <c>load</c> command measured, as JSON, a markdown table, and (for a sweep) an SVG chart.</summary>
internal sealed record LoadReport(
    string Scenario, string Url, int ProcessorCount, double Seconds, double? Rs256SignaturesPerSecond, int SignaturesPerIteration,
    IReadOnlyList<LoadRun> Runs)
{
    public string? Flood { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The most iterations per second signing alone allows: the floor divided by the signatures each needs.</summary>
    public double? Ceiling => Rs256SignaturesPerSecond is double floor && SignaturesPerIteration > 0 ? floor / SignaturesPerIteration : null;

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"Scenario `{Scenario}`, {Seconds:0} s per run, {ProcessorCount} processor(s) visible to the load tool");
        if (Ceiling is double ceiling)
        {
            md.Append(CultureInfo.InvariantCulture, $"; RS256 floor {Rs256SignaturesPerSecond:0}/s, so the ceiling is {ceiling:0}/s ({SignaturesPerIteration} signature(s) per iteration)");
        }

        md.AppendLine().AppendLine();
        md.AppendLine("| workers | iterations/s | of ceiling | p50 ms | p90 ms | p99 ms | max ms | failures |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (LoadRun run in Runs)
        {
            string share = Ceiling is double c ? (run.PerSecond / c).ToString("P0", CultureInfo.InvariantCulture) : "–";
            string failures = run.Failed == 0 ? "0" : string.Join(", ", run.Failures.Select(f => $"{f.Value} × {f.Key}"));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Concurrency} | {run.PerSecond:0.0} | {share} | {run.P50Ms:0.00} | {run.P90Ms:0.00} | {run.P99Ms:0.00} | {run.MaxMs:0.00} | {failures} |");
        }

        foreach (LoadRun run in Runs)
        {
            if (run.Flood is LoadRun flood)
            {
                string answers = string.Join(", ", flood.Failures.Select(f => $"{f.Value} × {f.Key}"));
                md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
                    $"Beside {run.Concurrency} workers, a `{Flood}` flood of {flood.Concurrency} workers from {FloodWorker.Address}: {flood.Failed / Seconds:0.0} requests/s, answered {answers}.");
            }

            if (run.Intervals is { Count: > 0 } intervals)
            {
                md.AppendLine().AppendLine("| from s | iterations/s | p99 ms | working set MiB | GC heap MiB | audit queue |");
                md.AppendLine("|---:|---:|---:|---:|---:|---:|");
                foreach (IntervalSample sample in intervals)
                {
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {sample.FromSeconds:0} | {sample.PerSecond:0.0} | {sample.P99Ms:0.00} | {Mebibytes(sample.WorkingSetBytes)} | {Mebibytes(sample.GcHeapBytes)} | {sample.AuditQueueDepth?.ToString("0", CultureInfo.InvariantCulture) ?? "–"} |");
                }
            }
        }

        return md.ToString();
    }

    private static string Mebibytes(double? bytes) => bytes is double b ? (b / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) : "–";

    /// <summary>Throughput (left axis, blue) and p99 latency (right axis, orange) against the number of workers.</summary>
    public string ToSvg()
    {
        const int Width = 640, Height = 360, Left = 64, Right = 64, Top = 40, Bottom = 48;
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double maxRate = Math.Max(1, Runs.Max(r => r.PerSecond)) * 1.1;
        double maxP99 = Math.Max(0.001, Runs.Max(r => r.P99Ms)) * 1.1;
        double X(int i) => Left + (Runs.Count == 1 ? plotWidth / 2 : i * plotWidth / (Runs.Count - 1));
        double Y(double value, double max) => Top + plotHeight - (value / max * plotHeight);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">Clavex load: {Scenario}{(Ceiling is double c ? $" (signing ceiling {c:0}/s)" : string.Empty)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{Left} {Top}V{Top + plotHeight}H{Left + plotWidth}V{Top}\" fill=\"none\" stroke=\"#999\"/>\n");
        for (int i = 0; i < Runs.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.#}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{Runs[i].Concurrency}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">workers</text>\n");
        for (int tick = 0; tick <= 4; tick++)
        {
            double y = Top + plotHeight - (tick * plotHeight / 4);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" fill=\"#1d4ed8\">{maxRate * tick / 4:0}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth + 6}\" y=\"{y + 4:0.#}\" fill=\"#c2410c\">{maxP99 * tick / 4:0.#}</text>\n");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top - 8}\" fill=\"#1d4ed8\">iterations/s</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth}\" y=\"{Top - 8}\" text-anchor=\"end\" fill=\"#c2410c\">p99 ms</text>\n");
        if (Ceiling is double ceiling && ceiling < maxRate)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{Left} {Y(ceiling, maxRate):0.#}H{Left + plotWidth}\" stroke=\"#1d4ed8\" stroke-dasharray=\"4 4\"/>\n");
        }

        svg.Append("<polyline fill=\"none\" stroke=\"#1d4ed8\" stroke-width=\"2\" points=\"");
        svg.AppendJoin(' ', Runs.Select((r, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(r.PerSecond, maxRate):0.#}")));
        svg.Append("\"/>\n<polyline fill=\"none\" stroke=\"#c2410c\" stroke-width=\"2\" points=\"");
        svg.AppendJoin(' ', Runs.Select((r, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.#},{Y(r.P99Ms, maxP99):0.#}")));
        svg.Append("\"/>\n</svg>\n");
        return svg.ToString();
    }
}
