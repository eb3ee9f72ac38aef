using System.Data;
using Clavex.Server.Storage;
using Dapper;
using Npgsql;

namespace Clavex.Tests.Storage;

/// <summary>The timestamp handling every repository relies on.</summary>
public sealed class DbTests
{
    [Test]
    public async Task A_timestamptz_written_with_any_offset_is_read_back_as_the_same_instant_in_utc()
    {
        var written = new DateTimeOffset(2026, 11, 23, 11, 0, 0, 123, TimeSpan.FromHours(2));
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();

        DateTime read = await connection.QuerySingleAsync<DateTime>("SELECT @Value::timestamptz", new { Value = Db.Utc(written) });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read.Kind, Is.EqualTo(DateTimeKind.Utc));
            Assert.That(Db.FromUtc(read), Is.EqualTo(written));
            Assert.That(Db.FromUtc(read).Offset, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public async Task Npgsql_refuses_a_DateTimeOffset_with_a_non_zero_offset_which_is_why_parameters_go_through_Utc()
    {
        var written = new DateTimeOffset(2026, 11, 23, 11, 0, 0, TimeSpan.FromHours(2));
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => connection.QuerySingleAsync<DateTime>("SELECT @Value::timestamptz", new { Value = written }));
    }

    [Test]
    public async Task Dapper_cannot_map_a_timestamptz_to_DateTimeOffset_which_is_why_rows_read_DateTime()
    {
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();

        await Assert.ThrowsAsync<DataException>(() => connection.QuerySingleAsync<DateTimeOffset>("SELECT now()"));
    }

    [Test]
    public async Task Ticks_below_a_microsecond_are_dropped_because_postgresql_keeps_microseconds()
    {
        DateTimeOffset written = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        await using NpgsqlConnection connection = await StorageFixture.DataSource.OpenConnectionAsync();

        DateTime read = await connection.QuerySingleAsync<DateTime>("SELECT @Value::timestamptz", new { Value = Db.Utc(written) });

        Assert.That(Db.FromUtc(read), Is.EqualTo(written.AddTicks(-7)));
    }
}
