using System.ComponentModel;
using System.Diagnostics;

namespace Clavex.Server.Storage.Embedded;

/// <summary>Runs a program to completion and captures what it printed, for error messages.</summary>
internal static class ExternalCommand
{
    internal sealed record Result(int ExitCode, string Output)
    {
        public bool Succeeded => ExitCode == 0;
    }

    // runAsUser goes through runuser, which only root may use: the one case it is needed for, since
    // PostgreSQL refuses to run as root.
    public static async Task<Result> RunAsync(
        string program, IEnumerable<string> arguments, string? runAsUser, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // A start directory the target user cannot enter (root's home) makes the PostgreSQL tools complain.
            WorkingDirectory = "/",
        };

        if (runAsUser is null)
        {
            startInfo.FileName = program;
        }
        else
        {
            startInfo.FileName = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";
            startInfo.ArgumentList.Add("-u");
            startInfo.ArgumentList.Add(runAsUser);
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new LocalPostgresException($"Could not run {startInfo.FileName}: {e.Message}", e);
        }

        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var output = string.Concat(await stdout, await stderr).TrimEnd();
            return new Result(process.ExitCode, output);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}
