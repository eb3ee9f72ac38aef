namespace Clavex.Tests.Interop;

/// <summary>Where the interop tests' non-.NET parts live in the source tree, and how to find programs on PATH.</summary>
internal static class InteropPaths
{
    /// <summary>Clavex.Tests/Interop/node of the checkout the test assembly was built from.</summary>
    public static string NodeProject => Path.Combine(RepositoryRoot(), "Clavex.Tests", "Interop", "node");

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Clavex.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Clavex.sln above {AppContext.BaseDirectory}.");
    }
}
