using System.Buffers;
using System.Text.Json;
using Clavex.Core.Jose;

namespace Clavex.Core.Claims;

/// <summary>
/// The groups claim: always a JSON array of strings, <c>[]</c> when no group passes. Atlassian's just-in-time
/// provisioning removes the user from every group missing from the claim, so a claim that is absent or not an
/// array must never be written in its place.
/// </summary>
internal static class GroupsClaim
{
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<string> groups, ClaimMapping mapping)
    {
        string claimName = mapping.GroupsClaimName;
        if (string.Equals(claimName, JwtClaimNames.Groups.Value, StringComparison.Ordinal))
        {
            writer.WriteStartArray(JwtClaimNames.Groups);
        }
        else
        {
            // A configured name (e.g. https://app.hoop.dev/groups) is transcoded by the writer, not allocated.
            writer.WriteStartArray(claimName);
        }

        if (groups.Count > 0)
        {
            WriteValues(writer, groups, mapping);
        }

        writer.WriteEndArray();
    }

    private static void WriteValues(Utf8JsonWriter writer, IReadOnlyList<string> groups, ClaimMapping mapping)
    {
        // The names written so far, to drop a group renamed onto one already present; a rental, not a set.
        string[] written = ArrayPool<string>.Shared.Rent(groups.Count);
        int count = 0;
        try
        {
            for (int i = 0; i < groups.Count; i++)
            {
                string group = groups[i];
                if (string.IsNullOrEmpty(group) || !IsVisible(group, mapping))
                {
                    continue;
                }

                string name = mapping.GroupRenames.TryGetValue(group, out string? renamed) ? renamed : group;
                if (string.IsNullOrEmpty(name) || OrdinalList.Contains(written.AsSpan(0, count), name))
                {
                    continue;
                }

                written[count++] = name;
                writer.WriteStringValue(name);
            }
        }
        finally
        {
            written.AsSpan(0, count).Clear();
            ArrayPool<string>.Shared.Return(written);
        }
    }

    // Both filters see the Clavex name: an allow list is written against the directory, not against renames.
    private static bool IsVisible(string group, ClaimMapping mapping)
    {
        if (mapping.GroupAllowList is { } allowList && !OrdinalList.Contains(allowList, group))
        {
            return false;
        }

        return mapping.GroupPrefix is not { } prefix || group.StartsWith(prefix, StringComparison.Ordinal);
    }
}
