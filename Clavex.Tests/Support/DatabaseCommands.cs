using System.Collections.Concurrent;
using System.Diagnostics;

namespace Clavex.Tests.Support;

/// <summary>
/// Counts a request's database round trips rather than timing it: the request is sent under a trace id of its own
/// (a W3C <c>traceparent</c> header the server continues), and every Npgsql command traced under that id is one round
/// trip (a batch of statements is one command). Other requests and background writers run under other traces.
/// </summary>
internal static class DatabaseCommands
{
    /// <summary>Sends the request <paramref name="send"/> builds with the given <c>traceparent</c>; returns the SQL of each command it ran.</summary>
    public static async Task<IReadOnlyList<string>> OfAsync(Func<string, Task> send)
    {
        ActivityTraceId traceId = ActivityTraceId.CreateRandom();
        var commands = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Commands only: a physical connection opened for the pool ("CONNECT <database>") is not per request.
                if (activity.Source.Name == "Npgsql" && activity.TraceId == traceId && !activity.OperationName.StartsWith("CONNECT", StringComparison.Ordinal))
                {
                    commands.Enqueue(activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await send($"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        return [.. commands];
    }

    /// <summary>How many commands <see cref="OfAsync"/> counted.</summary>
    public static async Task<int> CountAsync(Func<string, Task> send) => (await OfAsync(send)).Count;
}
