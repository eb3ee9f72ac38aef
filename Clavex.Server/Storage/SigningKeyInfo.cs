namespace Clavex.Server.Storage;

/// <summary>A signing key as the admin API lists it: its public facts and dates, never key material.</summary>
public sealed record SigningKeyInfo(
    string Kid,
    string Algorithm,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatesAt,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? RetireAfter,
    DateTimeOffset? RetiredAt);

/// <summary>
/// What a rotation request did: <see cref="Key"/> is the new key, or null when <see cref="Pending"/> is already waiting
/// or when <see cref="PreconditionFailed"/>. The organisation's signing_algorithm before and after the request differ
/// when the request named a new one.
/// </summary>
public sealed record RotationOutcome(
    SigningKeyInfo? Key, SigningKeyInfo? Pending, IReadOnlyList<string> Unpublished, string AlgorithmBefore, string AlgorithmAfter)
{
    public bool ChangedAlgorithm => AlgorithmBefore != AlgorithmAfter;

    /// <summary>
    /// Set only when the organisation's version under the row lock was not the one If-Match named: that version (its
    /// current ETag). Nothing was written.
    /// </summary>
    public long? StaleVersion { get; init; }

    public bool PreconditionFailed => StaleVersion is not null;

    /// <summary>
    /// Set only when the rotation named an algorithm some client pins differently (id_token_signed_response_alg):
    /// those clients. Nothing was written.
    /// </summary>
    public IReadOnlyList<AlgorithmPin> PinConflicts { get; init; } = [];

    public static RotationOutcome Stale(long currentVersion, string algorithm) =>
        new(null, null, [], algorithm, algorithm) { StaleVersion = currentVersion };
}
