using System.Net;
using System.Net.Sockets;

namespace Clavex.Server.Http;

/// <summary>How a client address is counted by the limits: as itself for IPv4, as its /64 for IPv6.</summary>
public static class ClientAddress
{
    /// <summary>An IPv4 address, or the /64 of an IPv6 one: a single host is usually given a whole /64.</summary>
    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
