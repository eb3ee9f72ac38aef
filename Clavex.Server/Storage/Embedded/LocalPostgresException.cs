namespace Clavex.Server.Storage.Embedded;

/// <summary>A local PostgreSQL cluster could not be found, created, started or stopped; the message carries the tool output.</summary>
public sealed class LocalPostgresException : Exception
{
    public LocalPostgresException()
    {
    }

    public LocalPostgresException(string message)
        : base(message)
    {
    }

    public LocalPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
