namespace Clavex.Server.Admin.Schemas;

/// <summary>Every refusal of the admin API (<see cref="AdminResults.Error"/>): RFC 6749-style <c>error</c> and a description naming the field.</summary>
public sealed record AdminErrorResponse(string Error, string ErrorDescription);
