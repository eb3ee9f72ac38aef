namespace Clavex.Server.Login;

/// <summary>
/// What a person sees when Clavex cannot send them back to the application: a title, a message written for whoever
/// administers the client (never exception text), and the correlation id that finds the audit log entry.
/// </summary>
public sealed record ErrorPageModel(PageFrame Frame, string Title, string Message, string CorrelationId);
