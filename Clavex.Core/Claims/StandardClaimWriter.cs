using System.Text.Json;

namespace Clavex.Core.Claims;

/// <summary>
/// Writes standard claims, skipping empty values and claims withheld from the target, and records in a bit mask
/// which ones it wrote so extra claims can be kept from writing them a second time.
/// </summary>
internal ref struct StandardClaimWriter
{
    private readonly Utf8JsonWriter _writer;
    private readonly uint _withheld;

    public StandardClaimWriter(Utf8JsonWriter writer, uint withheld)
    {
        _writer = writer;
        _withheld = withheld;
    }

    public uint Written { get; private set; }

    /// <summary>OIDC Core §5.3.2: a claim without a value is omitted, never written as <c>null</c> or <c>""</c>.</summary>
    public void WriteString(StandardClaim claim, string? value)
    {
        if (!string.IsNullOrEmpty(value) && TryBegin(claim))
        {
            _writer.WriteString(StandardClaims.GetName(claim), value);
        }
    }

    public void WriteBoolean(StandardClaim claim, bool value)
    {
        if (TryBegin(claim))
        {
            _writer.WriteBoolean(StandardClaims.GetName(claim), value);
        }
    }

    public void WriteNumber(StandardClaim claim, long value)
    {
        if (TryBegin(claim))
        {
            _writer.WriteNumber(StandardClaims.GetName(claim), value);
        }
    }

    /// <summary>Claims <paramref name="claim"/> for a member the caller writes itself; false when it is withheld.</summary>
    public bool TryBegin(StandardClaim claim)
    {
        uint bit = StandardClaims.Bit(claim);
        if ((_withheld & bit) != 0)
        {
            return false;
        }

        Written |= bit;
        return true;
    }
}
