namespace Clavex.Server.Login;

public sealed record LogoutPageModel(PageFrame Frame, PageForm Form);
