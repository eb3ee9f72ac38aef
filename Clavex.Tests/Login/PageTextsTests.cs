using System.Reflection;
using System.Text.RegularExpressions;
using Clavex.Server.Login;

namespace Clavex.Tests.Login;

/// <summary>Issue 15: page texts in one resource file per language, chosen from ui_locales, then Accept-Language.</summary>
public partial class PageTextsTests
{
    private static IEnumerable<PropertyInfo> TextProperties() =>
        typeof(PageTexts).GetProperties().Where(p => p.PropertyType == typeof(string) && p.Name != nameof(PageTexts.Language));

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    public static IEnumerable<string> OtherLanguages() => PageTexts.Languages.Skip(1);

    [TestCaseSource(nameof(OtherLanguages))]
    public void Every_language_has_every_text_with_englishs_placeholders_and_its_own_words(string language)
    {
        PageTexts english = PageTexts.English;
        PageTexts other = PageTexts.For(language);
        Assert.That(other.Language, Is.EqualTo(language));

        using (Assert.EnterMultipleScope())
        {
            foreach (PropertyInfo property in TextProperties())
            {
                string en = (string)property.GetValue(english)!;
                string translated = (string)property.GetValue(other)!;
                Assert.That(translated, Is.Not.Empty, property.Name);
                Assert.That(Placeholder().Matches(translated).Select(m => m.Value).Order(), Is.EqualTo(Placeholder().Matches(en).Select(m => m.Value).Order()),
                    $"{property.Name}: the same placeholders as English");
            }

            Assert.That(other.Scopes.Keys, Is.EquivalentTo(english.Scopes.Keys));
            Assert.That(other.IncorrectCredentials, Is.Not.EqualTo(english.IncorrectCredentials), "translated, not copied");
        }
    }

    [Test]
    public void English_texts_are_all_there_and_its_placeholders_are_numbered_from_zero()
    {
        using (Assert.EnterMultipleScope())
        {
            foreach (PropertyInfo property in TextProperties())
            {
                string text = (string)property.GetValue(PageTexts.English)!;
                Assert.That(text, Is.Not.Empty, property.Name);
                var numbers = Placeholder().Matches(text).Select(m => int.Parse(m.Value[1..^1], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order().ToList();
                Assert.That(numbers, Is.EqualTo(Enumerable.Range(0, numbers.Count)), property.Name);
            }
        }
    }

    [TestCase(null, null, "en")]
    [TestCase("", "", "en")]
    [TestCase(null, "de", "de")]
    [TestCase(null, "de-AT,de;q=0.9,en;q=0.8", "de")]
    [TestCase(null, "fr-CH, fr;q=0.9, de;q=0.7, *;q=0.5", "de")]
    [TestCase(null, "fr-CH, fr;q=0.9, *;q=0.5, de;q=0.3", "en")]
    [TestCase(null, "en;q=0.5, de;q=0.8", "de")]
    [TestCase(null, "de;q=0, en", "en")]
    [TestCase(null, "de;q=0", "en")]
    [TestCase(null, "de;q=abc", "en")]
    [TestCase(null, "en, de", "en")]
    [TestCase(null, "DE", "de")]
    [TestCase("de", "en", "de")]
    [TestCase("fr de", "en", "de")]
    [TestCase("fr-CA", "de", "de")]
    [TestCase("en", "de", "en")]
    [TestCase("  ", "de", "de")]
    public void The_language_is_the_first_known_ui_locale_then_the_best_accept_language_then_english(string? uiLocales, string? acceptLanguage, string expected)
    {
        Assert.That(PageTexts.Choose(uiLocales, acceptLanguage).Language, Is.EqualTo(expected));
    }

    [Test]
    public void An_unknown_language_gets_english()
    {
        Assert.That(PageTexts.For("xx"), Is.SameAs(PageTexts.English));
    }
}
