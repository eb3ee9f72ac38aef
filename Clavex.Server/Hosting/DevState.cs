using System.Security.Cryptography;
using System.Text.Json;
using Clavex.Core.Clients;

namespace Clavex.Server.Hosting;

/// <summary>
/// What <c>start-dev</c> generated on its first run, kept in <c>.clavex/dev.json</c> (mode 600) so that a second run
/// prints the same credentials. Development only: production never writes a secret to disk.
/// </summary>
public sealed record DevState
{
    public required int PostgresPort { get; init; }

    public required string MasterKey { get; init; }

    public required string AdminToken { get; init; }

    public required string AlicePassword { get; init; }

    public required string ClientSecret { get; init; }

    /// <summary>CLAVEX_DEV_PASSWORD was set for this start: an explicit request to (re)set alice's password.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool PasswordFromEnvironment { get; init; }

    /// <summary>CLAVEX_DEV_CLIENT_SECRET was set for this start: an explicit request to (re)add that secret.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ClientSecretFromEnvironment { get; init; }

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static DevState LoadOrCreate(string directory)
    {
        string path = Path.Combine(directory, "dev.json");
        DevState state = File.Exists(path)
            ? JsonSerializer.Deserialize<DevState>(File.ReadAllText(path)) ?? throw new ConfigurationException($"{path} is empty; delete it to start afresh.")
            : new DevState
            {
                PostgresPort = 0,
                MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                AdminToken = "adm_" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40),
                AlicePassword = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16),
                ClientSecret = ClientSecrets.Generate(),
            };

        // The variables scripts and CI rely on win over what was generated.
        return state with
        {
            AdminToken = Environment.GetEnvironmentVariable("CLAVEX_ADMIN_TOKEN") is { Length: > 0 } admin ? admin : state.AdminToken,
            AlicePassword = Environment.GetEnvironmentVariable("CLAVEX_DEV_PASSWORD") is { Length: > 0 } password ? password : state.AlicePassword,
            ClientSecret = Environment.GetEnvironmentVariable("CLAVEX_DEV_CLIENT_SECRET") is { Length: > 0 } secret ? secret : state.ClientSecret,
            PasswordFromEnvironment = Environment.GetEnvironmentVariable("CLAVEX_DEV_PASSWORD") is { Length: > 0 },
            ClientSecretFromEnvironment = Environment.GetEnvironmentVariable("CLAVEX_DEV_CLIENT_SECRET") is { Length: > 0 },
        };
    }

    public void Save(string directory)
    {
        string path = Path.Combine(directory, "dev.json");
        File.WriteAllText(path, JsonSerializer.Serialize(this, s_json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
