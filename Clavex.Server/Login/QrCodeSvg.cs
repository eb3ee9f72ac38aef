using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using QRCoder;

namespace Clavex.Server.Login;

/// <summary>
/// A QR code as inline SVG for the enrolment page. QRCoder only encodes; the markup is written
/// here so it carries no style attribute or element (the page's CSP has no 'unsafe-inline') and parses as XML.
/// </summary>
internal static class QrCodeSvg
{
    /// <summary>ISO/IEC 18004: a quiet zone four modules wide on every side.</summary>
    public const int QuietZone = 4;

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>
    /// The SVG for <paramref name="text"/> at error correction level M (15 % of the symbol recoverable), with
    /// <paramref name="title"/> as its accessible name. One path draws every dark module, horizontal runs merged.
    /// </summary>
    public static string Render(string text, string title)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(title);

        using var generator = new QRCodeGenerator();
        using QRCodeData data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        List<BitArray> matrix = data.ModuleMatrix;

        // QRCoder's matrix may already include its own quiet zone; read only the symbol and add ours.
        // ISO/IEC 18004: version V has 17 + 4V modules a side.
        int modules = 17 + (4 * data.Version);
        int inset = (matrix.Count - modules) / 2;
        int size = modules + (2 * QuietZone);
        string sizeText = size.ToString(CultureInfo.InvariantCulture);

        var svg = new StringBuilder(4096);
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(sizeText).Append(' ').Append(sizeText)
            .Append("\" width=\"200\" height=\"200\" role=\"img\" aria-labelledby=\"qr-title\" shape-rendering=\"crispEdges\">")
            .Append("<title id=\"qr-title\">").Append(Encoder.Encode(title)).Append("</title>")
            .Append("<rect width=\"").Append(sizeText).Append("\" height=\"").Append(sizeText).Append("\" fill=\"#fff\"/>")
            .Append("<path d=\"");

        for (int y = 0; y < modules; y++)
        {
            BitArray row = matrix[inset + y];
            int x = 0;
            while (x < modules)
            {
                if (!row[inset + x])
                {
                    x++;
                    continue;
                }

                int start = x;
                while (x < modules && row[inset + x])
                {
                    x++;
                }

                int run = x - start;
                svg.Append(CultureInfo.InvariantCulture, $"M{start + QuietZone} {y + QuietZone}h{run}v1h-{run}z");
            }
        }

        return svg.Append("\" fill=\"#000\"/></svg>").ToString();
    }
}
