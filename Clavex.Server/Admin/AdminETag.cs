using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Clavex.Server.Admin;

/// <summary>
/// Optimistic concurrency for admin changes (RFC 9110 §8.8.3, §13.1.1). A resource's ETag is a strong validator made
/// from its row's version, which every admin change bumps. <c>If-Match</c> on PATCH or DELETE makes the change
/// conditional: it is applied only if the row still has the version the client read, checked in the same
/// <c>UPDATE … WHERE version = @Expected</c> that writes it, so two admins can never both win. Without
/// <c>If-Match</c> the change is applied as before (last write wins).
/// </summary>
internal static class AdminETag
{
    public const string PreconditionFailed = "precondition_failed";

    public static string Format(long version) => "\"v" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>
    /// Evaluates <c>If-Match</c> against the version just read. True with a null <paramref name="expected"/> when there
    /// is no condition (no header, or <c>*</c> on an existing resource); true with <paramref name="expected"/> set to
    /// <paramref name="current"/> when the header lists its ETag; false (answer 412) otherwise. Weak tags never match
    /// (RFC 9110 §13.1.1 uses the strong comparison).
    /// </summary>
    public static bool Matches(HttpRequest request, long current, out long? expected)
    {
        ArgumentNullException.ThrowIfNull(request);
        expected = null;
        string[] values = request.Headers.IfMatch.ToArray()!;
        if (values.Length == 0)
        {
            return true;
        }

        string etag = Format(current);
        foreach (string value in values)
        {
            foreach (string item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (item == "*")
                {
                    return true;
                }

                if (item == etag)
                {
                    expected = current;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>RFC 9110 §15.5.13: 412, with the resource's current ETag so the client can see it moved.</summary>
    public static IResult Refuse(HttpContext context, string what, long? current)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (current is long version)
        {
            context.Response.Headers[HeaderNames.ETag] = Format(version);
        }

        return AdminResults.Error(new AdminError(
            PreconditionFailed,
            $"If-Match does not match the current ETag of {what}: it was changed since you read it. GET it again, reapply your change and send the new ETag.",
            StatusCodes.Status412PreconditionFailed));
    }

    /// <summary>The result with an <c>ETag</c> header.</summary>
    public static IResult With(IResult result, long version) => new WithETag(result, Format(version));

    private sealed class WithETag(IResult inner, string etag) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[HeaderNames.ETag] = etag;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
