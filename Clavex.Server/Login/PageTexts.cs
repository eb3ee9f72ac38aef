using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clavex.Server.Login;

/// <summary>
/// The words of every page in one language, read from <c>Login/Texts/{language}.json</c> (embedded in the assembly).
/// Every member is required and an unknown one is refused, so a file that misses a text or has a typo fails at the
/// first use of the class, and a test holds every language to English's keys and placeholders. Texts with
/// <c>{0}</c> take values through <see cref="Format(string, object?[])"/>. The language of a page is chosen by
/// <see cref="Choose"/>.
/// </summary>
public sealed class PageTexts
{
    /// <summary>The languages shipped, first the default; their BCP 47 primary subtags.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    // Before All: static fields initialise in order, and All's loading uses these.
    private static readonly JsonSerializerOptions ReadOptions = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly FrozenDictionary<string, PageTexts> All = Languages.ToFrozenDictionary(l => l, Load, StringComparer.OrdinalIgnoreCase);

    public static PageTexts English { get; } = All["en"];

    /// <summary>The BCP 47 tag of these texts, for <c>&lt;html lang&gt;</c> and <c>Content-Language</c>.</summary>
    [JsonIgnore]
    public string Language { get; private set; } = "en";

    public required string LanguageName { get; init; }

    public required string LoginTitle { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    public required string SignIn { get; init; }

    public required string SignInWithPasskey { get; init; }

    public required string IncorrectCredentials { get; init; }

    public required string IncorrectPasskeyAtLogin { get; init; }

    public required string VerifyTitle { get; init; }

    public required string UsePasskeyFor { get; init; }

    public required string UsePasskey { get; init; }

    public required string CodeHelpTotp { get; init; }

    public required string CodeHelpRecoveryOnly { get; init; }

    public required string Code { get; init; }

    public required string RecoveryCode { get; init; }

    public required string Verify { get; init; }

    public required string IncorrectCode { get; init; }

    public required string IncorrectPasskey { get; init; }

    public required string EnrolPasskeyTitle { get; init; }

    public required string EnrolTotpTitle { get; init; }

    public required string EnrolEitherTitle { get; init; }

    public required string EnrolIntro { get; init; }

    public required string PasskeyHeading { get; init; }

    public required string PasskeyName { get; init; }

    public required string PasskeyNamePlaceholder { get; init; }

    public required string CreatePasskey { get; init; }

    public required string PasskeyNeedsScript { get; init; }

    public required string AuthenticatorAppHeading { get; init; }

    public required string ScanQrCode { get; init; }

    public required string QrCodeLabel { get; init; }

    public required string CannotScan { get; init; }

    public required string CodeFromApp { get; init; }

    public required string TurnOn { get; init; }

    public required string EnrolCodeRejected { get; init; }

    public required string EnrolPasskeyRejected { get; init; }

    public required string RecoveryCodesTitle { get; init; }

    public required string SaveRecoveryCodes { get; init; }

    public required string SaveRecoveryCodesHelp { get; init; }

    public required string UsedRecoveryCode { get; init; }

    public required string LastRecoveryCodeUsed { get; init; }

    public required string RecoveryCodeLeft { get; init; }

    public required string RecoveryCodesLeft { get; init; }

    public required string Continue { get; init; }

    public required string ConsentTitle { get; init; }

    public required string ConsentAsking { get; init; }

    public required string Allow { get; init; }

    public required string Deny { get; init; }

    /// <summary>What each scope lets the client do, as the consent page says it (OIDC Core §5.4); a scope without words is shown as its name.</summary>
    public required IReadOnlyDictionary<string, string> Scopes { get; init; }

    public required string SignOutTitle { get; init; }

    public required string SignOut { get; init; }

    public required string Cancel { get; init; }

    public required string SignedOutTitle { get; init; }

    public required string CloseWindow { get; init; }

    public required string BackTo { get; init; }

    public required string Reference { get; init; }

    public required string SendReference { get; init; }

    public required string SignInRefusedTitle { get; init; }

    public required string SignOutRefusedTitle { get; init; }

    public required string SignOutNotRegistered { get; init; }

    public required string SignOutInvalid { get; init; }

    public required string SignOutFormExpired { get; init; }

    public required string NotAFormTitle { get; init; }

    public required string NotAForm { get; init; }

    public required string FormExpiredTitle { get; init; }

    public required string FormExpired { get; init; }

    public required string ServerErrorTitle { get; init; }

    public required string ServerError { get; init; }

    public required string NotFoundTitle { get; init; }

    public required string DoubledSlashAtIssuer { get; init; }

    public required string TrailingSlashAtIssuer { get; init; }

    public required string DoubledSlash { get; init; }

    public required string NothingHere { get; init; }

    public required string UnknownOrganizationTitle { get; init; }

    public required string UnknownOrganization { get; init; }

    public required string ThrottledTitle { get; init; }

    public required string Throttled { get; init; }

    public required string UnavailableTitle { get; init; }

    public required string Unavailable { get; init; }

    public required string ReturningTitle { get; init; }

    public required string ReturningNoScript { get; init; }

    public required string AccountTitle { get; init; }

    public required string SignedInAs { get; init; }

    public required string PasswordChanged { get; init; }

    public required string PasskeyAdded { get; init; }

    public required string TotpAdded { get; init; }

    public required string FactorRemoved { get; init; }

    public required string SessionEnded { get; init; }

    public required string LastFactor { get; init; }

    public required string NewRecoveryCodesHeading { get; init; }

    public required string NewRecoveryCodesHelp { get; init; }

    public required string ConfirmFirst { get; init; }

    public required string ConfirmLink { get; init; }

    public required string PasswordHeading { get; init; }

    public required string CurrentPassword { get; init; }

    public required string NewPassword { get; init; }

    public required string ChangePassword { get; init; }

    public required string PasskeysHeading { get; init; }

    public required string NoPasskeys { get; init; }

    public required string Synced { get; init; }

    public required string ThisDeviceOnly { get; init; }

    public required string AddedLastUsed { get; init; }

    public required string Never { get; init; }

    public required string RemoveNamed { get; init; }

    public required string NewPasskeyName { get; init; }

    public required string AddPasskey { get; init; }

    public required string TotpSetUpLastUsed { get; init; }

    public required string RemoveTotp { get; init; }

    public required string NoTotp { get; init; }

    public required string SetUpTotp { get; init; }

    public required string UnusedRecoveryCodes { get; init; }

    public required string MakeNewRecoveryCodes { get; init; }

    public required string SessionsHeading { get; init; }

    public required string ThisBrowser { get; init; }

    public required string AddressUnknown { get; init; }

    public required string SessionLine { get; init; }

    public required string EndSession { get; init; }

    public required string SignInsHeading { get; init; }

    public required string NoneRecorded { get; init; }

    public required string SignedIn { get; init; }

    public required string LockedOut { get; init; }

    public required string SignInRefused { get; init; }

    public required string UnknownBrowser { get; init; }

    public required string BrowserOnSystem { get; init; }

    public required string WrongCurrentPassword { get; init; }

    public required string PasskeyNotRegistered { get; init; }

    public required string PasskeyNotYours { get; init; }

    public required string TotpNotAllowed { get; init; }

    public required string TotpCodeRejected { get; init; }

    public required string TotpNotSetUp { get; init; }

    public required string NoTotpToRemove { get; init; }

    public required string RecoveryCodesNeedFactor { get; init; }

    public required string SessionAlreadyEnded { get; init; }

    public required string AccountLinkExpiredTitle { get; init; }

    public required string AccountOpenAgain { get; init; }

    public required string AccountNotSignedInTitle { get; init; }

    public required string AccountSignInIncomplete { get; init; }

    public required string AccountUnavailableTitle { get; init; }

    public required string AccountGone { get; init; }

    public required string AccountPageOffTitle { get; init; }

    public required string AccountPageOff { get; init; }

    public static PageTexts For(string language) => All.TryGetValue(language, out PageTexts? texts) ? texts : English;

    /// <summary>
    /// The language of a page: the first of the request's <c>ui_locales</c> (OIDC Core §3.1.2.1: space-separated BCP 47
    /// tags in order of preference) that Clavex has, else the best of the browser's <c>Accept-Language</c>
    /// (RFC 9110 §12.5.4: by q-value, then order; <c>q=0</c> means not acceptable), else English. Tags match by their
    /// primary subtag (<c>de-AT</c> gets German).
    /// </summary>
    public static PageTexts Choose(string? uiLocales, string? acceptLanguage)
    {
        if (!string.IsNullOrWhiteSpace(uiLocales))
        {
            foreach (string tag in uiLocales.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (Find(tag) is PageTexts texts)
                {
                    return texts;
                }
            }
        }

        return string.IsNullOrWhiteSpace(acceptLanguage) ? English : FromAcceptLanguage(acceptLanguage);
    }

    /// <summary>The text with its <c>{0}</c>, <c>{1}</c>… replaced (invariant culture: values arrive formatted).</summary>
    public static string Format(string text, params object?[] values) => string.Format(CultureInfo.InvariantCulture, text, values);

    private static PageTexts FromAcceptLanguage(string header)
    {
        PageTexts? best = null;
        double bestQuality = 0;
        foreach (string item in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = item.Split(';', StringSplitOptions.TrimEntries);
            double quality = 1;
            for (int i = 1; i < parts.Length; i++)
            {
                if (parts[i].StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && !double.TryParse(parts[i].AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality))
                {
                    quality = 0;
                }
            }

            // Strictly greater: among equal q-values the first listed wins.
            if (quality > bestQuality && (parts[0] == "*" ? English : Find(parts[0])) is PageTexts texts)
            {
                best = texts;
                bestQuality = quality;
            }
        }

        return best ?? English;
    }

    private static PageTexts? Find(string tag)
    {
        int dash = tag.IndexOf('-');
        string primary = dash < 0 ? tag : tag[..dash];
        return All.GetValueOrDefault(primary);
    }

    private static PageTexts Load(string language)
    {
        string name = $"Clavex.Server.Login.Texts.{language}.json";
        using Stream stream = typeof(PageTexts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The page texts '{name}' are not embedded in the assembly.");
        PageTexts texts = JsonSerializer.Deserialize<PageTexts>(stream, ReadOptions)
            ?? throw new InvalidOperationException($"The page texts '{name}' are empty.");
        texts.Language = language;
        return texts;
    }
}
