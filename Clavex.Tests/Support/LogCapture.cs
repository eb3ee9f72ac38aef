using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Clavex.Tests.Support;

/// <summary>A logger provider that keeps every message formatted, for tests of what an operator reads in the log.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _messages = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _waiting = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The first message containing <paramref name="text"/>, once it is logged (or the one already logged).</summary>
    public Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        TaskCompletionSource<string> source = _waiting.GetOrAdd(text, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        foreach (var (_, _, message) in _messages)
        {
            if (message.Contains(text, StringComparison.Ordinal))
            {
                source.TrySetResult(message);
            }
        }

        return source.Task.WaitAsync(timeout);
    }

    public void Dispose()
    {
    }

    private void Add(string category, LogLevel level, string message)
    {
        _messages.Enqueue((category, level, message));
        foreach (var (text, source) in _waiting)
        {
            if (message.Contains(text, StringComparison.Ordinal))
            {
                source.TrySetResult(message);
            }
        }
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                // With the exception as the console logger writes it, so a test sees a stack trace where one is logged.
                capture.Add(category, logLevel, exception is null ? formatter(state, exception) : formatter(state, exception) + Environment.NewLine + exception);
            }
        }
    }
}
