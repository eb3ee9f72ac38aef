using System.Globalization;
using System.Text.RegularExpressions;

namespace Clavex.Tests.Docs;

/// <summary>
/// The ```sh blocks of README.md and docs/*.md with the <c>&lt;!-- docs-runner: … --&gt;</c> markers right above
/// each (the syntax is in the README's testing paragraph), and every way a command could escape the runner: a
/// marker that is not right above a ```sh fence, an unknown marker, a skip without a reason, a shell block
/// fenced as ```bash.
/// </summary>
internal static partial class DocCommands
{
    /// <summary>The variables a marker may ask the runner for (<c>env</c>, <c>replace … by $NAME</c>).</summary>
    public static readonly IReadOnlySet<string> RunnerVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "ADMIN_TOKEN", "CLAVEX_ADMIN_TOKEN", "CLAVEX_PUBLIC_BASE_URL", "CLAVEX_CONNECTION_STRING", "CLAVEX_MASTER_KEY",
        "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD",
    };

    private static readonly string[] ShellLanguages = ["bash", "shell", "console", "zsh", "shell-session", "shellsession"];

    // A plain fence is an output sample; one that starts like a command is a command fenced the wrong way.
    private static readonly string[] CommandStarts = ["curl ", "dotnet ", "psql ", "sudo ", "export ", "docker ", "$ "];

    /// <summary>README.md and docs/*.md (not docs/deploy/), relative to the repository root, with '/' separators.</summary>
    public static IReadOnlyList<string> Files()
    {
        string root = RepositoryRoot();
        var files = new List<string> { "README.md" };
        foreach (string path in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.TopDirectoryOnly))
        {
            files.Add("docs/" + Path.GetFileName(path));
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    public static DocFile Read(string file)
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), file));
        var blocks = new List<CommandBlock>();
        var problems = new List<string>();
        var pending = new List<(int Line, string Text)>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match marker = MarkerLine().Match(lines[i]);
            if (marker.Success)
            {
                pending.Add((i + 1, marker.Groups["text"].Value));
                continue;
            }

            Match fence = OpeningFence().Match(lines[i]);
            if (!fence.Success)
            {
                if (pending.Count > 0)
                {
                    problems.Add($"{file}:{pending[0].Line}: a docs-runner marker must be right above a ```sh fence.");
                    pending.Clear();
                }

                continue;
            }

            int indent = fence.Groups["indent"].Length;
            string language = fence.Groups["info"].Value;
            int start = i + 1;
            var body = new List<string>();
            for (i++; i < lines.Length && !ClosingFence().IsMatch(lines[i]); i++)
            {
                body.Add(Dedent(lines[i], indent));
            }

            if (language == "sh")
            {
                BlockMarkers markers = ParseMarkers(file, pending, problems);
                blocks.Add(new CommandBlock(file, start, string.Join('\n', body), markers));
            }
            else
            {
                if (pending.Count > 0)
                {
                    problems.Add($"{file}:{pending[0].Line}: a docs-runner marker must be right above a ```sh fence, not ```{language}.");
                }

                if (ShellLanguages.Contains(language, StringComparer.OrdinalIgnoreCase))
                {
                    problems.Add($"{file}:{start}: a shell block fenced as ```{language}: fence commands as ```sh so the docs runner runs them.");
                }

                string? first = body.FirstOrDefault(l => l.Trim().Length > 0)?.TrimStart();
                if (language.Length == 0 && first is not null && CommandStarts.Any(c => first.StartsWith(c, StringComparison.Ordinal)))
                {
                    problems.Add($"{file}:{start}: a plain ``` block that starts with a command ('{first}'): fence commands as ```sh so the docs runner runs them.");
                }
            }

            pending.Clear();
        }

        if (pending.Count > 0)
        {
            problems.Add($"{file}:{pending[0].Line}: a docs-runner marker must be right above a ```sh fence.");
        }

        return new DocFile(file, blocks, problems);
    }

    public static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clavex.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Clavex.sln above {AppContext.BaseDirectory}.");
    }

    private static BlockMarkers ParseMarkers(string file, List<(int Line, string Text)> pending, List<string> problems)
    {
        string? skip = null;
        var expectations = new List<StatusExpectation>();
        var environment = new List<string>();
        var replacements = new List<Replacement>();
        foreach ((int line, string text) in pending)
        {
            Match match;
            if ((match = SkipMarker().Match(text)).Success)
            {
                skip = match.Groups["reason"].Value.Trim();
                if (skip.Length == 0)
                {
                    problems.Add($"{file}:{line}: 'skip' needs a reason: <!-- docs-runner: skip: why it cannot run here -->.");
                }
            }
            else if ((match = ExpectMarker().Match(text)).Success)
            {
                string on = match.Groups["on"].Value.Trim();
                expectations.Add(new StatusExpectation(int.Parse(match.Groups["status"].Value, CultureInfo.InvariantCulture), on.Length == 0 ? null : on));
            }
            else if ((match = EnvMarker().Match(text)).Success)
            {
                foreach (string name in match.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (RunnerVariables.Contains(name))
                    {
                        environment.Add(name);
                    }
                    else
                    {
                        problems.Add($"{file}:{line}: the runner provides no variable {name}; it provides {string.Join(", ", RunnerVariables)}.");
                    }
                }
            }
            else if ((match = ReplaceMarker().Match(text)).Success)
            {
                string name = match.Groups["name"].Value;
                if (RunnerVariables.Contains(name))
                {
                    replacements.Add(new Replacement(match.Groups["text"].Value, name));
                }
                else
                {
                    problems.Add($"{file}:{line}: the runner provides no variable {name}; it provides {string.Join(", ", RunnerVariables)}.");
                }
            }
            else
            {
                problems.Add($"{file}:{line}: unknown docs-runner marker '{text}' (skip: REASON, expect STATUS [on TEXT], env NAME…, replace TEXT by $NAME).");
            }
        }

        if (skip is not null && (expectations.Count > 0 || environment.Count > 0 || replacements.Count > 0))
        {
            problems.Add($"{file}:{pending[0].Line}: a skipped block takes no other marker.");
        }

        return new BlockMarkers(skip, expectations, environment, replacements);
    }

    private static string Dedent(string line, int indent)
    {
        int n = 0;
        while (n < indent && n < line.Length && line[n] == ' ')
        {
            n++;
        }

        return line[n..];
    }

    [GeneratedRegex(@"^\s*<!--\s*docs-runner:\s*(?<text>.*?)\s*-->\s*$")]
    private static partial Regex MarkerLine();

    [GeneratedRegex(@"^(?<indent> *)```(?<info>[^\s`]*)\s*$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^\s*```\s*$")]
    private static partial Regex ClosingFence();

    [GeneratedRegex(@"^skip(:(?<reason>.*))?$")]
    private static partial Regex SkipMarker();

    [GeneratedRegex(@"^expect (?<status>[1-5][0-9][0-9])( on (?<on>.+))?$")]
    private static partial Regex ExpectMarker();

    [GeneratedRegex(@"^env (?<names>[A-Z_ ]+)$")]
    private static partial Regex EnvMarker();

    [GeneratedRegex(@"^replace (?<text>.+) by \$(?<name>[A-Z_]+)$")]
    private static partial Regex ReplaceMarker();
}

internal sealed record DocFile(string Name, IReadOnlyList<CommandBlock> Blocks, IReadOnlyList<string> Problems);

/// <summary>One ```sh block; <see cref="Line"/> is the line of its opening fence.</summary>
internal sealed record CommandBlock(string File, int Line, string Text, BlockMarkers Markers)
{
    public bool Runs => Markers.SkipReason is null;
}

internal sealed record BlockMarkers(
    string? SkipReason, IReadOnlyList<StatusExpectation> Expectations, IReadOnlyList<string> Environment, IReadOnlyList<Replacement> Replacements);

/// <summary>Every curl of the block (or, with <see cref="On"/>, those whose arguments contain it) answers <see cref="Status"/>.</summary>
internal sealed record StatusExpectation(int Status, string? On);

/// <summary>The placeholder <see cref="Text"/> of the block is run as the single-quoted value of the runner's variable.</summary>
internal sealed record Replacement(string Text, string Variable);
