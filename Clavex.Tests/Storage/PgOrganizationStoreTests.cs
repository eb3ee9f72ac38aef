using Clavex.Server.Storage;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgOrganizationStoreTests
{
    private PgOrganizationStore _store = null!;

    [SetUp]
    public void CreateStore() => _store = new PgOrganizationStore(StorageFixture.DataSource);

    [Test]
    public async Task A_created_organisation_is_found_by_its_slug()
    {
        string slug = UniqueSlug();

        long id = await _store.CreateAsync(slug, "Acme Europe", CancellationToken.None);

        Assert.That(await _store.FindBySlugAsync(slug, CancellationToken.None), Is.EqualTo(new OrganizationRecord(id, slug, "Acme Europe")));
    }

    [Test]
    public async Task An_unknown_slug_is_null()
    {
        Assert.That(await _store.FindBySlugAsync(UniqueSlug(), CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task A_taken_slug_is_refused()
    {
        string slug = UniqueSlug();
        await _store.CreateAsync(slug, "First", CancellationToken.None);

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(() => _store.CreateAsync(slug, "Second", CancellationToken.None));

        Assert.That(error!.SqlState, Is.EqualTo(PostgresErrorCodes.UniqueViolation));
    }

    private static string UniqueSlug() => "o-" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(12, lowercase: true);
}
