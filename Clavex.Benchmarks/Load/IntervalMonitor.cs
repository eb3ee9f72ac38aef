using System.Diagnostics;
using System.Globalization;

namespace Clavex.Benchmarks.Load;

/// <summary>One interval of a run: its rate and p99, and Clavex's memory at its end as its <c>/metrics</c> said.</summary>
internal sealed record IntervalSample(double FromSeconds, double PerSecond, double P99Ms, double? WorkingSetBytes, double? GcHeapBytes, double? AuditQueueDepth);

/// <summary>
/// <c>--interval</c>: every interval, the iterations that ended in it (rate and p99) and a scrape of Clavex's
/// <c>/metrics</c> for the runtime's working set and GC heap, so a long run shows whether throughput, latency and
/// memory stay flat.
/// </summary>
internal sealed class IntervalMonitor(TimeSpan every, Uri metricsUrl)
{
    // The runtime's System.Runtime meter, as the Prometheus exporter names it.
    private const string WorkingSet = "dotnet_process_memory_working_set_bytes";
    private const string GcHeap = "dotnet_gc_last_collection_heap_size_bytes";

    // Clavex's own: audit events waiting to be written. If it keeps growing, PostgreSQL is not keeping up.
    private const string AuditQueue = "clavex_audit_queue_depth";

    private readonly Lock _lock = new();
    private List<double> _current = new(8192);

    public List<IntervalSample> Samples { get; } = [];

    public void Add(double milliseconds)
    {
        lock (_lock)
        {
            _current.Add(milliseconds);
        }
    }

    public async Task RunAsync(long measureFrom, long measureTo, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureFrom) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, cancellationToken);
        lock (_lock)
        {
            _current.Clear();
        }

        long from = measureFrom;
        while (from < measureTo && !cancellationToken.IsCancellationRequested)
        {
            long to = Math.Min(measureTo, from + (long)(every.TotalSeconds * Stopwatch.Frequency));
            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), to);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, cancellationToken);
            }

            List<double> latencies;
            lock (_lock)
            {
                latencies = _current;
                _current = new List<double>(latencies.Count + 1024);
            }

            latencies.Sort();
            double seconds = (double)(to - from) / Stopwatch.Frequency;
            double p99 = latencies.Count == 0 ? 0 : latencies[Math.Clamp((int)Math.Ceiling(0.99 * latencies.Count) - 1, 0, latencies.Count - 1)];
            (double? workingSet, double? heap, double? queue) = await ScrapeAsync(http, cancellationToken);
            var sample = new IntervalSample((double)(from - measureFrom) / Stopwatch.Frequency, latencies.Count / seconds, p99, workingSet, heap, queue);
            Samples.Add(sample);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {sample.FromSeconds,6:0} s: {sample.PerSecond,9:0.0}/s  p99 {sample.P99Ms:0.00} ms  working set {Mib(workingSet)}  GC heap {Mib(heap)}  audit queue {queue?.ToString("0", CultureInfo.InvariantCulture) ?? "–"}"));
            from = to;
        }
    }

    private async Task<(double? WorkingSet, double? Heap, double? AuditQueue)> ScrapeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await http.GetStringAsync(metricsUrl, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return (null, null, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null, null);
        }

        double? workingSet = null, heap = null, queue = null;
        foreach (string line in text.Split('\n'))
        {
            if (Sample(line, WorkingSet) is double w)
            {
                workingSet = w;
            }
            else if (Sample(line, GcHeap) is double h)
            {
                // One series per generation: the heap is their sum.
                heap = (heap ?? 0) + h;
            }
            else if (Sample(line, AuditQueue) is double q)
            {
                queue = q;
            }
        }

        return (workingSet, heap, queue);
    }

    // "name value" or "name{labels} value", optionally followed by a timestamp.
    private static double? Sample(string line, string name)
    {
        if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || (line[name.Length] != ' ' && line[name.Length] != '{'))
        {
            return null;
        }

        int valueStart = line.IndexOf(' ', line.LastIndexOf('}') is int brace and >= 0 ? brace : name.Length) + 1;
        string[] parts = line[valueStart..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
    }

    private static string Mib(double? bytes) => bytes is double b ? (b / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "–";
}
