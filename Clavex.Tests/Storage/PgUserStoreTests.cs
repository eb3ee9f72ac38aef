using Clavex.Core.Interaction;
using Clavex.Core.Users;
using Clavex.Server.Storage;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

public sealed class PgUserStoreTests
{
    private const string AliceHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

    private long _acme;
    private PgUserStore _store = null!;

    [SetUp]
    public async Task CreateOrganization()
    {
        _acme = await StorageFixture.CreateOrganizationAsync();
        _store = new PgUserStore(StorageFixture.DataSource);
    }

    [Test]
    public async Task A_user_with_every_claim_set_is_read_back_unchanged_with_its_groups_in_ordinal_order()
    {
        User alice = Alice(_acme);
        await _store.CreateAsync(alice, AliceHash, CancellationToken.None);

        User found = (await _store.FindBySubjectAsync(_acme, alice.Subject, CancellationToken.None))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.OrganizationId, Is.EqualTo(_acme));
            Assert.That(found.Subject, Is.EqualTo(alice.Subject));
            Assert.That(found.Username, Is.EqualTo("Alice"));
            Assert.That(found.Enabled, Is.True);
            Assert.That(found.Name, Is.EqualTo(alice.Name));
            Assert.That(found.GivenName, Is.EqualTo(alice.GivenName));
            Assert.That(found.FamilyName, Is.EqualTo(alice.FamilyName));
            Assert.That(found.MiddleName, Is.EqualTo(alice.MiddleName));
            Assert.That(found.Nickname, Is.EqualTo(alice.Nickname));
            Assert.That(found.Picture, Is.EqualTo(alice.Picture));
            Assert.That(found.Website, Is.EqualTo(alice.Website));
            Assert.That(found.Locale, Is.EqualTo(alice.Locale));
            Assert.That(found.Zoneinfo, Is.EqualTo(alice.Zoneinfo));
            Assert.That(found.UpdatedAt, Is.EqualTo(alice.UpdatedAt));
            Assert.That(found.Email, Is.EqualTo(alice.Email));
            Assert.That(found.EmailVerified, Is.True);
            Assert.That(found.PhoneNumber, Is.EqualTo(alice.PhoneNumber));
            Assert.That(found.PhoneNumberVerified, Is.True);
            Assert.That(found.Address, Is.EqualTo(alice.Address));
            Assert.That(found.Attributes, Is.EquivalentTo(alice.Attributes));
            Assert.That(found.Groups, Is.EqualTo(new[] { "Confluence-Users", "jira-administrators", "jira-software-users" }));
        }
    }

    [Test]
    public async Task A_user_with_only_the_required_members_reads_back_empty_and_with_the_time_it_was_stored()
    {
        await _store.CreateAsync(new User { OrganizationId = _acme, Subject = "u_bare", Username = "bare", Enabled = false }, null, CancellationToken.None);

        User found = (await _store.FindBySubjectAsync(_acme, "u_bare", CancellationToken.None))!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Enabled, Is.False);
            Assert.That(found.Name, Is.Null);
            Assert.That(found.Email, Is.Null);
            Assert.That(found.EmailVerified, Is.False);
            Assert.That(found.Address, Is.Null);
            Assert.That(found.Attributes, Is.Empty);
            Assert.That(found.Groups, Is.Empty);
            Assert.That(found.UpdatedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        }
    }

    [TestCase("alice")]
    [TestCase("ALICE")]
    [TestCase("Alice")]
    public async Task Sign_in_finds_the_user_by_username_in_any_case_with_the_password_hash(string typed)
    {
        await _store.CreateAsync(Alice(_acme), AliceHash, CancellationToken.None);

        UserCredentials? credentials = await _store.FindByUsernameAsync(_acme, typed, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(credentials?.User.Subject, Is.EqualTo("u_alice"));
            Assert.That(credentials?.User.Groups, Has.Count.EqualTo(3));
            Assert.That(credentials?.PasswordHash, Is.EqualTo(AliceHash));
        }
    }

    [Test]
    public async Task The_password_hash_never_appears_in_the_credentials_text()
    {
        await _store.CreateAsync(Alice(_acme), AliceHash, CancellationToken.None);

        UserCredentials credentials = (await _store.FindByUsernameAsync(_acme, "alice", CancellationToken.None))!;

        Assert.That(credentials.ToString(), Is.EqualTo("UserCredentials { Subject = u_alice, PasswordHash = (redacted) }"));
    }

    [Test]
    public async Task A_username_differing_only_in_case_is_taken()
    {
        await _store.CreateAsync(Alice(_acme), null, CancellationToken.None);

        PostgresException? error = await Assert.ThrowsAsync<PostgresException>(
            () => _store.CreateAsync(new User { OrganizationId = _acme, Subject = "u_other", Username = "aLiCe" }, null, CancellationToken.None));

        Assert.That(error!.ConstraintName, Is.EqualTo("users_username_unique"));
    }

    [Test]
    public async Task Organisations_keep_their_users_apart_even_with_the_same_subject_and_username()
    {
        long globex = await StorageFixture.CreateOrganizationAsync();
        await _store.CreateAsync(Alice(_acme), AliceHash, CancellationToken.None);

        User? beforeGlobex = await _store.FindBySubjectAsync(globex, "u_alice", CancellationToken.None);
        UserCredentials? signInBeforeGlobex = await _store.FindByUsernameAsync(globex, "alice", CancellationToken.None);
        await _store.CreateAsync(new User { OrganizationId = globex, Subject = "u_alice", Username = "alice", Name = "Globex Alice", Groups = ["staff"] }, null, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(beforeGlobex, Is.Null);
            Assert.That(signInBeforeGlobex, Is.Null);
            User globexAlice = (await _store.FindBySubjectAsync(globex, "u_alice", CancellationToken.None))!;
            Assert.That(globexAlice.Name, Is.EqualTo("Globex Alice"));
            Assert.That(globexAlice.Groups, Is.EqualTo(new[] { "staff" }));
            Assert.That((await _store.FindBySubjectAsync(_acme, "u_alice", CancellationToken.None))!.Groups, Does.Not.Contain("staff"));
            Assert.That((await _store.FindByUsernameAsync(globex, "alice", CancellationToken.None))!.PasswordHash, Is.Null);
        }
    }

    [Test]
    public async Task Adding_to_a_group_creates_it_once_and_is_idempotent()
    {
        await _store.CreateAsync(Alice(_acme), null, CancellationToken.None);
        await _store.CreateAsync(new User { OrganizationId = _acme, Subject = "u_bob", Username = "bob" }, null, CancellationToken.None);

        bool first = await _store.AddToGroupAsync(_acme, "u_bob", "bamboo-users", CancellationToken.None);
        bool again = await _store.AddToGroupAsync(_acme, "u_bob", "bamboo-users", CancellationToken.None);
        bool alice = await _store.AddToGroupAsync(_acme, "u_alice", "bamboo-users", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { first, again, alice }, Is.All.True);
            Assert.That((await _store.FindBySubjectAsync(_acme, "u_bob", CancellationToken.None))!.Groups, Is.EqualTo(new[] { "bamboo-users" }));
            Assert.That((await _store.FindBySubjectAsync(_acme, "u_alice", CancellationToken.None))!.Groups, Does.Contain("bamboo-users"));
            Assert.That(await CountAsync("SELECT count(*) FROM groups WHERE organization_id = @Org AND name = 'bamboo-users'"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Adding_an_unknown_user_to_a_group_is_refused_and_creates_no_group()
    {
        bool added = await _store.AddToGroupAsync(_acme, "u_nobody", "ghosts", CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(added, Is.False);
            Assert.That(await CountAsync("SELECT count(*) FROM groups WHERE organization_id = @Org"), Is.Zero);
        }
    }

    [Test]
    public async Task Setting_the_password_hash_replaces_it_and_null_removes_it()
    {
        await _store.CreateAsync(Alice(_acme), AliceHash, CancellationToken.None);

        bool changed = await _store.SetPasswordHashAsync(_acme, "u_alice", "$argon2id$new", CancellationToken.None);
        string? afterChange = (await _store.FindByUsernameAsync(_acme, "alice", CancellationToken.None))!.PasswordHash;
        await _store.SetPasswordHashAsync(_acme, "u_alice", null, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(changed, Is.True);
            Assert.That(afterChange, Is.EqualTo("$argon2id$new"));
            Assert.That((await _store.FindByUsernameAsync(_acme, "alice", CancellationToken.None))!.PasswordHash, Is.Null);
            Assert.That(await _store.SetPasswordHashAsync(_acme, "u_nobody", "x", CancellationToken.None), Is.False);
        }
    }

    [Test]
    public async Task A_user_created_with_a_group_twice_is_a_member_once()
    {
        await _store.CreateAsync(new User { OrganizationId = _acme, Subject = "u_dup", Username = "dup", Groups = ["staff", "staff"] }, null, CancellationToken.None);

        Assert.That((await _store.FindBySubjectAsync(_acme, "u_dup", CancellationToken.None))!.Groups, Is.EqualTo(new[] { "staff" }));
    }

    private static User Alice(long organizationId) => new()
    {
        OrganizationId = organizationId,
        Subject = "u_alice",
        Username = "Alice",
        Name = "Alice Andersson",
        GivenName = "Alice",
        FamilyName = "Andersson",
        MiddleName = "Maria",
        Nickname = "ali",
        Picture = "https://id.acme.eu/avatars/alice.png",
        Website = "https://alice.example",
        Locale = "sv-SE",
        Zoneinfo = "Europe/Stockholm",
        UpdatedAt = new DateTimeOffset(2026, 10, 1, 12, 30, 0, TimeSpan.FromHours(2)),
        Email = "alice@acme.eu",
        EmailVerified = true,
        PhoneNumber = "+46 8 123 456",
        PhoneNumberVerified = true,
        Address = new PostalAddress { StreetAddress = "Storgatan 1", Locality = "Stockholm", PostalCode = "111 22", Country = "SE" },
        Attributes = new Dictionary<string, string> { ["department"] = "Engineering", ["employee_id"] = "4711" },
        Groups = ["jira-software-users", "jira-administrators", "Confluence-Users"],
    };

    private async Task<long> CountAsync(string sql)
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { Org = _acme });
    }
}
