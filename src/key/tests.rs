use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[path = "../../tests/common/mod.rs"]
mod common;
use common::key_fixture as fixture;

fn code(r: Result<PublicKey, Error>) -> Option<ErrorCode> {
    r.err().map(|e| e.code())
}

#[test]
fn every_form_of_the_same_key_parses_to_the_same_key() {
    for name in ["rsa2048", "rsa3072", "rsa4096"] {
        let keys: Vec<PublicKey> = common::KEY_FORMS
            .iter()
            .map(|form| {
                PublicKey::parse(fixture(&format!("{name}.{form}")))
                    .unwrap_or_else(|e| panic!("{name}.{form}: {e}"))
            })
            .collect();
        for key in &keys {
            assert_eq!(key.bits(), keys[0].bits());
            assert_eq!(key.exponent(), 65537);
            assert_eq!(
                key.modulus()
                    .pow_be(&[1u8; 1].repeat(key.signature_len()), 3),
                keys[0]
                    .modulus()
                    .pow_be(&[1u8; 1].repeat(key.signature_len()), 3)
            );
        }
        assert_eq!(keys[0].bits(), name[3..].parse::<u32>().expect("bits"));
    }
}

/// The public Zentitle moduli from Nalpeiron's samples, copied into `tests/data/zentitle/`
/// (`tests/shared_drift.rs` checks the copies against the contract folder when it is there).
fn shared_modulus(file: &str) -> String {
    match file {
        "demo" => include_str!("../../tests/data/zentitle/tenant-modulus-demo.b64url.txt"),
        _ => include_str!("../../tests/data/zentitle/even-modulus-test-env.b64url.txt"),
    }
    .to_string()
}

#[test]
fn the_real_zentitle_demo_modulus_parses() {
    let key = PublicKey::parse(shared_modulus("demo")).expect("demo modulus parses");
    assert_eq!(
        (key.bits(), key.signature_len(), key.exponent()),
        (2048, 256, 65537)
    );
}

/// The test-environment modulus from Nalpeiron's public sample decodes (342 base64url
/// characters, 2048 bits), but to an even number: its last character, 'P', puts `00` in the
/// lowest bits. No RSA modulus is even (it is a product of two odd primes), so no signature
/// could ever verify under it: it is refused when the verifier is built, with a hint, rather
/// than failing every delivery later.
#[test]
fn the_real_zentitle_test_env_modulus_decodes_but_is_even() {
    let text = shared_modulus("test-env");
    let n = decode_lenient(text.trim()).expect("base64url decodes");
    assert_eq!(n.len(), 256);
    assert_eq!(
        n.last().map(|b| b & 1),
        Some(0),
        "the sample modulus is even"
    );
    let err = PublicKey::parse(&text).expect_err("an even modulus is refused");
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert!(err.hint().is_some_and(|h| h.contains("even")));
}

#[test]
fn the_modulus_tolerates_whitespace_padding_and_the_standard_alphabet() {
    let m = String::from_utf8(fixture("rsa2048.modulus.txt")).expect("utf8");
    let m = m.trim();
    let reference = PublicKey::parse(m).expect("plain");
    let standard = m.replace('-', "+").replace('_', "/");
    for variant in [
        format!("\n  {m}\t\n"),
        format!("{m}="),
        format!("{standard}="),
    ] {
        let key = PublicKey::parse(&variant).expect("variant parses");
        assert_eq!(key.bits(), reference.bits());
    }
}

#[test]
fn weak_keys_are_refused_unless_allowed() {
    assert_eq!(
        code(PublicKey::parse(fixture("weak1024.spki.pem"))),
        Some(ErrorCode::WeakKey)
    );
    assert_eq!(
        code(PublicKey::parse(fixture("weak1024.modulus.txt"))),
        Some(ErrorCode::WeakKey)
    );
    let key = PublicKey::parse_with(
        fixture("weak1024.jwk.json"),
        KeyOptions { min_key_bits: 1024 },
    )
    .expect("allowed");
    assert_eq!(key.bits(), 1024);
}

#[test]
fn a_truncated_modulus_is_weak_with_a_length_hint() {
    let m = String::from_utf8(fixture("rsa2048.modulus.txt")).expect("utf8");
    let err = PublicKey::parse(&m.trim()[..300]).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::WeakKey);
    assert_eq!(err.hint(), Some(WRONG_LENGTH_HINT));
}

#[test]
fn bad_exponents_and_even_moduli_are_invalid() {
    let n = {
        let m = String::from_utf8(fixture("rsa2048.modulus.txt")).expect("utf8");
        decode_lenient(m.trim()).expect("b64")
    };
    let opts = KeyOptions::default();
    for e in [&[1u8][..], &[2], &[0], &[], &[1, 0, 0], &[1, 0, 0, 0, 1]] {
        assert_eq!(
            code(PublicKey::from_be_components(&n, e, opts)),
            Some(ErrorCode::InvalidKey),
            "e={e:?}"
        );
    }
    assert!(PublicKey::from_be_components(&n, &[3], opts).is_ok());
    let mut even = n.clone();
    *even.last_mut().expect("non-empty") &= 0xfe;
    assert_eq!(
        code(PublicKey::from_be_components(&even, &[1, 0, 1], opts)),
        Some(ErrorCode::InvalidKey)
    );
    let huge = vec![0xffu8; 2049];
    assert_eq!(
        code(PublicKey::from_be_components(&huge, &[1, 0, 1], opts)),
        Some(ErrorCode::InvalidKey)
    );
}

#[test]
fn certificates_private_keys_and_junk_are_invalid_with_hints() {
    let cert = PublicKey::parse(fixture("rsa2048.cert.pem")).expect_err("refused");
    assert_eq!(
        (
            cert.code(),
            cert.hint().is_some_and(|h| h.contains("certificate"))
        ),
        (ErrorCode::InvalidKey, true)
    );
    let private = PublicKey::parse(fixture("rsa2048.key.pem")).expect_err("refused");
    assert_eq!(
        (
            private.code(),
            private.hint().is_some_and(|h| h.contains("private key"))
        ),
        (ErrorCode::InvalidKey, true)
    );
    for junk in [
        &b""[..],
        b"   ",
        b"not a key!",
        b"abc",
        b"AQAB",
        b"{\"kty\":\"EC\"}",
        b"{\"kty\":\"RSA\"}",
        b"{broken",
        &[0x30, 0x82, 0xff],
        &[0xff, 0xfe],
    ] {
        assert_eq!(
            code(PublicKey::parse(junk)),
            Some(ErrorCode::InvalidKey),
            "{junk:?}"
        );
    }
}

#[test]
fn quoted_keys_get_a_hint() {
    let m = String::from_utf8(fixture("rsa2048.modulus.txt")).expect("utf8");
    let err = PublicKey::parse(format!("\"{}\"", m.trim())).expect_err("refused");
    assert!(err.hint().is_some_and(|h| h.contains("quotes")));
}

#[test]
fn pem_survives_lost_or_escaped_newlines_but_not_truncation() {
    let pem = String::from_utf8(fixture("rsa2048.spki.pem")).expect("utf8");
    let one_line = pem.replace('\n', " ");
    let escaped = pem.replace('\n', "\\n");
    let glued = pem.replace('\n', "");
    for variant in [&one_line, &escaped, &glued] {
        assert_eq!(
            PublicKey::parse(variant).map(|k| k.bits()),
            Ok(2048),
            "{variant}"
        );
    }
    let truncated = &pem[..pem.len() / 2];
    let err = PublicKey::parse(truncated).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert!(err.hint().is_some_and(|h| h.contains("cut short")));
    let der = fixture("rsa2048.spki.der");
    for cut in [1, 10, 100, der.len() - 1] {
        assert_eq!(
            code(PublicKey::parse(&der[..cut])),
            Some(ErrorCode::InvalidKey)
        );
    }
}

#[test]
fn a_private_jwk_is_used_as_its_public_half() {
    let jwk = String::from_utf8(fixture("rsa2048.jwk.json")).expect("utf8");
    let private = jwk.replacen('{', "{\"d\":\"AAAA\",\"p\":\"AQAB\",", 1);
    assert_eq!(PublicKey::parse(private).map(|k| k.bits()), Ok(2048));
}

#[test]
fn debug_does_not_print_the_modulus() {
    let key = PublicKey::parse(fixture("rsa2048.modulus.txt")).expect("key");
    assert_eq!(format!("{key:?}"), "PublicKey { bits: 2048, .. }");
}

/// The base64 between a PEM block's BEGIN and END lines.
fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

#[test]
fn pem_labels_must_match() {
    let pem = String::from_utf8(fixture("rsa2048.spki.pem")).expect("utf-8");
    let mixed = pem.replace("END PUBLIC KEY", "END RSA PRIVATE KEY");
    let err = PublicKey::parse(&mixed).expect_err("mismatched labels");
    assert_eq!(err.code(), ErrorCode::InvalidKey);
    assert!(err.hint().is_some_and(|h| h.contains("does not match")));
}

#[test]
fn exactly_one_pem_block_is_accepted() {
    let first = String::from_utf8(fixture("rsa2048.spki.pem")).expect("utf-8");
    let second = String::from_utf8(fixture("other2048.spki.pem")).expect("utf-8");
    let err = PublicKey::parse(format!("{first}{second}")).expect_err("two blocks");
    assert!(err.hint().is_some_and(|h| h.contains("more than one")));
    let err = PublicKey::parse(format!("{first}\nsomething else\n")).expect_err("trailing text");
    assert!(err.hint().is_some_and(|h| h.contains("after")));
    // Trailing whitespace and the literal "\n" of a secret store are fine.
    assert!(PublicKey::parse(format!("{first}\n\n  ")).is_ok());
    assert!(PublicKey::parse(first.replace('\n', "\\n")).is_ok());
}

#[test]
fn bare_base64_der_is_read_as_der() {
    for (form, name) in [
        ("spki.pem", "rsa2048"),
        ("pkcs1.pem", "rsa2048"),
        ("spki.pem", "rsa4096"),
    ] {
        let pem = String::from_utf8(fixture(&format!("{name}.{form}"))).expect("utf-8");
        let bare =
            PublicKey::parse(pem_body(&pem)).unwrap_or_else(|e| panic!("{name}.{form}: {e}"));
        let full = PublicKey::parse(&pem).expect("pem");
        assert_eq!(bare.bits(), full.bits());
        assert_eq!(
            bare.modulus().pow_be(&vec![7u8; bare.signature_len()], 3),
            full.modulus().pow_be(&vec![7u8; full.signature_len()], 3),
            "{name}.{form}: the same modulus"
        );
        // On one line, or with the literal "\n" of an environment variable.
        let wrapped = pem_body(&pem);
        assert!(PublicKey::parse(
            wrapped
                .as_bytes()
                .chunks(64)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("\\n")
        )
        .is_ok());
    }
}

#[test]
fn bare_base64_private_keys_and_certificates_are_named() {
    let key = String::from_utf8(fixture("rsa2048.key.pem")).expect("utf-8");
    let err = PublicKey::parse(pem_body(&key)).expect_err("a private key");
    assert!(
        err.hint().is_some_and(|h| h.contains("private key")),
        "{err}"
    );
    let cert = String::from_utf8(fixture("rsa2048.cert.pem")).expect("utf-8");
    let err = PublicKey::parse(pem_body(&cert)).expect_err("a certificate");
    assert!(
        err.hint().is_some_and(|h| h.contains("certificate")),
        "{err}"
    );
}

#[test]
fn a_hex_modulus_is_refused_with_a_hint() {
    // The 2048-bit fixture's modulus in hex, as `openssl rsa -modulus` prints it and as bare
    // digits (upper and lower case, with the leading 00 of `-text`, colon-separated).
    let real = String::from_utf8(fixture("rsa2048.modulus.txt")).expect("utf-8");
    let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(real.trim())
        .expect("base64url");
    let hex: String = n.iter().map(|b| format!("{b:02X}")).collect();
    let colons = std::iter::once("00".to_string())
        .chain(n.iter().map(|b| format!("{b:02x}")))
        .collect::<Vec<_>>()
        .join(":");
    for text in [
        format!("Modulus={hex}"),
        hex.clone(),
        hex.to_lowercase(),
        format!("0x{hex}"),
        colons,
    ] {
        let err = PublicKey::parse(&text).expect_err("hex");
        assert_eq!(err.code(), ErrorCode::InvalidKey);
        assert!(err.hint().is_some_and(|h| h.contains("hex")), "{err}");
    }
    // Not hex enough: an odd count, too short (a 1024-bit modulus in hex is 256 digits, which
    // base64url reads as 1536 bits: it is refused as a wrong length, not called hex).
    assert!(!super::looks_like_hex_modulus(&hex[1..]));
    assert!(!super::looks_like_hex_modulus(&hex[..510]));
    // A genuine base64url modulus is never taken for hex, even one with many hex digits.
    assert!(!super::looks_like_hex_modulus(real.trim()));
    assert!(PublicKey::parse(real.trim()).is_ok());
}

#[test]
fn a_file_path_given_as_the_key_is_named() {
    for path in [
        "nope.txt",
        "keys/modulus.txt",
        "./zentitle.pem",
        "C:\\keys\\key",
        "/etc/zentitle/jwk.json",
    ] {
        let err = PublicKey::parse(path).expect_err(path);
        assert_eq!(err.code(), ErrorCode::InvalidKey, "{path}");
        assert!(
            err.hint().is_some_and(|h| h.contains("file path")),
            "{path}: {err}"
        );
        assert!(!err.to_string().contains(path), "the path is not echoed");
    }
    // Short garbage without a separator or extension keeps the generic hint.
    let err = PublicKey::parse("not a key").expect_err("garbage");
    assert!(err.hint().is_some_and(|h| !h.contains("file path")));
}
