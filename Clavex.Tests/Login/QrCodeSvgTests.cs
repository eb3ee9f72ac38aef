using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Clavex.Server.Login;
using QRCoder;

namespace Clavex.Tests.Login;

public sealed partial class QrCodeSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const string OtpAuthUri =
        "otpauth://totp/Clavex%20Example:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Clavex%20Example&algorithm=SHA1&digits=6&period=30";

    [GeneratedRegex(@"M(\d+) (\d+)h(\d+)v1h-(\d+)z")]
    private static partial Regex Run();

    private static IEnumerable<TestCaseData> Inputs()
    {
        yield return new TestCaseData("a").SetArgDisplayNames("one character");
        yield return new TestCaseData(OtpAuthUri).SetArgDisplayNames("otpauth URI");
        yield return new TestCaseData(new string('x', 600)).SetArgDisplayNames("600 characters");
    }

    [TestCaseSource(nameof(Inputs))]
    public void The_svg_parses_as_xml_and_has_no_style(string text)
    {
        XDocument svg = XDocument.Parse(QrCodeSvg.Render(text, "QR code"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(svg.Descendants().Where(e => e.Name.LocalName == "style"), Is.Empty);
            Assert.That(svg.Descendants().Attributes().Where(a => a.Name.LocalName == "style"), Is.Empty);
            Assert.That(svg.Root!.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "title", "rect", "path" }));
        }
    }

    [TestCaseSource(nameof(Inputs))]
    public void The_view_box_is_the_symbol_and_a_four_module_quiet_zone(string text)
    {
        int version = Encode(text).Version;
        int size = 21 + (4 * (version - 1)) + 8;

        XElement svg = XDocument.Parse(QrCodeSvg.Render(text, "QR code")).Root!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(svg.Attribute("viewBox")?.Value, Is.EqualTo($"0 0 {size} {size}"));
            Assert.That(svg.Element(Svg + "rect")?.Attribute("width")?.Value, Is.EqualTo(size.ToString(CultureInfo.InvariantCulture)));
            Assert.That(svg.Element(Svg + "rect")?.Attribute("height")?.Value, Is.EqualTo(size.ToString(CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public void Longer_texts_need_larger_versions()
    {
        // Guards the view box test against every input landing on one version.
        Assert.That(Inputs().Select(input => Encode((string)input.Arguments[0]!).Version).Distinct().Count(), Is.EqualTo(3));
    }

    [TestCaseSource(nameof(Inputs))]
    public void The_path_draws_exactly_the_dark_modules_of_qrcoder_matrix(string text)
    {
        QRCodeData data = Encode(text);
        int darkInMatrix = data.ModuleMatrix.Sum(row => row.Cast<bool>().Count(dark => dark));

        string d = XDocument.Parse(QrCodeSvg.Render(text, "QR code")).Root!.Element(Svg + "path")!.Attribute("d")!.Value;
        MatchCollection runs = Run().Matches(d);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(string.Concat(runs.Select(run => run.Value)), Is.EqualTo(d), "the path is nothing but runs");
            Assert.That(runs.Select(run => run.Groups[3].Value), Is.EqualTo(runs.Select(run => run.Groups[4].Value)), "each run closes on itself");
            Assert.That(runs.Sum(run => int.Parse(run.Groups[3].Value, CultureInfo.InvariantCulture)), Is.EqualTo(darkInMatrix));
            Assert.That(Modules(runs), Is.EqualTo(DarkModules(data)), "the same modules, shifted into the quiet zone");
        }
    }

    [Test]
    public void Horizontal_runs_are_merged()
    {
        string d = XDocument.Parse(QrCodeSvg.Render("a", "QR code")).Root!.Element(Svg + "path")!.Attribute("d")!.Value;

        // Row 0 of a version-1 symbol: finder pattern (7 dark), 1 light, timing and format modules, 1 light, finder.
        Assert.That(d, Does.StartWith("M4 4h7v1h-7z"));
    }

    [Test]
    public void The_root_and_paint_are_exactly_as_specified()
    {
        XElement svg = XDocument.Parse(QrCodeSvg.Render("a", "QR code")).Root!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(svg.Name, Is.EqualTo(Svg + "svg"));
            Assert.That(svg.Attributes().Select(a => $"{a.Name.LocalName}={a.Value}"), Is.EqualTo(new[]
            {
                "xmlns=http://www.w3.org/2000/svg", "viewBox=0 0 29 29", "width=200", "height=200", "role=img",
                "aria-labelledby=qr-title", "shape-rendering=crispEdges",
            }));
            Assert.That(svg.Element(Svg + "title")?.Attribute("id")?.Value, Is.EqualTo("qr-title"));
            Assert.That(svg.Element(Svg + "rect")?.Attribute("fill")?.Value, Is.EqualTo("#fff"));
            Assert.That(svg.Element(Svg + "path")?.Attribute("fill")?.Value, Is.EqualTo("#000"));
        }
    }

    [Test]
    public void The_title_is_encoded()
    {
        const string Hostile = "\"'></title><style>*{}</style>&amp;";

        XElement svg = XDocument.Parse(QrCodeSvg.Render("a", Hostile)).Root!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(svg.Element(Svg + "title")?.Value, Is.EqualTo(Hostile));
            Assert.That(svg.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "title", "rect", "path" }));
        }
    }

    private static QRCodeData Encode(string text)
    {
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
    }

    private static SortedSet<(int X, int Y)> Modules(MatchCollection runs)
    {
        var modules = new SortedSet<(int X, int Y)>();
        foreach (Match run in runs)
        {
            int x = int.Parse(run.Groups[1].Value, CultureInfo.InvariantCulture);
            int y = int.Parse(run.Groups[2].Value, CultureInfo.InvariantCulture);
            for (int i = 0; i < int.Parse(run.Groups[3].Value, CultureInfo.InvariantCulture); i++)
            {
                modules.Add((x + i, y));
            }
        }

        return modules;
    }

    /// <summary>Dark modules of the matrix at the coordinates a 4-module quiet zone gives them, whatever margin QRCoder adds.</summary>
    private static SortedSet<(int X, int Y)> DarkModules(QRCodeData data)
    {
        int shift = 4 - ((data.ModuleMatrix.Count - (17 + (4 * data.Version))) / 2);
        var modules = new SortedSet<(int X, int Y)>();
        for (int y = 0; y < data.ModuleMatrix.Count; y++)
        {
            for (int x = 0; x < data.ModuleMatrix[y].Length; x++)
            {
                if (data.ModuleMatrix[y][x])
                {
                    modules.Add((x + shift, y + shift));
                }
            }
        }

        return modules;
    }
}
