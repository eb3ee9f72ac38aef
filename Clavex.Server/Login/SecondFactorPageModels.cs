namespace Clavex.Server.Login;

/// <summary>
/// The second-factor page: one of the user's passkeys (when they have one), the code of their authenticator app (when
/// they have one), or one of their recovery codes (always).
/// </summary>
public sealed record SecondFactorPageModel(PageFrame Frame, string ClientName, PageForm Form)
{
    public string? ErrorMessage { get; init; }

    /// <summary>The user has an authenticator app: the code field asks for its code (else for a recovery code only).</summary>
    public bool OffersTotp { get; init; } = true;

    public PasskeyFormModel? Passkey { get; init; }
}

/// <summary>
/// The enrolment page: a passkey to register (where the organisation allows passkeys), and the QR code of a new
/// authenticator's otpauth URI (<see cref="QrCodeSvg"/>) with its key as text for apps without a camera and a field for
/// the first code (where it allows authenticator apps).
/// </summary>
public sealed record EnrolmentPageModel(PageFrame Frame, string ClientName, string? QrSvg, string? Key, PageForm Form)
{
    public string? ErrorMessage { get; init; }

    public PasskeyFormModel? Passkey { get; init; }

    public override string ToString() => $"EnrolmentPageModel {{ OrganizationName = {Frame.OrganizationName}, Key = (redacted) }}";
}

/// <summary>
/// After a second factor: new recovery codes to write down (shown this once), or after one was used, how many are
/// left; the form continues the authorization request.
/// </summary>
public sealed record RecoveryCodesPageModel(PageFrame Frame, IReadOnlyList<string>? NewCodes, int CodesLeft, PageForm ContinueForm)
{
    public override string ToString() => $"RecoveryCodesPageModel {{ OrganizationName = {Frame.OrganizationName}, CodesLeft = {CodesLeft} }}";
}

/// <summary>
/// A passkey form: where it posts (with the request's hidden fields), whether it registers (<c>create</c>) or signs in
/// (<c>get</c>), the options for <c>navigator.credentials</c> as JSON, and the challenge in them, which the form posts back.
/// </summary>
public sealed record PasskeyFormModel(PageForm Form, bool Create, string OptionsJson, string Challenge);
