using System.Diagnostics.CodeAnalysis;

namespace Clavex.Server.Admin;

/// <summary>
/// The client, user or group an admin route names, in the route's organisation, and the answers every handler of it
/// shares: 404 when it is not there, 412 when <c>If-Match</c> does not match the version read
/// (<see cref="AdminETag"/>), and, when a conditional write then matched no row, 404 or 412 again. A change handler
/// reads: find, <see cref="CanChange{T}"/>, act, <see cref="NotFoundOrMoved"/> when the write found nothing.
/// </summary>
internal readonly struct AdminResource(HttpContext context, string kind, string name)
{
    public static AdminResource Client(HttpContext context, string clientId) => new(context, "client", clientId);

    public static AdminResource User(HttpContext context, string sub) => new(context, "user", sub);

    public static AdminResource Group(HttpContext context, string name) => new(context, "group", name);

    /// <summary>404 naming the resource and the organisation as the caller wrote them.</summary>
    public IResult NotFound() =>
        AdminResults.Error(AdminError.NotFound($"There is no {kind} '{name}' in organisation '{context.GetRouteValue("org")}'."));

    /// <summary>
    /// True when <paramref name="found"/> exists and <c>If-Match</c> (if sent) names its current version;
    /// <paramref name="expectedVersion"/> is then what the conditional write must still find (null: unconditional).
    /// Otherwise false with the 404 or 412 in <paramref name="refusal"/>.
    /// </summary>
    public bool CanChange<T>(
        [NotNullWhen(true)] T? found, Func<T, long> version, out long? expectedVersion, [NotNullWhen(false)] out IResult? refusal)
        where T : class
    {
        expectedVersion = null;
        if (found is null)
        {
            refusal = NotFound();
            return false;
        }

        long current = version(found);
        if (!AdminETag.Matches(context.Request, current, out expectedVersion))
        {
            refusal = AdminETag.Refuse(context, $"{kind} '{name}'", current);
            return false;
        }

        refusal = null;
        return true;
    }

    /// <summary>A conditional write that matched no row: the resource is gone (404), or, with If-Match, it moved since it was read (412).</summary>
    public IResult NotFoundOrMoved(long? expectedVersion) =>
        expectedVersion is null ? NotFound() : AdminETag.Refuse(context, $"{kind} '{name}'", null);
}
