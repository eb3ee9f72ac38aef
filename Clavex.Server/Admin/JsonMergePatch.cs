using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clavex.Server.Admin;

/// <summary>
/// RFC 7396 JSON Merge Patch: members of the patch replace the target's, objects merge recursively, and
/// <c>null</c> removes a member (so it falls back to its default when the result is read).
/// </summary>
internal static class JsonMergePatch
{
    /// <summary>The merged document, or the 400 for a patch naming a member twice (which JSON nodes cannot hold).</summary>
    public static (JsonElement Merged, AdminError? Error) Apply(byte[] targetUtf8Json, JsonElement patch)
    {
        if (RepeatedMember(patch, string.Empty) is string repeated)
        {
            return (default, new AdminError(AdminError.InvalidRequest, $"{repeated} is given more than once."));
        }

        JsonNode merged = Merge(JsonNode.Parse(targetUtf8Json), JsonNode.Parse(patch.GetRawText()));
        using JsonDocument document = JsonDocument.Parse(merged.ToJsonString());
        return (document.RootElement.Clone(), null);
    }

    private static string? RepeatedMember(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (RepeatedMember(item, $"{path}[{index++}]") is string repeated)
                {
                    return repeated;
                }
            }
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            string name = path.Length == 0 ? property.Name : path + "." + property.Name;
            if (!seen.Add(property.Name))
            {
                return name;
            }

            if (RepeatedMember(property.Value, name) is string repeated)
            {
                return repeated;
            }
        }

        return null;
    }

    private static JsonNode Merge(JsonNode? target, JsonNode? patch)
    {
        // §2: a patch that is not an object replaces the target.
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone()!;
        }

        JsonObject result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        foreach ((string name, JsonNode? value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = Merge(result[name], value);
            }
        }

        return result;
    }
}
