namespace Clavex.Server.Storage.Migrations;

/// <summary>The migrations cannot be applied as they stand; the message says which file and why.</summary>
public sealed class MigrationException : Exception
{
    public MigrationException()
    {
    }

    public MigrationException(string message)
        : base(message)
    {
    }

    public MigrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
