namespace Clavex.Tests.Login;

/// <summary>
/// PHC strings written by the argon2 reference implementation's command-line tool (the PHC winner's code, Debian
/// package <c>argon2</c> 0~20171227), e.g. <c>printf %s password | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e</c>.
/// RFC 9106 §5.3's Argon2id vector needs a secret, associated data and p = 4, none of which libsodium takes, so it
/// cannot be reproduced through NSec; these are the cross-check instead.
/// </summary>
internal static class Argon2ReferenceVectors
{
    public const string Salt = "somesaltsomesalt";

    /// <summary>"password" at the OWASP parameters.</summary>
    public const string Password = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE";

    /// <summary>"correct horse battery staple", salt "saltsaltsaltsalt"; raw hash 40a1eb83…4d6e5913.</summary>
    public const string CorrectHorse = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$QKHrg5tayLGcN+Y0HVPNaBqykOVLUxlMkZycXE1uWRM";

    /// <summary>"password" at the argon2 tool's old defaults m=4096, t=1: weaker than current.</summary>
    public const string PasswordWeak = "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$2gwotFrXd0+zAFJqh3DHaDnAxcUpU8hrA/whR9a0Ls0";

    /// <summary>"password" with one more pass than current: stronger, so no rehash.</summary>
    public const string PasswordStronger = "$argon2id$v=19$m=19456,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$rQds/Bu6doDlAX1q+x5hT4xN/rBg1Px81Z0nC+AIR1U";

    /// <summary>"password" with a 16-byte hash.</summary>
    public const string PasswordShortHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$REzoonlkmJMLgf4HLL89yw";

    /// <summary>"password" with p = 2, which libsodium does not compute.</summary>
    public const string PasswordTwoLanes = "$argon2id$v=19$m=19456,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$95cJ3H9tHPc45d9jXMA8pp1Vnhm/cIGM6WbjArv6ua8";

    /// <summary>"Amélie" as the UTF-8 of its NFC form (é = U+00E9), salt "saltsaltsaltsalt".</summary>
    public const string AmelieNfc = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$2wG3m0EzidIqLoAqIfAxh2ozaChToU+FvNJIIYtC9N8";
}
