namespace Clavex.Server.Login;

/// <summary>
/// The single writer of <see cref="LoginAttempts"/>: applies queued sign-in attempts one at a time, in order; on
/// shutdown it applies what is left before stopping.
/// </summary>
public sealed partial class LoginAttemptWriter(LoginAttempts attempts, ILogger<LoginAttemptWriter> logger) : BackgroundService
{
    private const int MaxAttempts = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await attempts.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: apply whatever is still queued.
        }

        attempts.Complete();
        await DrainAsync();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        attempts.Complete();
        await base.StopAsync(cancellationToken);
    }

    private async Task DrainAsync()
    {
        while (attempts.Reader.TryRead(out LoginAttempts.Attempt? attempt))
        {
            await ApplyAsync(attempt);
        }
    }

    private async Task ApplyAsync(LoginAttempts.Attempt attempt)
    {
        for (int tries = 1; ; tries++)
        {
            try
            {
                bool result = await attempts.ApplyAsync(attempt, CancellationToken.None);
                attempt.Done?.TrySetResult(result);
                return;
            }
            catch (Npgsql.NpgsqlException exception) when (tries < MaxAttempts)
            {
                LogRetry(logger, attempt.Kind.ToString(), attempt.Subject, tries, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(tries), CancellationToken.None);
            }
            catch (Exception exception)
            {
                // Whatever went wrong, the writer must go on: a waiting sign-in gets the error, the queue keeps moving.
                LogGaveUp(logger, attempt.Kind.ToString(), attempt.Subject, exception.Message);
                attempt.Done?.TrySetException(exception);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording a sign-in {Kind} of {Subject} failed (attempt {Attempt}): {Reason}; retrying")]
    private static partial void LogRetry(ILogger logger, string kind, string? subject, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording a sign-in {Kind} of {Subject} failed for good: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string kind, string? subject, string reason);
}
