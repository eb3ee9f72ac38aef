using System.Diagnostics.CodeAnalysis;

namespace Clavex.Core.Protocol;

/// <summary>
/// The outcome of a protocol step: its value, or the one <see cref="OAuthError"/> to answer with; never both, never
/// neither. Endpoint results derive from it and add what the audit log needs, so a caller tests
/// <see cref="IsSuccess"/> and reads <see cref="Value"/> or <see cref="Error"/> without a <c>!</c>.
/// </summary>
public abstract record ProtocolResult<T>
    where T : class
{
    protected ProtocolResult(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    protected ProtocolResult(OAuthError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    public T? Value { get; }

    public OAuthError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Value is not null;
}
