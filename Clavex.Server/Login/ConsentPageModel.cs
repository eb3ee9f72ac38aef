namespace Clavex.Server.Login;

public sealed record ConsentPageModel(string OrganizationName, string ClientName, IReadOnlyList<string> Scopes, PageForm Form);
