namespace Clavex.Server.Storage.Migrations;

/// <summary>
/// One file of <c>db/migrations</c>: <c>0001_organizations.sql</c> is version 1, name <c>organizations</c>.
/// <see cref="Checksum"/> is the lowercase hex SHA-256 of the file's bytes, as recorded in <c>schema_migrations</c>.
/// </summary>
public sealed record Migration(int Version, string Name, string Checksum, string Sql);
