using System.Globalization;
using System.Security.Cryptography;
using Clavex.Server.Storage.Migrations;
using Clavex.Tests.Support;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage.Migrations;

public sealed class MigrationRunnerTests
{
    [Test]
    public async Task Fresh_database_gets_every_shipped_migration_recorded_with_its_file_checksum()
    {
        var directory = MigrationFiles.Locate();
        var expected = Directory.GetFiles(directory, "*.sql")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .Select(fileName => (
                Version: int.Parse(fileName![..4], CultureInfo.InvariantCulture),
                Name: Path.GetFileNameWithoutExtension(fileName)[5..],
                Checksum: Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, fileName))))))
            .ToList();
        await using var connection = await Database.OpenBlankAsync();

        var applied = await new MigrationRunner(directory).ApplyAsync(connection);

        var recorded = await connection.QueryAsync<(int, string, string)>(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected.Select(m => m.Name), Does.Contain("organizations"));
            Assert.That(applied.Select(m => (m.Version, m.Name, m.Checksum)), Is.EqualTo(expected));
            Assert.That(recorded, Is.EqualTo(expected));
            Assert.That(await Database.TableExistsAsync(connection, "organizations"), Is.True);
        }
    }

    [Test]
    public async Task Running_migrations_twice_applies_nothing_the_second_time()
    {
        using var migrations = new ScratchMigrations(
            ("0001_a.sql", "CREATE TABLE a (id int);"),
            ("0002_b.sql", "CREATE TABLE b (id int);"));
        var runner = new MigrationRunner(migrations.Path);
        await using var connection = await Database.OpenBlankAsync();

        var first = await runner.ApplyAsync(connection);
        var second = await runner.ApplyAsync(connection);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Select(m => m.Version), Is.EqualTo([1, 2]));
            Assert.That(second, Is.Empty);
            Assert.That(await Database.AppliedVersionsAsync(connection), Is.EqualTo([1, 2]));
        }
    }

    [Test]
    public async Task Concurrent_runners_both_succeed_and_apply_each_migration_exactly_once()
    {
        // Neither migration survives a second run, and the pause keeps the first runner busy while the second
        // one arrives: without the advisory lock both would try to create "slow".
        using var migrations = new ScratchMigrations(
            ("0001_slow.sql", "CREATE TABLE slow (id int); SELECT pg_sleep(0.2);"),
            ("0002_b.sql", "CREATE TABLE b (id int);"));
        var runner = new MigrationRunner(migrations.Path);
        var database = await PostgresFixture.CreateDatabaseAsync("concurrent");
        await using var first = new NpgsqlConnection(database);
        await using var second = new NpgsqlConnection(database);
        await Task.WhenAll(first.OpenAsync(), second.OpenAsync());

        var results = await Task.WhenAll(runner.ApplyAsync(first), runner.ApplyAsync(second));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(applied => applied.Count).Order(), Is.EqualTo([0, 2]));
            Assert.That(results.SelectMany(applied => applied).Select(m => m.Version), Is.EqualTo([1, 2]));
            Assert.That(await Database.AppliedVersionsAsync(first), Is.EqualTo([1, 2]));
        }
    }

    [Test]
    public async Task Edited_applied_migration_is_an_error_and_nothing_new_is_applied()
    {
        using var migrations = new ScratchMigrations(("0001_a.sql", "CREATE TABLE a (id int);"));
        var runner = new MigrationRunner(migrations.Path);
        await using var connection = await Database.OpenBlankAsync();
        var original = (await runner.ApplyAsync(connection)).Single().Checksum;
        migrations.Write("0001_a.sql", "CREATE TABLE a (id bigint);");
        migrations.Write("0002_b.sql", "CREATE TABLE b (id int);");
        var edited = MigrationFiles.Read(migrations.Path)[0].Checksum;

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(connection));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(edited, Is.Not.EqualTo(original));
            Assert.That(error.Message, Does.Contain($"0001_a.sql was applied with checksum {original} but the file's checksum is now {edited}."));
            Assert.That(await Database.TableExistsAsync(connection, "b"), Is.False);
            Assert.That(
                await connection.QueryAsync<(int, string)>("SELECT version, checksum FROM schema_migrations"),
                Is.EqualTo(new[] { (1, original) }));
        }
    }

    [TestCase("1_a.sql")]
    [TestCase("00001_a.sql")]
    [TestCase("0001-a.sql")]
    [TestCase("0001_.sql")]
    [TestCase("0001_A.sql")]
    [TestCase("0001_a-b.sql")]
    [TestCase("0001_a.SQL")]
    [TestCase("0001_a.sql.orig")]
    [TestCase("0001_a")]
    [TestCase("٠٠٠١_a.sql")]
    public async Task Badly_named_file_is_refused_before_the_database_is_touched(string fileName)
    {
        using var migrations = new ScratchMigrations(
            ("0002_good.sql", "CREATE TABLE good (id int);"),
            (fileName, "CREATE TABLE bad (id int);"));
        await using var connection = await Database.OpenBlankAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(migrations.Path).ApplyAsync(connection));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.StartWith($"Migration file {fileName} in {migrations.Path} is not named NNNN_lowercase_name.sql."));
            Assert.That(await Database.TableExistsAsync(connection, "schema_migrations"), Is.False);
        }
    }

    [Test]
    public async Task Dotfiles_in_the_migrations_directory_are_ignored()
    {
        using var migrations = new ScratchMigrations(
            ("0001_a.sql", "CREATE TABLE a (id int);"),
            (".gitkeep", ""));
        await using var connection = await Database.OpenBlankAsync();

        var applied = await new MigrationRunner(migrations.Path).ApplyAsync(connection);

        Assert.That(applied.Select(m => m.Version), Is.EqualTo([1]));
    }

    [Test]
    public async Task Duplicate_version_numbers_are_refused()
    {
        using var migrations = new ScratchMigrations(
            ("0001_a.sql", "CREATE TABLE a (id int);"),
            ("0001_b.sql", "CREATE TABLE b (id int);"));
        await using var connection = await Database.OpenBlankAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(migrations.Path).ApplyAsync(connection));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.StartWith($"Migration version 0001 appears twice in {migrations.Path}:"));
            Assert.That(error.Message, Does.Contain("0001_a.sql").And.Contain("0001_b.sql"));
            Assert.That(await Database.TableExistsAsync(connection, "schema_migrations"), Is.False);
        }
    }

    [Test]
    public async Task Failing_migration_rolls_back_completely_and_earlier_ones_stay_applied()
    {
        using var migrations = FailingSecondMigration();
        await using var connection = await Database.OpenBlankAsync();

        var error = await Assert.ThrowsAsync<MigrationException>(() => new MigrationRunner(migrations.Path).ApplyAsync(connection));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.StartWith("Migration 0002_b.sql failed and was rolled back: 22012: division by zero"));
            Assert.That(error.InnerException, Is.TypeOf<PostgresException>());
            Assert.That(await Database.AppliedVersionsAsync(connection), Is.EqualTo([1]));
            Assert.That(await Database.TableExistsAsync(connection, "a"), Is.True);
            Assert.That(await Database.TableExistsAsync(connection, "b"), Is.False);
            Assert.That(await Database.TableExistsAsync(connection, "c"), Is.False);
        }
    }

    [Test]
    public async Task Fixed_failing_migration_and_those_after_it_are_applied_by_the_next_run()
    {
        using var migrations = FailingSecondMigration();
        var runner = new MigrationRunner(migrations.Path);
        await using var connection = await Database.OpenBlankAsync();
        await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(connection));
        migrations.Write("0002_b.sql", "CREATE TABLE b (id int);");

        var applied = await runner.ApplyAsync(connection);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(applied.Select(m => m.Version), Is.EqualTo([2, 3]));
            Assert.That(await Database.AppliedVersionsAsync(connection), Is.EqualTo([1, 2, 3]));
        }
    }

    private static ScratchMigrations FailingSecondMigration() => new(
        ("0001_a.sql", "CREATE TABLE a (id int);"),
        ("0002_b.sql", "CREATE TABLE b (id int); INSERT INTO b VALUES (1); SELECT 1 / 0;"),
        ("0003_c.sql", "CREATE TABLE c (id int);"));
}
