namespace Clavex.Server.Login;

public enum FormMethod
{
    /// <summary>For every form that carries a password, a decision or the antiforgery token.</summary>
    Post,
    Get,
}
