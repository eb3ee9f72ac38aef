using System.Text.Json;

namespace Clavex.Server.Admin;

/// <summary>
/// Reads the members of one JSON object with the types the admin API expects, keeping the first problem as an
/// <see cref="AdminError"/> that names the field (with its path, e.g. <c>token_lifetimes.access_token</c>). A JSON
/// <c>null</c> reads as absent. Wrong types never throw: a malformed request is the caller's error, not a 500.
/// </summary>
internal sealed class JsonFields
{
    private readonly JsonElement _object;
    private readonly string _path;
    private readonly string _code;
    private readonly ErrorSlot _slot;

    private JsonFields(JsonElement value, string path, string code, ErrorSlot slot)
    {
        _object = value;
        _path = path;
        _code = code;
        _slot = slot;
    }

    public AdminError? Error => _slot.Error;

    public bool IsValid => _slot.Error is null;

    /// <summary>The fields of <paramref name="root"/>, or null with <paramref name="error"/> when it is not an object.</summary>
    public static JsonFields? Of(JsonElement root, string errorCode, out AdminError? error)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = new AdminError(AdminError.InvalidRequest, "The request body must be a JSON object.");
            return null;
        }

        error = null;
        return new JsonFields(root, string.Empty, errorCode, new ErrorSlot());
    }

    public string Name(string name) => _path + name;

    public bool Has(string name) => _object.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>Refuses members not in <paramref name="known"/> (a typo must not be silently ignored) and repeated members.</summary>
    public void RejectUnknown(IReadOnlySet<string> known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in _object.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                Fail(AdminError.InvalidRequest, $"{Name(property.Name)} is given more than once.");
            }
            else if (!known.Contains(property.Name))
            {
                Fail(_code, $"{Name(property.Name)} is not a field Clavex knows here.");
            }
        }
    }

    public string? String(string name, int maxLength = 2048, bool required = false)
    {
        if (!TryGet(name, required, JsonValueKind.String, "a string", out JsonElement value))
        {
            return null;
        }

        string text = value.GetString()!;
        if (text.Length == 0 || text.Length > maxLength)
        {
            Fail(_code, $"{Name(name)} must be 1 to {maxLength} characters.");
            return null;
        }

        return text;
    }

    public bool? Bool(string name) =>
        TryGet(name, required: false, JsonValueKind.True, "true or false", out JsonElement value) ? value.GetBoolean() : null;

    public long? Integer(string name)
    {
        if (!TryGet(name, required: false, JsonValueKind.Number, "a whole number", out JsonElement value))
        {
            return null;
        }

        if (!value.TryGetInt64(out long number))
        {
            Fail(_code, $"{Name(name)} must be a whole number.");
            return null;
        }

        return number;
    }

    public IReadOnlyList<string>? Strings(string name, int maxLength = 2048, bool required = false)
    {
        if (!TryGet(name, required, JsonValueKind.Array, "an array of strings", out JsonElement value))
        {
            return null;
        }

        var list = new List<string>(value.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } text || text.Length > maxLength)
            {
                Fail(_code, $"{Name(name)}[{index}] must be a string of 1 to {maxLength} characters.");
                return null;
            }

            if (!seen.Add(text))
            {
                Fail(_code, $"{Name(name)} lists '{text}' twice.");
                return null;
            }

            list.Add(text);
            index++;
        }

        return list;
    }

    /// <summary>An object of string values, such as user attributes or group renames.</summary>
    public Dictionary<string, string>? StringMap(string name, int maxLength = 2048)
    {
        if (!TryGet(name, required: false, JsonValueKind.Object, "an object of strings", out JsonElement value))
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (property.Name.Length is 0 or > 256 || property.Value.ValueKind != JsonValueKind.String
                || property.Value.GetString() is not { } text || text.Length > maxLength || !map.TryAdd(property.Name, text))
            {
                Fail(_code, $"{Name(name)}.{property.Name} must be a string of at most {maxLength} characters, named once.");
                return null;
            }
        }

        return map;
    }

    public JsonFields? Object(string name)
    {
        return TryGet(name, required: false, JsonValueKind.Object, "an object", out JsonElement value)
            ? new JsonFields(value, Name(name) + ".", _code, _slot)
            : null;
    }

    /// <summary>The elements of an array of objects, each as fields named <c>name[i].</c>.</summary>
    public IReadOnlyList<JsonFields>? Objects(string name)
    {
        if (!TryGet(name, required: false, JsonValueKind.Array, "an array of objects", out JsonElement value))
        {
            return null;
        }

        var list = new List<JsonFields>();
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Fail(_code, $"{Name(name)}[{index}] must be an object.");
                return null;
            }

            list.Add(new JsonFields(item, $"{Name(name)}[{index}].", _code, _slot));
            index++;
        }

        return list;
    }

    /// <summary>The raw value, for members another reader parses (a JWK Set).</summary>
    public JsonElement? Raw(string name) =>
        _object.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public void Fail(string code, string description) => _slot.Error ??= new AdminError(code, description);

    public void Fail(string description) => Fail(_code, description);

    private bool TryGet(string name, bool required, JsonValueKind kind, string what, out JsonElement value)
    {
        if (!_object.TryGetProperty(name, out value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail(_code, $"{Name(name)} is required.");
            }

            return false;
        }

        bool matches = kind == JsonValueKind.True ? value.ValueKind is JsonValueKind.True or JsonValueKind.False : value.ValueKind == kind;
        if (!matches)
        {
            Fail(_code, $"{Name(name)} must be {what}.");
            return false;
        }

        return true;
    }

    /// <summary>Shared by an object and the objects nested in it, so the first error anywhere is the one reported.</summary>
    private sealed class ErrorSlot
    {
        public AdminError? Error { get; set; }
    }
}
