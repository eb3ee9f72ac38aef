namespace Clavex.Server.Http;

/// <summary>
/// Logs requests that failed because the database did not answer: one warning line, without a stack trace, at most
/// every <see cref="Interval"/>, saying how many more failed since the last line. Under load an outage fails
/// thousands of requests a second, and a line (with a trace) for each would bury everything else in the log.
/// </summary>
public sealed partial class OutageLog(TimeProvider timeProvider, ILogger<OutageLog> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private DateTimeOffset? _lastLine;
    private long _unlogged;

    public void Failed(HttpContext context, Exception exception, string reference)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(exception);
        DateTimeOffset now = timeProvider.GetUtcNow();
        long more;
        lock (_lock)
        {
            if (_lastLine is { } last && now - last < Interval)
            {
                _unlogged++;
                return;
            }

            _lastLine = now;
            more = _unlogged;
            _unlogged = 0;
        }

        // A transient Npgsql failure's message names the host and the cause, never the password.
        LogUnavailable(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, reference,
            exception.GetType().Name, exception.Message.Split('\n')[0], more);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Database unavailable: {Method} {Path} answered 503 (reference {Reference}): {ExceptionType}: {Reason}; {More} more failed since the last such line")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reference, string exceptionType, string reason, long more);
}
