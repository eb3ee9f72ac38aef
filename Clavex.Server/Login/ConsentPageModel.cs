namespace Clavex.Server.Login;

public sealed record ConsentPageModel(PageFrame Frame, string ClientName, IReadOnlyList<string> Scopes, PageForm Form);
