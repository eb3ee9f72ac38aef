using System.Xml;
using System.Xml.Linq;

namespace Clavex.Tests.Login;

/// <summary>
/// Reads a page the way the tests need it. The pages are written to parse as XML too, so an unencoded value shows up
/// either as a parse failure or as an element or attribute that should not be there.
/// </summary>
internal sealed class HtmlPage
{
    private HtmlPage(XDocument document) => Document = document;

    public XDocument Document { get; }

    public IEnumerable<XElement> Elements(string name) => Document.Descendants(name);

    public XElement Single(string name) => Document.Descendants(name).Single();

    public IEnumerable<XElement> HiddenInputs =>
        Elements("input").Where(input => (string?)input.Attribute("type") == "hidden");

    public IEnumerable<KeyValuePair<string, string>> HiddenFields =>
        HiddenInputs.Select(input => new KeyValuePair<string, string>((string)input.Attribute("name")!, (string)input.Attribute("value")!));

    public static HtmlPage Parse(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return new HtmlPage(XDocument.Load(reader));
    }
}
