using System.Text.Json;
using System.Text.Json.Serialization;
using Clavex.Core.Claims;
using Clavex.Core.Users;

namespace Clavex.Server.Storage;

/// <summary>
/// The JSON of <c>jsonb</c> columns: snake_case member names and enum values, nulls left out. Source-generated,
/// so reading a client or user costs no reflection.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(SnakeCaseEnumConverter<PreferredUsernameSource>)])]
[JsonSerializable(typeof(ClaimMapping))]
[JsonSerializable(typeof(PostalAddress))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StorageJson : JsonSerializerContext
{
}

/// <summary>Enum values as snake_case strings (<c>"email"</c>), never numbers, so reordering an enum cannot change stored data.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
