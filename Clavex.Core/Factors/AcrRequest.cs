using Clavex.Core.Authorization;

namespace Clavex.Core.Factors;

/// <summary>What an authorization request's <c>acr_values</c> (or, without them, its client's default) ask for.</summary>
public enum AcrDemand
{
    /// <summary>Nothing, or a level a password satisfies.</summary>
    None,

    /// <summary>The user must have given a second factor (<see cref="AuthenticationMethods.MfaLevel"/>).</summary>
    SecondFactor,

    /// <summary>Only levels Clavex does not know: answered with <c>unmet_authentication_requirements</c>, never a weaker token.</summary>
    Unsatisfiable,
}

/// <summary>
/// Reads <c>acr_values</c> (OIDC Core §3.1.2.1, a space-separated list in order of preference) or the client's
/// <c>default_acr_values</c> (OIDC Dynamic Client Registration §2). Any value Clavex can satisfy is taken, the weakest
/// first: a request that accepts the password level is not made to give a second factor.
/// </summary>
public static class AcrRequest
{
    public static AcrDemand Evaluate(AuthorizationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<string> values = request.AcrValues.Count > 0 ? request.AcrValues : request.Client.DefaultAcrValues;
        if (values.Count == 0)
        {
            return AcrDemand.None;
        }

        bool mfa = false;
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] == AuthenticationMethods.PasswordLevel)
            {
                return AcrDemand.None;
            }

            mfa |= values[i] == AuthenticationMethods.MfaLevel;
        }

        return mfa ? AcrDemand.SecondFactor : AcrDemand.Unsatisfiable;
    }
}
