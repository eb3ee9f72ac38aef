namespace Clavex.Server.Login;

/// <summary>The second-factor page: the code of the user's authenticator app, or one of their recovery codes.</summary>
public sealed record SecondFactorPageModel(string OrganizationName, string ClientName, PageForm Form)
{
    /// <summary>What a refused code shows; it does not say whether the code was wrong, expired or used before.</summary>
    public const string IncorrectCode = "That code is not valid. Enter the current code from your authenticator app, or one of your recovery codes.";

    public string? ErrorMessage { get; init; }
}

/// <summary>
/// The enrolment page: the QR code of the new authenticator's otpauth URI (<see cref="QrCodeSvg"/>), its key as text
/// for apps without a camera, and a field for the first code.
/// </summary>
public sealed record EnrolmentPageModel(string OrganizationName, string ClientName, string QrSvg, string Key, PageForm Form)
{
    public string? ErrorMessage { get; init; }

    public override string ToString() => $"EnrolmentPageModel {{ OrganizationName = {OrganizationName}, Key = (redacted) }}";
}

/// <summary>
/// After a second factor: new recovery codes to write down (shown this once), or after one was used, how many are
/// left; the form continues the authorization request.
/// </summary>
public sealed record RecoveryCodesPageModel(string OrganizationName, IReadOnlyList<string>? NewCodes, int CodesLeft, PageForm ContinueForm)
{
    public override string ToString() => $"RecoveryCodesPageModel {{ OrganizationName = {OrganizationName}, CodesLeft = {CodesLeft} }}";
}
