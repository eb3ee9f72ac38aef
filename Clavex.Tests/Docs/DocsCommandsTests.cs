using Clavex.Core.Clients;
using Clavex.Server.Hosting;
using Clavex.Tests.Support;
using Npgsql;

namespace Clavex.Tests.Docs;

/// <summary>
/// Issue 15: every command of README.md and docs/*.md is run against a real Clavex on a fresh database with the
/// <c>start-dev</c> seed, and works as written; a command that cannot run here is skipped with its reason in the doc.
/// </summary>
public sealed class DocsCommandsTests
{
    public static IEnumerable<TestCaseData> DocFiles() =>
        DocCommands.Files().Select(file => new TestCaseData(file).SetArgDisplayNames(file));

    [Test]
    public void Every_shell_block_is_run_or_skipped_with_a_reason()
    {
        var problems = new List<string>();
        foreach (string file in DocCommands.Files())
        {
            problems.AddRange(DocCommands.Read(file).Problems);
        }

        Assert.That(problems, Is.Empty, string.Join('\n', problems));
    }

    [TestCaseSource(nameof(DocFiles))]
    public async Task The_commands_of_the_doc_work_as_written(string file)
    {
        DocFile doc = DocCommands.Read(file);
        CommandBlock[] run = doc.Blocks.Where(b => b.Runs).ToArray();
        foreach (CommandBlock skipped in doc.Blocks.Where(b => !b.Runs))
        {
            TestContext.Out.WriteLine($"{file}:{skipped.Line}: skipped: {skipped.Markers.SkipReason}");
        }

        TestContext.Out.WriteLine($"{file}: {run.Length} blocks run, {doc.Blocks.Count - run.Length} skipped.");
        if (run.Length == 0)
        {
            return;
        }

        string connectionString = await PostgresFixture.CreateDatabaseAsync("docs");
        await ClavexCommand.MigrateAsync(connectionString);
        await using ClavexTestServer server = await ClavexTestServer.StartAsync(connectionString: connectionString);
        await DevSeeder.SeedAsync(server.Services, new DevState
        {
            PostgresPort = 0,
            MasterKey = Convert.ToBase64String(ClavexTestServer.DefaultMasterKey),
            AdminToken = ClavexTestServer.AdminToken,
            AlicePassword = "correct horse battery staple",
            ClientSecret = ClientSecrets.Generate(),
        });

        DocRun result = await DocsRunner.RunAsync(run, server.BaseUrl, Variables(server, connectionString));

        TestContext.Out.WriteLine(result.Output);
        IReadOnlyList<string> problems = result.Problems();
        Assert.That(problems, Is.Empty, string.Join("\n\n", problems));
    }

    /// <summary>What the reader of the docs has set: the server's configuration, its admin token, the database.</summary>
    private static Dictionary<string, string> Variables(ClavexTestServer server, string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ADMIN_TOKEN"] = ClavexTestServer.AdminToken,
            ["CLAVEX_ADMIN_TOKEN"] = ClavexTestServer.AdminToken,
            ["CLAVEX_PUBLIC_BASE_URL"] = server.BaseUrl.GetLeftPart(UriPartial.Authority),
            ["CLAVEX_CONNECTION_STRING"] = connectionString,
            ["CLAVEX_MASTER_KEY"] = Convert.ToBase64String(ClavexTestServer.DefaultMasterKey),
            ["PGHOST"] = database.Host ?? "127.0.0.1",
            ["PGPORT"] = database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGDATABASE"] = database.Database ?? string.Empty,
            ["PGUSER"] = database.Username ?? string.Empty,
            ["PGPASSWORD"] = database.Password ?? string.Empty,
        };
    }
}
