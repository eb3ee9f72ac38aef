using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Clavex.Tests.Docs;

/// <summary>
/// Runs the ```sh blocks of one doc file in order, in one <c>bash -euo pipefail</c> process (so a variable one
/// block sets is there for the next), in an empty scratch directory, and reports each block's exit and each
/// request's HTTP status.
/// </summary>
/// <remarks>
/// The docs write Clavex's public URL, <c>https://id.acme.eu</c>. The script defines <c>curl</c> as a function that
/// sends to the test server instead and records the status on the side (curl's write-out, to standard error, taken
/// out again), so what a command prints to standard output, which the docs pipe into jq, grep and awk, is unchanged.
/// <c>dotnet Clavex.Server.dll …</c> runs the server build the tests were built with.
/// </remarks>
internal static class DocsRunner
{
    public const string PublicBaseUrl = "https://id.acme.eu";

    private const string BlockSeparator = "@@docs-runner block ";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    // The runner's own functions; DOCS_* are set in the process environment.
    private const string Prelude = """
        exec 2>&1
        DOCS_BLOCK=0
        trap 'printf "exit\t%s\t%s\n" "$DOCS_BLOCK" "$?" >> "$DOCS_PROGRESS"' EXIT

        curl() {
            local args=() arg err status rc=0 request
            for arg in "$@"; do args+=("${arg//https:\/\/id.acme.eu/$DOCS_BASE_URL}"); done
            err=$(mktemp "$DOCS_SCRATCH/.curl.XXXXXX")
            command curl --no-progress-meter "${args[@]}" -w "%{stderr}\n@@docs-runner-status %{http_code}\n" 2>"$err" || rc=$?
            status=$(sed -n 's/^@@docs-runner-status //p' "$err")
            grep -v -e '^@@docs-runner-status ' -e '^$' "$err" >&2 || true
            rm -f "$err"
            request="$*"; request=${request//$'\n'/ }; request=${request//$'\t'/ }
            printf '%s\t%s\t%s\n' "$DOCS_BLOCK" "${status:-000}" "$request" >> "$DOCS_STATUSES"
            return "$rc"
        }

        dotnet() {
            local args=() arg
            for arg in "$@"; do [[ $arg == Clavex.Server.dll ]] && arg=$DOCS_SERVER_DLL; args+=("$arg"); done
            command dotnet "${args[@]}"
        }

        """;

    /// <summary>The server build of this test run: Clavex.Server/bin/{configuration}/net10.0/Clavex.Server.dll.</summary>
    public static string ServerDll()
    {
        string configuration = typeof(DocsRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string dll = Path.Combine(DocCommands.RepositoryRoot(), "Clavex.Server", "bin", configuration, "net10.0", "Clavex.Server.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is not built (the tests build it as a project reference).");
    }

    public static async Task<DocRun> RunAsync(IReadOnlyList<CommandBlock> blocks, Uri baseUrl, IReadOnlyDictionary<string, string> variables)
    {
        string scratch = Path.Combine(Path.GetTempPath(), "clavex-docs-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(scratch);
        try
        {
            string script = Path.Combine(scratch, ".docs-runner.sh");
            string progress = Path.Combine(scratch, ".docs-progress");
            string statuses = Path.Combine(scratch, ".docs-statuses");
            await File.WriteAllTextAsync(script, Script(blocks, variables));
            await File.WriteAllTextAsync(progress, string.Empty);
            await File.WriteAllTextAsync(statuses, string.Empty);

            var start = new ProcessStartInfo("bash", ["-euo", "pipefail", script])
            {
                WorkingDirectory = scratch,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };

            // Nothing of the test run's own configuration reaches the commands: only what a marker asks for.
            foreach (string name in start.Environment.Keys.ToList())
            {
                if (name.StartsWith("CLAVEX_", StringComparison.Ordinal) || name.StartsWith("PG", StringComparison.Ordinal) || name == "ADMIN_TOKEN")
                {
                    start.Environment.Remove(name);
                }
            }

            start.Environment["DOCS_BASE_URL"] = baseUrl.GetLeftPart(UriPartial.Authority);
            start.Environment["DOCS_SCRATCH"] = scratch;
            start.Environment["DOCS_PROGRESS"] = progress;
            start.Environment["DOCS_STATUSES"] = statuses;
            start.Environment["DOCS_SERVER_DLL"] = ServerDll();
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

            using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            bool timedOut = false;
            using (var timeout = new CancellationTokenSource(Timeout))
            {
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    timedOut = true;
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }

            return new DocRun(
                blocks, (await output) + await errors, timedOut,
                ReadProgress(await File.ReadAllLinesAsync(progress)), ReadStatuses(await File.ReadAllLinesAsync(statuses)));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string Script(IReadOnlyList<CommandBlock> blocks, IReadOnlyDictionary<string, string> variables)
    {
        var script = new StringBuilder(Prelude);
        for (int i = 0; i < blocks.Count; i++)
        {
            CommandBlock block = blocks[i];
            int number = i + 1;
            script.Append(CultureInfo.InvariantCulture, $"\nDOCS_BLOCK={number}\nprintf '\\n{BlockSeparator}{number}\\n'\n");
            foreach (string name in block.Markers.Environment)
            {
                script.Append(CultureInfo.InvariantCulture, $"export {name}={Quote(variables[name])}\n");
            }

            string text = block.Text;
            foreach (Replacement replacement in block.Markers.Replacements)
            {
                text = text.Replace(replacement.Text, Quote(variables[replacement.Variable]), StringComparison.Ordinal);
            }

            script.Append(text).Append(CultureInfo.InvariantCulture, $"\nprintf 'done\\t%s\\n' {number} >> \"$DOCS_PROGRESS\"\n");
        }

        return script.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static DocProgress ReadProgress(string[] lines)
    {
        var done = new HashSet<int>();
        (int Block, int ExitCode)? exit = null;
        foreach (string[] fields in lines.Select(l => l.Split('\t')))
        {
            if (fields is ["done", var block])
            {
                done.Add(int.Parse(block, CultureInfo.InvariantCulture));
            }
            else if (fields is ["exit", var block2, var code])
            {
                exit = (int.Parse(block2, CultureInfo.InvariantCulture), int.Parse(code, CultureInfo.InvariantCulture));
            }
        }

        return new DocProgress(done, exit);
    }

    private static List<RecordedRequest> ReadStatuses(string[] lines)
    {
        var requests = new List<RecordedRequest>();
        foreach (string line in lines)
        {
            string[] fields = line.Split('\t', 3);
            if (fields.Length == 3)
            {
                requests.Add(new RecordedRequest(int.Parse(fields[0], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]));
            }
        }

        return requests;
    }

    /// <summary>What block <paramref name="number"/> (1-based among the run blocks) printed.</summary>
    public static string OutputOf(string output, int number)
    {
        string separator = BlockSeparator + number.ToString(CultureInfo.InvariantCulture) + "\n";
        int start = output.IndexOf(separator, StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        start += separator.Length;
        int end = output.IndexOf("\n" + BlockSeparator, start, StringComparison.Ordinal);
        return end < 0 ? output[start..] : output[start..end];
    }
}

internal sealed record DocProgress(IReadOnlySet<int> Done, (int Block, int ExitCode)? Exit);

/// <summary>One curl of block <see cref="Block"/>: its status (0 when no answer came) and its arguments as the doc wrote them.</summary>
internal sealed record RecordedRequest(int Block, int Status, string Arguments);

internal sealed record DocRun(IReadOnlyList<CommandBlock> Blocks, string Output, bool TimedOut, DocProgress Progress, IReadOnlyList<RecordedRequest> Requests)
{
    /// <summary>Every way a block did not work as written, each naming the file, the line and what the block printed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        for (int i = 0; i < Blocks.Count; i++)
        {
            CommandBlock block = Blocks[i];
            int number = i + 1;
            string where = $"{block.File}:{block.Line}";
            string printed = DocsRunner.OutputOf(Output, number).TrimEnd();
            if (!Progress.Done.Contains(number))
            {
                if (Progress.Exit is { } exit && exit.Block == number)
                {
                    problems.Add(TimedOut
                        ? $"{where}: the block did not finish within the timeout.\n{printed}"
                        : $"{where}: the block exited with {exit.ExitCode}.\n{block.Text}\n--- output:\n{printed}");
                }

                // A later block was not reached: the failure above says why.
                continue;
            }

            RecordedRequest[] requests = Requests.Where(r => r.Block == number).ToArray();
            var wrong = new List<string>();
            foreach (StatusExpectation expectation in block.Markers.Expectations)
            {
                if (!requests.Any(r => expectation.On is null || r.Arguments.Contains(expectation.On, StringComparison.Ordinal)))
                {
                    wrong.Add($"'expect {expectation.Status}{(expectation.On is null ? "" : " on " + expectation.On)}' matches no curl of the block.");
                }
            }

            foreach (RecordedRequest request in requests)
            {
                StatusExpectation? expected = block.Markers.Expectations.LastOrDefault(e => e.On is not null && request.Arguments.Contains(e.On, StringComparison.Ordinal))
                    ?? block.Markers.Expectations.LastOrDefault(e => e.On is null);
                bool works = expected is null ? request.Status is >= 200 and < 400 : request.Status == expected.Status;
                if (!works)
                {
                    string wanted = expected is null ? "2xx or 3xx" : expected.Status.ToString(CultureInfo.InvariantCulture);
                    wrong.Add($"curl {Shorten(request.Arguments, 300)}\n  answered {request.Status}, expected {wanted}.");
                }
            }

            if (wrong.Count > 0)
            {
                problems.Add($"{where}:\n{string.Join('\n', wrong)}\n--- output of the block:\n{Shorten(printed, 4000)}");
            }
        }

        if (Progress.Exit is null && !TimedOut)
        {
            problems.Add($"{Blocks[0].File}: the runner's script did not record its exit.\n{Output}");
        }

        return problems;
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + " …";
}
