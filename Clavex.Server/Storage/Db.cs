using Dapper;
using Npgsql;

namespace Clavex.Server.Storage;

/// <summary>What every repository shares: Dapper's column mapping, commands, and timestamps as PostgreSQL stores them.</summary>
internal static class Db
{
    /// <summary>
    /// Columns are snake_case and row properties PascalCase; set before any repository maps a row, because Dapper
    /// caches each type's map on first use.
    /// </summary>
    static Db() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public static CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    /// <summary>
    /// A value for a <c>timestamptz</c> parameter. Npgsql writes only offset-zero <see cref="DateTimeOffset"/>s
    /// there; the instant is unchanged. PostgreSQL keeps microseconds, so ticks below them are dropped.
    /// </summary>
    public static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();

    public static DateTimeOffset? Utc(DateTimeOffset? value) => value?.ToUniversalTime();

    /// <summary>A <c>timestamptz</c> read back: Npgsql returns it as a <see cref="DateTime"/> of kind UTC.</summary>
    public static DateTimeOffset FromUtc(DateTime value) =>
        value.Kind == DateTimeKind.Local
            ? throw new InvalidOperationException("A timestamptz was read as local time; expected UTC.")
            : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? FromUtc(DateTime? value) => value is null ? null : FromUtc(value.Value);
}
