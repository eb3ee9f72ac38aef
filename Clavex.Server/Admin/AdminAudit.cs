using System.Text.Json;
using Clavex.Core.Protocol;
using Clavex.Server.Audit;

namespace Clavex.Server.Admin;

/// <summary>
/// Records an admin change as <c>admin.&lt;entity&gt;.&lt;action&gt;</c> with the actor and JSON summaries of the
/// state before and after. The summaries are the API's own representations, which never hold a secret or a
/// password hash.
/// </summary>
internal static class AdminAudit
{
    public static void AdminChange(
        this AuditLog audit, HttpContext context, Organization? organization, string entityAction, string? clientId, string? subject, byte[]? before, byte[]? after)
    {
        ArgumentNullException.ThrowIfNull(audit);
        audit.RecordChange(context, organization, "admin." + entityAction, clientId, subject, AdminAuthentication.ActorOf(context), before, after);
    }

    public static byte[] Summary(Action<Utf8JsonWriter> write) => AdminResults.Write(write);
}
