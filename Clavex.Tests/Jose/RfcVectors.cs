// Published test vectors for the JOSE/OAuth code, copied from the RFC texts.
//
// Every value below was taken from retrieved copies of the RFC text (or from test
// fixtures that quote the RFC verbatim), with the RFCs' "line breaks for display
// purposes only" removed and nothing else changed. None of it was computed here.
// All of it was checked independently (Python `cryptography`) by a script that parses
// this very file: HMACs and RSASSA-PKCS1-v1_5 signatures recomputed byte for byte,
// ECDSA signatures verified, RSA CRT members checked against n/d, the thumbprint and
// the PKCE challenge recomputed, and every encoded part decoded and compared.
//
// Sources used (what was actually read):
//   RFC 7515 A.1-A.3: potatosalad/ruby-jose test/jose_test.rb (quotes the RFC values and
//     octet arrays), the Rust crate jaws' rfc7515_example_A2 test (the A.2 JWK with the
//     RFC's own line wraps), hdknr/hdknr.github.com (transcription of the A.2 text),
//     shogo82148/goat jwk tests (A.3 JWK); https://www.rfc-editor.org/rfc/rfc7515#appendix-A
//   RFC 7520: mpdavis/python-jose tests/rfc/test_rfc7520.py, which carries the full RFC 7520
//     text as comments; https://www.rfc-editor.org/rfc/rfc7520
//   RFC 7638 §3.1: jwtk/jjwt .../impl/security/RFC7638Section3Dot1Test.groovy (quotes the
//     section with its line wraps, the canonical JSON, its octets and the digest octets)
//   RFC 7636 App. B: https://rfcinfo.com/rfc-7636/appendix-b (text of the appendix)
//
// Strings containing CR LF use ordinary escaped literals (\r\n) rather than raw or
// verbatim literals, so the bytes do not depend on the line endings of this source file.

namespace Clavex.Tests.Jose;

/// <summary>Test vectors published in RFC 7515, RFC 7520, RFC 7638 and RFC 7636.</summary>
internal static class RfcVectors
{
    /// <summary>RFC 7515 Appendix A.1: Example JWS Using HMAC SHA-256 (HS256).</summary>
    public static class Rfc7515A1
    {
        /// <summary>
        /// JWS Protected Header exactly as the RFC's octets (A.1.1):
        /// [123, 34, 116, 121, 112, 34, 58, 34, 74, 87, 84, 34, 44, 13, 10, 32, ...]:
        /// a CR LF (13, 10) after the comma, then ONE leading space before "alg", no trailing
        /// line break. Written with \r\n escapes so the bytes are exact (30 bytes of ASCII).
        /// </summary>
        public const string ProtectedHeaderJson = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";

        /// <summary>
        /// BASE64URL(UTF8(JWS Protected Header)).
        /// </summary>
        public const string EncodedProtectedHeader = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";

        /// <summary>
        /// JWS Payload (the JWT Claims Set) exactly as the RFC's octets: CR LF + one space
        /// between the members, no trailing line break (70 bytes of ASCII).
        /// </summary>
        public const string PayloadJson = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

        /// <summary>
        /// BASE64URL(JWS Payload).
        /// </summary>
        public const string EncodedPayload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

        /// <summary>
        /// JWK "kty" of the HMAC key.
        /// </summary>
        public const string Kty = "oct";

        /// <summary>
        /// JWK "k": the symmetric key (base64url, 64 octets).
        /// </summary>
        public const string K = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

        /// <summary>
        /// ASCII(BASE64URL(UTF8(JWS Protected Header)) || '.' || BASE64URL(JWS Payload)).
        /// </summary>
        public const string SigningInput = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

        /// <summary>
        /// BASE64URL(JWS Signature): HMAC-SHA-256 of SigningInput under K.
        /// </summary>
        public const string Signature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

        /// <summary>
        /// The complete JWS Compact Serialization.
        /// </summary>
        public const string CompactJws = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    }

    /// <summary>RFC 7515 Appendix A.2: Example JWS Using RSASSA-PKCS1-v1_5 SHA-256 (RS256).</summary>
    public static class Rfc7515A2
    {
        /// <summary>
        /// JWS Protected Header (no whitespace).
        /// </summary>
        public const string ProtectedHeaderJson = """{"alg":"RS256"}""";

        /// <summary>
        /// BASE64URL(UTF8(JWS Protected Header)).
        /// </summary>
        public const string EncodedProtectedHeader = "eyJhbGciOiJSUzI1NiJ9";

        /// <summary>
        /// Same payload as A.1 (CR LF + one space between members).
        /// </summary>
        public const string PayloadJson = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

        /// <summary>
        /// BASE64URL(JWS Payload), same as A.1.
        /// </summary>
        public const string EncodedPayload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

        /// <summary>
        /// JWK "kty".
        /// </summary>
        public const string Kty = "RSA";

        /// <summary>
        /// JWK "n": modulus (2048 bits) (base64url).
        /// </summary>
        public const string N = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

        /// <summary>
        /// JWK "e": public exponent (base64url).
        /// </summary>
        public const string E = "AQAB";

        /// <summary>
        /// JWK "d": private exponent (base64url).
        /// </summary>
        public const string D = "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ";

        /// <summary>
        /// JWK "p": first prime factor (base64url).
        /// </summary>
        public const string P = "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";

        /// <summary>
        /// JWK "q": second prime factor (base64url).
        /// </summary>
        public const string Q = "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";

        /// <summary>
        /// JWK "dp": first factor CRT exponent (base64url).
        /// </summary>
        public const string Dp = "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0";

        /// <summary>
        /// JWK "dq": second factor CRT exponent (base64url).
        /// </summary>
        public const string Dq = "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU";

        /// <summary>
        /// JWK "qi": first CRT coefficient (base64url).
        /// </summary>
        public const string Qi = "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U";

        /// <summary>
        /// ASCII JWS Signing Input.
        /// </summary>
        public const string SigningInput = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

        /// <summary>
        /// BASE64URL(JWS Signature). RSASSA-PKCS1-v1_5 is deterministic: signing SigningInput
        /// with this key must reproduce these bytes exactly.
        /// </summary>
        public const string Signature = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

        /// <summary>
        /// The complete JWS Compact Serialization.
        /// </summary>
        public const string CompactJws = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    }

    /// <summary>RFC 7515 Appendix A.3: Example JWS Using ECDSA P-256 SHA-256 (ES256).</summary>
    public static class Rfc7515A3
    {
        /// <summary>
        /// JWS Protected Header (no whitespace).
        /// </summary>
        public const string ProtectedHeaderJson = """{"alg":"ES256"}""";

        /// <summary>
        /// BASE64URL(UTF8(JWS Protected Header)).
        /// </summary>
        public const string EncodedProtectedHeader = "eyJhbGciOiJFUzI1NiJ9";

        /// <summary>
        /// Same payload as A.1 (CR LF + one space between members).
        /// </summary>
        public const string PayloadJson = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

        /// <summary>
        /// BASE64URL(JWS Payload), same as A.1.
        /// </summary>
        public const string EncodedPayload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

        /// <summary>
        /// JWK "kty".
        /// </summary>
        public const string Kty = "EC";

        /// <summary>
        /// JWK "crv".
        /// </summary>
        public const string Crv = "P-256";

        /// <summary>
        /// JWK "x" (32 octets, base64url).
        /// </summary>
        public const string X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";

        /// <summary>
        /// JWK "y" (32 octets, base64url).
        /// </summary>
        public const string Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

        /// <summary>
        /// JWK "d" (32 octets, base64url).
        /// </summary>
        public const string D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";

        /// <summary>
        /// ASCII JWS Signing Input.
        /// </summary>
        public const string SigningInput = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

        /// <summary>
        /// BASE64URL(R || S), 64 octets (R and S 32 octets each, big-endian). ECDSA is
        /// randomized: this value can only be verified, never reproduced by signing.
        /// </summary>
        public const string Signature = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

        /// <summary>
        /// The complete JWS Compact Serialization.
        /// </summary>
        public const string CompactJws = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    }

    /// <summary>RFC 7520 (JOSE Cookbook): keys of §3.4 and §3.5, signatures of §4.1 (RS256) and §4.4 (HS256).</summary>
    public static class Rfc7520
    {
        /// <summary>
        /// §4, Figure 7, as text: both apostrophes in "It’s" and "there’s" are U+2019 RIGHT
        /// SINGLE QUOTATION MARK (UTF-8 E2 80 99); "don't" is a plain U+0027. The RFC's line
        /// breaks in Figure 7 are display only: the payload has single spaces and no line
        /// break. Encode as UTF-8 to get the JWS Payload. EncodedPayload is authoritative.
        /// </summary>
        public const string Payload = "It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you don't keep your feet, there\u2019s no knowing where you might be swept off to.";

        /// <summary>
        /// §4, Figure 8: BASE64URL(UTF8(Payload)). Authoritative.
        /// </summary>
        public const string EncodedPayload = "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";

        /// <summary>§3.4, Figure 4: RSA 2048-bit private key "bilbo.baggins@hobbiton.example".</summary>
        public static class RsaKey
        {
            /// <summary>
            /// JWK "kty".
            /// </summary>
            public const string Kty = "RSA";

            /// <summary>
            /// JWK "kid".
            /// </summary>
            public const string Kid = "bilbo.baggins@hobbiton.example";

            /// <summary>
            /// JWK "use".
            /// </summary>
            public const string Use = "sig";

            /// <summary>
            /// JWK "n" (base64url).
            /// </summary>
            public const string N = "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw";

            /// <summary>
            /// JWK "e" (base64url).
            /// </summary>
            public const string E = "AQAB";

            /// <summary>
            /// JWK "d" (base64url).
            /// </summary>
            public const string D = "bWUC9B-EFRIo8kpGfh0ZuyGPvMNKvYWNtB_ikiH9k20eT-O1q_I78eiZkpXxXQ0UTEs2LsNRS-8uJbvQ-A1irkwMSMkK1J3XTGgdrhCku9gRldY7sNA_AKZGh-Q661_42rINLRCe8W-nZ34ui_qOfkLnK9QWDDqpaIsA-bMwWWSDFu2MUBYwkHTMEzLYGqOe04noqeq1hExBTHBOBdkMXiuFhUq1BU6l-DqEiWxqg82sXt2h-LMnT3046AOYJoRioz75tSUQfGCshWTBnP5uDjd18kKhyv07lhfSJdrPdM5Plyl21hsFf4L_mHCuoFau7gdsPfHPxxjVOcOpBrQzwQ";

            /// <summary>
            /// JWK "p" (base64url).
            /// </summary>
            public const string P = "3Slxg_DwTXJcb6095RoXygQCAZ5RnAvZlno1yhHtnUex_fp7AZ_9nRaO7HX_-SFfGQeutao2TDjDAWU4Vupk8rw9JR0AzZ0N2fvuIAmr_WCsmGpeNqQnev1T7IyEsnh8UMt-n5CafhkikzhEsrmndH6LxOrvRJlsPp6Zv8bUq0k";

            /// <summary>
            /// JWK "q" (base64url).
            /// </summary>
            public const string Q = "uKE2dh-cTf6ERF4k4e_jy78GfPYUIaUyoSSJuBzp3Cubk3OCqs6grT8bR_cu0Dm1MZwWmtdqDyI95HrUeq3MP15vMMON8lHTeZu2lmKvwqW7anV5UzhM1iZ7z4yMkuUwFWoBvyY898EXvRD-hdqRxHlSqAZ192zB3pVFJ0s7pFc";

            /// <summary>
            /// JWK "dp" (base64url).
            /// </summary>
            public const string Dp = "B8PVvXkvJrj2L-GYQ7v3y9r6Kw5g9SahXBwsWUzp19TVlgI-YV85q1NIb1rxQtD-IsXXR3-TanevuRPRt5OBOdiMGQp8pbt26gljYfKU_E9xn-RULHz0-ed9E9gXLKD4VGngpz-PfQ_q29pk5xWHoJp009Qf1HvChixRX59ehik";

            /// <summary>
            /// JWK "dq" (base64url).
            /// </summary>
            public const string Dq = "CLDmDGduhylc9o7r84rEUVn7pzQ6PF83Y-iBZx5NT-TpnOZKF1pErAMVeKzFEl41DlHHqqBLSM0W1sOFbwTxYWZDm6sI6og5iTbwQGIC3gnJKbi_7k_vJgGHwHxgPaX2PnvP-zyEkDERuf-ry4c_Z11Cq9AqC2yeL6kdKT1cYF8";

            /// <summary>
            /// JWK "qi" (base64url).
            /// </summary>
            public const string Qi = "3PiqvXQN0zwMeE-sBvZgi289XP9XCQF3VWqPzMKnIgQp7_Tugo6-NZBKCQsMf3HaEGBjTVJs_jcK8-TRXvaKe-7ZMaQj8VfBdYkssbu0NKDDhjJ-GtiseaDVWt7dcH0cfwxgFUHpQh7FoCrjFJ6h6ZEpMF6xmujs4qMpPz8aaI4";
        }

        /// <summary>§3.5, Figure 5: HMAC SHA-256 symmetric key "018c0ae5-4d9b-471b-bfd6-eef314bc7037".</summary>
        public static class HmacKey
        {
            /// <summary>
            /// JWK "kty".
            /// </summary>
            public const string Kty = "oct";

            /// <summary>
            /// JWK "kid".
            /// </summary>
            public const string Kid = "018c0ae5-4d9b-471b-bfd6-eef314bc7037";

            /// <summary>
            /// JWK "use".
            /// </summary>
            public const string Use = "sig";

            /// <summary>
            /// JWK "alg".
            /// </summary>
            public const string Alg = "HS256";

            /// <summary>
            /// JWK "k" (base64url, 32 octets).
            /// </summary>
            public const string K = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
        }

        /// <summary>§4.1: RSA v1.5 Signature (RS256) with RsaKey over Payload.</summary>
        public static class Rs256
        {
            /// <summary>
            /// Figure 9 as actually encoded (the decoding of Figure 10): the RFC prints it with
            /// whitespace added for readability; the encoded header has none.
            /// </summary>
            public const string ProtectedHeaderJson = """{"alg":"RS256","kid":"bilbo.baggins@hobbiton.example"}""";

            /// <summary>
            /// Figure 10: JWS Protected Header, base64url-encoded.
            /// </summary>
            public const string EncodedProtectedHeader = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9";

            /// <summary>
            /// Figure 11: JWS Signing Input.
            /// </summary>
            public const string SigningInput = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";

            /// <summary>
            /// Figure 12: JWS Signature, base64url-encoded (deterministic: reproducible).
            /// </summary>
            public const string Signature = "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";

            /// <summary>
            /// Figure 13: JWS Compact Serialization.
            /// </summary>
            public const string CompactJws = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg";
        }

        /// <summary>§4.4: HMAC-SHA2 Integrity Protection (HS256) with HmacKey over Payload.</summary>
        public static class Hs256
        {
            /// <summary>
            /// Figure 30 as actually encoded (the decoding of Figure 31): the RFC prints it with
            /// whitespace added for readability; the encoded header has none.
            /// </summary>
            public const string ProtectedHeaderJson = """{"alg":"HS256","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"}""";

            /// <summary>
            /// Figure 31: JWS Protected Header, base64url-encoded.
            /// </summary>
            public const string EncodedProtectedHeader = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9";

            /// <summary>
            /// Figure 32: JWS Signing Input.
            /// </summary>
            public const string SigningInput = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";

            /// <summary>
            /// Figure 33: JWS Signature, base64url-encoded.
            /// </summary>
            public const string Signature = "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";

            /// <summary>
            /// Figure 34: JWS Compact Serialization.
            /// </summary>
            public const string CompactJws = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";
        }
    }

    /// <summary>RFC 7638 §3.1: Example JWK Thumbprint Computation.</summary>
    public static class Rfc7638
    {
        /// <summary>
        /// JWK "kty".
        /// </summary>
        public const string Kty = "RSA";

        /// <summary>
        /// JWK "n" (base64url).
        /// </summary>
        public const string N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

        /// <summary>
        /// JWK "e".
        /// </summary>
        public const string E = "AQAB";

        /// <summary>
        /// JWK "alg" (not part of the thumbprint).
        /// </summary>
        public const string Alg = "RS256";

        /// <summary>
        /// JWK "kid" (not part of the thumbprint).
        /// </summary>
        public const string Kid = "2011-04-29";

        /// <summary>
        /// The §3.1 example JWK with the RFC's display whitespace removed; members in the
        /// RFC's order (kty, n, e, alg, kid).
        /// </summary>
        public const string JwkJson = """{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}""";

        /// <summary>
        /// The canonical thumbprint input the RFC shows: required members only, sorted,
        /// no whitespace (the RFC's line breaks within the value are display only).
        /// </summary>
        public const string CanonicalJson = """{"e":"AQAB","kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}""";

        /// <summary>
        /// BASE64URL(SHA-256(UTF8(CanonicalJson))).
        /// </summary>
        public const string Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    }

    /// <summary>RFC 7636 Appendix B: Example for the S256 code_challenge_method.</summary>
    public static class Rfc7636
    {
        /// <summary>
        /// code_verifier (base64url of the RFC's 32 example octets).
        /// </summary>
        public const string CodeVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

        /// <summary>
        /// code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
        /// </summary>
        public const string CodeChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

        /// <summary>
        /// code_challenge_method.
        /// </summary>
        public const string CodeChallengeMethod = "S256";
    }
}
