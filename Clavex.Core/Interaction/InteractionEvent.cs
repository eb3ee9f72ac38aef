namespace Clavex.Core.Interaction;

/// <summary>
/// Something the interaction decided that the host records in its audit log, with the reason in
/// <see cref="Detail"/>. The core names the event and its reason; the host adds who asked, from where and when.
/// </summary>
public sealed record InteractionEvent(string Type, bool Success, string? ClientId, string? Subject, params (string Key, string? Value)[] Detail);
