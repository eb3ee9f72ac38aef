namespace Clavex.Core.Claims;

/// <summary>Where user claims are going; <see cref="ClaimMapping.UserinfoOnlyClaims"/> keeps some out of the ID token.</summary>
public enum ClaimTarget
{
    IdToken,
    Userinfo,
}
