using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

// Each test runs in a transaction it rolls back, leaving the shared database as it found it.
public sealed class OrganizationsTableTests
{
    private const string Insert = "INSERT INTO organizations (slug, display_name) VALUES (@Slug, 'Test')";

    private const string SixtyThreeCharacters = "a123456789b123456789c123456789d123456789e123456789f12345678901z";

    [TestCase("a")]
    [TestCase("7")]
    [TestCase("acme")]
    [TestCase("acme-corp")]
    [TestCase("a--b")]
    [TestCase("0day-2")]
    [TestCase(SixtyThreeCharacters)]
    public async Task Lowercase_dns_label_slug_is_accepted(string slug)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var inserted = await connection.ExecuteAsync(Insert, new { Slug = slug }, transaction);

        Assert.That(inserted, Is.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("Acme")]
    [TestCase("-acme")]
    [TestCase("acme-")]
    [TestCase("acme_corp")]
    [TestCase("acme corp")]
    [TestCase("acme.corp")]
    [TestCase("acmé")]
    [TestCase(SixtyThreeCharacters + "x")]
    public async Task Slug_that_is_not_a_lowercase_dns_label_is_rejected(string slug)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(Insert, new { Slug = slug }, transaction));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.SqlState, Is.EqualTo(PostgresErrorCodes.CheckViolation));
            Assert.That(error.ConstraintName, Is.EqualTo("organizations_slug_format"));
        }
    }

    [Test]
    public async Task Slug_is_unique()
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(Insert, new { Slug = "twice" }, transaction);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(Insert, new { Slug = "twice" }, transaction));

        Assert.That(error.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
    }

    [Test]
    public async Task New_organization_gets_an_id_and_both_timestamps()
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var row = await connection.QuerySingleAsync<(long Id, DateTime CreatedAt, DateTime UpdatedAt, DateTime Now)>(
            Insert + " RETURNING id, created_at, updated_at, now()", new { Slug = "stamped" }, transaction);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(row.Id, Is.Positive);
            Assert.That(row.CreatedAt, Is.EqualTo(row.Now));
            Assert.That(row.UpdatedAt, Is.EqualTo(row.Now));
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(PostgresFixture.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
