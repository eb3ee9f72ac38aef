using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clavex.Server.Admin;

/// <summary>
/// RFC 7396 JSON Merge Patch: members of the patch replace the target's, objects merge recursively, and
/// <c>null</c> removes a member (so it falls back to its default when the result is read).
/// </summary>
internal static class JsonMergePatch
{
    public static JsonElement Apply(byte[] targetUtf8Json, JsonElement patch)
    {
        JsonNode merged = Merge(JsonNode.Parse(targetUtf8Json), JsonNode.Parse(patch.GetRawText()));
        using JsonDocument document = JsonDocument.Parse(merged.ToJsonString());
        return document.RootElement.Clone();
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
