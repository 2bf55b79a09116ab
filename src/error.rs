//! The one error type of the crate: a stable code per failure, a static message that says
//! what to do, and an optional hint for a likely mistake.
//!
//! Messages and hints are `&'static str`: they can never contain the key, the signature or
//! the body, whatever the input was. For `invalid_signature`, the diagnosis's findings
//! ([`Mismatch`], [`BodyChange`]) are part of the error and declared here; the search that
//! finds them is `diagnose`'s. This module imports nothing from the crate: every other module
//! may depend on it, and it on none of them.

use core::fmt;

/// What went wrong. Each variant has a stable [`code`](ErrorCode::code) string, which is
/// also the `code` of the JavaScript `WebhookVerificationError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// No `N-Signature` header (or an empty one).
    MissingSignature,
    /// The `N-Signature` value is not strict, padded, standard base64, or is repeated.
    MalformedSignature,
    /// The decoded signature is not exactly as long as the key's modulus.
    SignatureLength,
    /// The signature does not match the body under this key.
    InvalidSignature,
    /// The key could not be read, or is not a usable RSA public key.
    InvalidKey,
    /// The key's modulus is shorter than the minimum accepted size (2048 bits by default).
    WeakKey,
    /// The body given was not the raw request body (a parsed object, `null`, a number...).
    BodyNotRaw,
    /// The verified body is not JSON text.
    InvalidJson,
    /// The body is JSON but not a valid Zentitle event envelope (or a known payload has a
    /// field of the wrong type).
    InvalidEvent,
    /// The signed `eventDate` is older than the replay window (`maxAgeSeconds`).
    StaleEvent,
    /// The signed `eventDate` is further in the future than clock skew explains.
    FutureEvent,
    /// An argument or option of the wrong kind (a `TypeError` in JavaScript).
    InvalidArgument,
    /// The body is larger than the verifier accepts (`maxBodyBytes`, 1 MiB by default).
    BodyTooLarge,
    /// The WebAssembly instance failed during the call (a trap, or memory could not be had)
    /// and was replaced: nothing was verified, and the next call works. Never returned by the
    /// native crate.
    InternalError,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::MissingSignature,
        ErrorCode::MalformedSignature,
        ErrorCode::SignatureLength,
        ErrorCode::InvalidSignature,
        ErrorCode::InvalidKey,
        ErrorCode::WeakKey,
        ErrorCode::BodyNotRaw,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidEvent,
        ErrorCode::StaleEvent,
        ErrorCode::FutureEvent,
        ErrorCode::InvalidArgument,
        ErrorCode::BodyTooLarge,
        ErrorCode::InternalError,
    ];

    /// The stable, machine-readable code (the same as [`as_str`](Self::as_str)).
    #[deprecated(since = "0.2.0", note = "use `as_str()`, as for `EventCode`")]
    pub const fn code(self) -> &'static str {
        self.as_str()
    }

    /// The stable, machine-readable code, e.g. `"invalid_signature"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingSignature => "missing_signature",
            ErrorCode::MalformedSignature => "malformed_signature",
            ErrorCode::SignatureLength => "signature_length",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::WeakKey => "weak_key",
            ErrorCode::BodyNotRaw => "body_not_raw",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidEvent => "invalid_event",
            ErrorCode::StaleEvent => "stale_event",
            ErrorCode::FutureEvent => "future_event",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::InternalError => "internal_error",
        }
    }

    /// The HTTP status a webhook handler should answer with.
    ///
    /// Failures of the request (signature, timing, body) are the sender's: 401 or 400, so
    /// that a forged or replayed delivery is refused. Failures of the receiver's own setup
    /// (key, how the body or options were passed) are 500: Zentitle retries, and the delivery
    /// is not lost while you fix it.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::MissingSignature
            | ErrorCode::MalformedSignature
            | ErrorCode::SignatureLength
            | ErrorCode::InvalidSignature
            | ErrorCode::StaleEvent
            | ErrorCode::FutureEvent => 401,
            ErrorCode::InvalidJson | ErrorCode::InvalidEvent => 400,
            ErrorCode::BodyTooLarge => 413,
            ErrorCode::InvalidKey
            | ErrorCode::WeakKey
            | ErrorCode::BodyNotRaw
            | ErrorCode::InvalidArgument
            | ErrorCode::InternalError => 500,
        }
    }

    /// The default message: what failed and what to do.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::MissingSignature => {
                "No N-Signature header: every Zentitle webhook carries one."
            }
            ErrorCode::MalformedSignature => {
                "The N-Signature header is not a valid signature: it must be standard base64 with '=' padding, sent once."
            }
            ErrorCode::SignatureLength => {
                "The N-Signature header decodes to a signature whose length does not match the key: it was made with another key, or was cut short."
            }
            ErrorCode::InvalidSignature => {
                "The signature does not match the body: the body was changed after signing (or re-serialised), or it was signed with another key."
            }
            ErrorCode::InvalidKey => {
                "The key is not a usable RSA public key. Pass the RSA modulus shown in Zentitle (base64url), a JWK, a PEM or a DER public key."
            }
            ErrorCode::WeakKey => {
                "The RSA key is shorter than the minimum accepted size (2048 bits unless minKeyBits says otherwise)."
            }
            ErrorCode::BodyNotRaw => {
                "The body must be the raw request body (string, Uint8Array, Buffer or ArrayBuffer), exactly as received."
            }
            ErrorCode::InvalidJson => "The body verified but is not valid UTF-8 JSON text.",
            ErrorCode::InvalidEvent => {
                "The body verified but is not a valid Zentitle event (eventId, eventDate, eventCode, resourceId, callAttempt, payload)."
            }
            ErrorCode::StaleEvent => {
                "The event's signed eventDate is older than the replay window (maxAgeSeconds): it may be a replay. Retries keep the original date, so size the window to Zentitle's retry schedule."
            }
            ErrorCode::FutureEvent => {
                "The event's signed eventDate is in the future by more than the allowed clock skew: check this machine's clock."
            }
            ErrorCode::InvalidArgument => "An argument or option is of the wrong kind.",
            ErrorCode::BodyTooLarge => {
                "The body is larger than this verifier accepts (maxBodyBytes, 1 MiB by default): Zentitle's events are a few kilobytes. Raise maxBodyBytes if you expect more."
            }
            ErrorCode::InternalError => {
                "The WebAssembly instance failed during this call and was replaced: nothing was verified. Answer 5xx so that Zentitle retries; the next call works."
            }
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of a failed verification does not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mismatch {
    /// The key made this signature, over another body: the body changed after it was signed.
    Body,
    /// The signature was not made by this key (another account or environment signed it), or
    /// it was damaged.
    Key,
}

impl Mismatch {
    /// `"body"` or `"key"`: `error.mismatch` in JavaScript.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mismatch::Body => "body",
            Mismatch::Key => "key",
        }
    }
}

/// A change to the body recognised by the diagnosis: undoing it gives the signed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyChange {
    /// The JSON was parsed and serialised again: whitespace, escapes or number forms changed
    /// (`JSON.stringify(req.body)`, a pretty-printer, another language's serialiser).
    ReserializedJson,
    /// A line break was added at the end of the body, or removed from it.
    TrailingNewline,
    /// Line endings were converted (LF to CRLF, or CRLF to LF).
    LineEndings,
    /// A byte-order mark was added in front of the body, or removed (text decoding drops it).
    ByteOrderMark,
    /// The body went through another charset (UTF-8 read as Latin-1 or Windows-1252).
    Charset,
}

impl BodyChange {
    /// Every change, in declaration order.
    pub const ALL: [BodyChange; 5] = [
        BodyChange::ReserializedJson,
        BodyChange::TrailingNewline,
        BodyChange::LineEndings,
        BodyChange::ByteOrderMark,
        BodyChange::Charset,
    ];

    /// The stable name, e.g. `"reserialized_json"`: `error.bodyChange` in JavaScript.
    pub const fn as_str(self) -> &'static str {
        match self {
            BodyChange::ReserializedJson => "reserialized_json",
            BodyChange::TrailingNewline => "trailing_newline",
            BodyChange::LineEndings => "line_endings",
            BodyChange::ByteOrderMark => "byte_order_mark",
            BodyChange::Charset => "charset",
        }
    }
}

/// An error of this crate: an [`ErrorCode`] and, where a common mistake is likely, a hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    hint: Option<&'static str>,
    mismatch: Option<Mismatch>,
    body_change: Option<BodyChange>,
    payload_mismatch: bool,
}

impl Error {
    /// An error with the code's default message and no hint.
    pub const fn new(code: ErrorCode) -> Self {
        Error {
            code,
            hint: None,
            mismatch: None,
            body_change: None,
            payload_mismatch: false,
        }
    }

    /// An error with a hint that names the likely mistake.
    pub const fn with_hint(code: ErrorCode, hint: &'static str) -> Self {
        Error {
            code,
            hint: Some(hint),
            mismatch: None,
            body_change: None,
            payload_mismatch: false,
        }
    }

    /// `invalid_event` for an event whose envelope is valid but whose payload does not fit the
    /// documented shape of its code (the hint names the field).
    pub(crate) const fn payload_mismatch(hint: &'static str) -> Self {
        Error {
            code: ErrorCode::InvalidEvent,
            hint: Some(hint),
            mismatch: None,
            body_change: None,
            payload_mismatch: true,
        }
    }

    /// `invalid_signature` with its diagnosis: which side does not match and, for the body,
    /// the change recognised.
    pub(crate) const fn diagnosed(
        mismatch: Mismatch,
        body_change: Option<BodyChange>,
        hint: &'static str,
    ) -> Self {
        Error {
            code: ErrorCode::InvalidSignature,
            hint: Some(hint),
            mismatch: Some(mismatch),
            body_change,
            payload_mismatch: false,
        }
    }

    /// What went wrong.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message: never contains the key, the signature or the body.
    pub const fn message(&self) -> &'static str {
        self.code.message()
    }

    /// The likely cause, when one is recognisable.
    pub const fn hint(&self) -> Option<&'static str> {
        self.hint
    }

    /// The HTTP status a handler should answer with (see [`ErrorCode::status`]).
    pub const fn status(&self) -> u16 {
        self.code.status()
    }

    /// For [`ErrorCode::InvalidSignature`]: whether the key made the signature over other
    /// bytes ([`Mismatch::Body`]) or did not make it ([`Mismatch::Key`]). `None` for other
    /// codes, and when the signature never reached a key (an empty body, say).
    pub const fn mismatch(&self) -> Option<Mismatch> {
        self.mismatch
    }

    /// For [`Mismatch::Body`]: the change to the body that explains it, when one of the usual
    /// ones does (re-serialised JSON, a trailing newline, line endings, a BOM, a charset).
    pub const fn body_change(&self) -> Option<BodyChange> {
        self.body_change
    }

    /// For `invalid_event`: `true` when the envelope is valid and only the payload does not fit
    /// the documented shape of its event code. A signed event of this kind is still Zentitle's
    /// (the npm package hands it to the receiver's `onAny`).
    pub const fn is_payload_mismatch(&self) -> bool {
        self.payload_mismatch
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::new(code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        if let Some(hint) = self.hint {
            f.write_str(" Hint: ")?;
            f.write_str(hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
        }
    }

    #[test]
    fn display_appends_the_hint() {
        let e = Error::with_hint(ErrorCode::MalformedSignature, "use base64.");
        assert_eq!(e.to_string(), format!("{} Hint: use base64.", e.message()));
        assert_eq!(
            Error::new(ErrorCode::InvalidKey).to_string(),
            ErrorCode::InvalidKey.message()
        );
    }

    /// The module is a leaf of the crate's module graph: outside its tests it names nothing
    /// of the crate (so no module cycle can pass through it).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_module_imports_nothing_from_the_crate() {
        let source = include_str!("error.rs");
        let code = &source[..source.find("#[cfg(test)]").expect("tests at the end")];
        assert!(!code.contains("crate::") && !code.contains("super::"));
    }

    #[test]
    fn signature_failures_are_401_and_setup_failures_500() {
        assert_eq!(ErrorCode::InvalidSignature.status(), 401);
        assert_eq!(ErrorCode::MissingSignature.status(), 401);
        assert_eq!(ErrorCode::InvalidKey.status(), 500);
        assert_eq!(ErrorCode::BodyNotRaw.status(), 500);
    }
}

/// The error codes are declared once, here: the TypeScript union of `pkg-template/index.d.ts`
/// is generated from [`ErrorCode::ALL`] (`UPDATE_TYPES=1 cargo test` rewrites it), the
/// JavaScript layer reads codes, messages and statuses from the module at load, and the
/// README's table is checked against the same list (each code once, with its status).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod generated {
    use super::ErrorCode;
    use std::fmt::Write as _;

    const BEGIN: &str = "// BEGIN GENERATED ERROR CODES";
    const END: &str = "// END GENERATED ERROR CODES";

    fn union() -> String {
        let mut out = format!("{BEGIN} (from src/error.rs; `UPDATE_TYPES=1 cargo test` rewrites this section)\n\n/** Every code a `WebhookVerificationError` (or a failed `safeVerify`) can carry. */\nexport type WebhookErrorCode =\n");
        for code in ErrorCode::ALL {
            let _ = writeln!(
                out,
                "  /** {} (HTTP {}) */\n  | \"{}\"",
                code.message().replace("*/", "* /"),
                code.status(),
                code.as_str()
            );
        }
        out.pop();
        out.push_str(";\n");
        out.push_str(END);
        out
    }

    #[test]
    fn index_d_ts_has_every_error_code() {
        crate::package_sync::check_section(
            "pkg-template/index.d.ts",
            BEGIN,
            END,
            &union(),
            "src/error.rs",
        );
    }

    #[test]
    fn the_readme_table_has_every_code_once_with_its_status() {
        let readme = include_str!("../README.md");
        let rows: Vec<(&str, &str)> = readme
            .lines()
            .filter_map(|line| {
                let mut cells = line.strip_prefix("| `")?.split(" | ");
                let code = cells.next()?.strip_suffix('`')?;
                let status = cells.next()?;
                status.parse::<u16>().ok().map(|_| (code, status))
            })
            .collect();
        let mut wanted: Vec<(String, String)> = ErrorCode::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), c.status().to_string()))
            .collect();
        let mut have: Vec<(String, String)> = rows
            .iter()
            .map(|(c, s)| ((*c).to_owned(), (*s).to_owned()))
            .collect();
        wanted.sort();
        have.sort();
        assert_eq!(
            have, wanted,
            "README.md's error table (code | status | when) must list each code of ErrorCode::ALL once, with its status"
        );
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod generated_diagnosis {
    use super::{BodyChange, Mismatch};
    use std::fmt::Write as _;

    const BEGIN: &str = "// BEGIN GENERATED DIAGNOSIS";
    const END: &str = "// END GENERATED DIAGNOSIS";

    /// The doc comment of each variant, read from this file: one text for Rust and TypeScript.
    fn doc(variant: &str) -> String {
        let source = include_str!("error.rs");
        let at = source
            .find(&format!("    {variant},\n"))
            .expect("variant declared");
        let lines: Vec<&str> = source[..at]
            .lines()
            .rev()
            .take_while(|l| l.trim_start().starts_with("///"))
            .collect();
        lines
            .iter()
            .rev()
            .map(|l| l.trim_start().trim_start_matches("///").trim())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn unions() -> String {
        let mut out = format!("{BEGIN} (from src/error.rs; `UPDATE_TYPES=1 cargo test` rewrites this section)\n\n/** For `invalid_signature`: which side does not match (see `WebhookVerificationError.mismatch`). */\nexport type SignatureMismatch =\n");
        for (m, name) in [(Mismatch::Body, "Body"), (Mismatch::Key, "Key")] {
            let _ = writeln!(out, "  /** {} */\n  | \"{}\"", doc(name), m.as_str());
        }
        out.pop();
        out.push_str(";\n\n/** A change to the body recognised by the diagnosis of `invalid_signature`: undoing it gives the signed bytes. */\nexport type BodyChange =\n");
        for change in BodyChange::ALL {
            let name = format!("{change:?}");
            let _ = writeln!(out, "  /** {} */\n  | \"{}\"", doc(&name), change.as_str());
        }
        out.pop();
        out.push_str(";\n");
        out.push_str(END);
        out
    }

    #[test]
    fn index_d_ts_has_every_mismatch_and_change() {
        crate::package_sync::check_section(
            "pkg-template/index.d.ts",
            BEGIN,
            END,
            &unions(),
            "src/error.rs",
        );
    }
}
