using System.Diagnostics;
using System.Net;
using System.Text;
using Clavex.Tests.Docs;

namespace Clavex.Tests.Support;

/// <summary>
/// Clavex as operators run it: <c>dotnet Clavex.Server.dll start</c> in its own process, configured only through
/// <c>CLAVEX_*</c> variables, so a test can kill it as the kernel would (SIGKILL) and start it again.
/// </summary>
internal sealed class ClavexProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private ClavexProcess(Process process, StringBuilder output)
    {
        _process = process;
        _output = output;
    }

    /// <summary>What the process wrote to standard output and error so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>Clavex.Server.dll start</c> listening on <paramref name="baseUrl"/>, its public URL too, and waits
    /// until <c>/readyz</c> answers 200.
    /// </summary>
    public static async Task<ClavexProcess> StartAsync(Uri baseUrl, string connectionString, ReadOnlyMemory<byte> masterKey)
    {
        var start = new ProcessStartInfo("dotnet", [DocsRunner.ServerDll(), "start", "--urls", baseUrl.AbsoluteUri])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string name in start.Environment.Keys.ToList())
        {
            if (name.StartsWith("CLAVEX_", StringComparison.Ordinal))
            {
                start.Environment.Remove(name);
            }
        }

        start.Environment["CLAVEX_PUBLIC_BASE_URL"] = baseUrl.AbsoluteUri;
        start.Environment["CLAVEX_CONNECTION_STRING"] = connectionString;
        start.Environment["CLAVEX_MASTER_KEY"] = Convert.ToBase64String(masterKey.Span);
        start.Environment["CLAVEX_ADMIN_TOKEN"] = ClavexTestServer.AdminToken;
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new ClavexProcess(process, output);
        try
        {
            await started.WaitUntilReadyAsync(baseUrl);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, connections cut mid-request. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(Uri baseUrl)
    {
        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Clavex exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using HttpResponseMessage ready = await client.GetAsync("/readyz");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }

            // Polling a process that is starting: the wait is for readiness, not for correctness.
            await Task.Delay(100);
        }

        throw new TimeoutException($"Clavex was not ready within {ReadyTimeout}:\n{Output}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
