//! The WebAssembly boundary: `extern "C"` exports over plain numbers and bytes, nothing else.
//!
//! The npm package's JavaScript layer reads every JavaScript value (headers objects, Proxies,
//! `Date`s, typed-array views, option bags) where an exception is ordinary, and hands this
//! module only bytes, copied into one input buffer, and numbers. The module imports nothing:
//! no JavaScript runs while a wasm frame is on the stack, so no JavaScript exception can unwind
//! through it and leave the shadow-stack pointer or a borrow flag behind.
//!
//! Conventions of every export:
//! - inputs: the caller asks for an input buffer of `len` bytes ([`zw_input`]), writes the
//!   inputs into it back to back, and passes their lengths as arguments;
//! - results: a non-negative `i32` on success; on failure `-(1 + index of the code in
//!   [`ErrorCode::ALL`])`, with four fields in the output buffer, UTF-8, separated by NULs
//!   (each empty when it does not apply): the hint, the mismatch of a diagnosed
//!   `invalid_signature` (`body`, `key`), its body change, and the part at fault (`payload`
//!   for an event whose envelope is valid but whose payload does not fit its code's shape);
//! - the exports and their arity are listed once on the JavaScript side
//!   (`pkg-template/lib/abi.mjs`), which refuses a module that differs and is tested against
//!   the built modules;
//! - text results are left in the output buffer ([`zw_output_ptr`], [`zw_output_len`]).
//!
//! `#[no_mangle]` is what the `unsafe_code` lint objects to here, so it is allowed on the
//! exported items alone, which [`exports!`] generates: each is one call to the plain function
//! of the same name, and can hold nothing else. Everywhere else, this module included, the
//! lint denies `unsafe` (Cargo.toml's `[lints]`): a new `unsafe` block fails the build. There
//! is none: the caller writes into the input buffer through the pointer [`zw_input`] returns,
//! as any host does with a guest's memory.

/// The module's exports: for each `fn name(args) -> ret;`, a `#[no_mangle] extern "C"`
/// function that calls the function `name` of the module where the macro is used. These are
/// the only items where `unsafe_code` is allowed (for `#[no_mangle]`).
macro_rules! exports {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)?;)*) => {
        $(
            #[allow(unsafe_code)]
            #[no_mangle]
            pub extern "C" fn $name($($arg: $ty),*) $(-> $ret)? {
                super::$name($($arg),*)
            }
        )*
    };
}

#[cfg(feature = "testing")]
mod testing;

/// The exports of the verify `.wasm`.
mod exports {
    exports! {
        fn zw_input(len: u32) -> u32;
        fn zw_output_ptr() -> u32;
        fn zw_output_len() -> u32;
        fn zw_error_count() -> u32;
        fn zw_error_describe(index: u32) -> i32;
        fn zw_keys_clear();
        fn zw_keys_add(len: u32, min_key_bits: u32) -> i32;
        fn zw_verifier_new(max_age_seconds: f64, max_body_bytes: f64) -> i32;
        fn zw_verifier_free(handle: u32);
        fn zw_verify_signature(handle: u32, sig_len: u32, body_len: u32, diagnosis: u32) -> i32;
        fn zw_verify(handle: u32, sig_len: u32, body_len: u32, now_ms: f64, max_age_seconds: f64, diagnosis: u32) -> i32;
        fn zw_parse_event(len: u32) -> i32;
        fn zw_trap_for_tests();
    }
}

use std::cell::RefCell;

use crate::diagnose::Diagnosis;
use crate::error::{Error, ErrorCode};
use crate::event::check_event;
use crate::key::{KeyOptions, PublicKey};
use crate::verify::Verifier;

/// Buffers above this size are released after the call that used them, so that one large body
/// does not keep its memory reserved (wasm memory never shrinks, but freed blocks are reused).
const KEEP_BYTES: usize = 64 * 1024;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static PENDING_KEYS: RefCell<Vec<PublicKey>> = const { RefCell::new(Vec::new()) };
    static VERIFIERS: RefCell<Vec<Option<Verifier>>> = const { RefCell::new(Vec::new()) };
}

/// An input buffer of exactly `len` bytes; its address, or 0 when memory cannot be had (the
/// caller reports that as an error: nothing aborts).
fn zw_input(len: u32) -> u32 {
    INPUT.with(|cell| {
        let Ok(mut input) = cell.try_borrow_mut() else {
            return 0;
        };
        let len = len as usize;
        input.clear();
        if input.capacity() > KEEP_BYTES.max(len) {
            *input = Vec::new();
        }
        if input.try_reserve_exact(len).is_err() {
            return 0;
        }
        input.resize(len, 0);
        input.as_mut_ptr() as u32
    })
}

/// The address of the output buffer.
fn zw_output_ptr() -> u32 {
    OUTPUT.with(|cell| cell.try_borrow().map_or(0, |out| out.as_ptr() as u32))
}

/// The length of the output buffer.
fn zw_output_len() -> u32 {
    OUTPUT.with(|cell| cell.try_borrow().map_or(0, |out| out.len() as u32))
}

/// How many error codes there are.
fn zw_error_count() -> u32 {
    ErrorCode::ALL.len() as u32
}

/// Describes error code `index`: its code and message, separated by a NUL, in the output
/// buffer; returns its HTTP status (0 for an index out of range).
fn zw_error_describe(index: u32) -> i32 {
    let Some(code) = ErrorCode::ALL.get(index as usize) else {
        return 0;
    };
    let mut text = Vec::new();
    text.extend_from_slice(code.as_str().as_bytes());
    text.push(0);
    text.extend_from_slice(code.message().as_bytes());
    set_output(&text);
    i32::from(code.status())
}

/// Starts a key set for [`zw_verifier_new`].
fn zw_keys_clear() {
    PENDING_KEYS.with(|cell| {
        if let Ok(mut keys) = cell.try_borrow_mut() {
            keys.clear();
        }
    });
}

/// Reads the key in the input buffer (`len` bytes: text of any accepted form, or DER) and adds
/// it to the key set. 0, or an error (`invalid_key`, `weak_key`).
fn zw_keys_add(len: u32, min_key_bits: u32) -> i32 {
    let parsed = with_input(|input| {
        let key = input
            .get(..len as usize)
            .ok_or(ErrorCode::InvalidArgument)?;
        PublicKey::parse_with(key, KeyOptions { min_key_bits })
    });
    result(parsed.and_then(|key| {
        PENDING_KEYS.with(|cell| {
            let mut keys = cell.try_borrow_mut().map_err(|_| busy())?;
            keys.push(key);
            Ok(0)
        })
    }))
}

/// A verifier over the key set (which it takes): its handle (≥ 1), or an error.
/// `max_age_seconds`: the replay window (negative or NaN: off). `max_body_bytes`: the largest body.
fn zw_verifier_new(max_age_seconds: f64, max_body_bytes: f64) -> i32 {
    let keys = PENDING_KEYS.with(|cell| cell.try_borrow_mut().map(|mut k| std::mem::take(&mut *k)));
    let Ok(keys) = keys else {
        return result(Err(busy()));
    };
    let entries = keys.into_iter().enumerate().map(|(i, k)| (decimal(i), k));
    let verifier = match Verifier::with_keys(entries) {
        Ok(v) => v
            .with_max_age_seconds(seconds(max_age_seconds))
            .with_max_body_bytes(to_usize(max_body_bytes)),
        Err(e) => return result(Err(e)),
    };
    result(VERIFIERS.with(|cell| {
        let mut slots = cell.try_borrow_mut().map_err(|_| busy())?;
        let index = match slots.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                slots.push(None);
                slots.len() - 1
            }
        };
        if let Some(slot) = slots.get_mut(index) {
            *slot = Some(verifier);
        }
        i32::try_from(index + 1).map_err(|_| busy())
    }))
}

/// Frees a verifier. Unknown handles are ignored.
fn zw_verifier_free(handle: u32) {
    VERIFIERS.with(|cell| {
        if let Ok(mut slots) = cell.try_borrow_mut() {
            if let Some(slot) = (handle as usize)
                .checked_sub(1)
                .and_then(|i| slots.get_mut(i))
            {
                *slot = None;
            }
        }
    });
}

/// Checks the signature (`sig_len` bytes of the input) over the body (the next `body_len`
/// bytes): the index of the key that verified it, or an error. `diagnosis`: how far the
/// diagnosis of `invalid_signature` searches (0 off, 1 bounded, 2 full; see [`Diagnosis`]).
fn zw_verify_signature(handle: u32, sig_len: u32, body_len: u32, diagnosis: u32) -> i32 {
    result(with_verifier(handle, |verifier| {
        with_input(|input| {
            let (signature, body) = split(input, sig_len, body_len)?;
            let diagnosis = Diagnosis::from_level(diagnosis);
            let key_id = verifier.verify_signature_with(body, signature, diagnosis)?;
            Ok(key_index(key_id))
        })
    }))
}

/// Signature, event and replay window (`now_ms`; `max_age_seconds`: NaN for the verifier's
/// own window, negative for none; `diagnosis` as for [`zw_verify_signature`]): the index of
/// the key, with the `eventId` in the output buffer; or an error.
fn zw_verify(
    handle: u32,
    sig_len: u32,
    body_len: u32,
    now_ms: f64,
    max_age_seconds: f64,
    diagnosis: u32,
) -> i32 {
    result(with_verifier(handle, |verifier| {
        with_input(|input| {
            let (signature, body) = split(input, sig_len, body_len)?;
            let max_age = if max_age_seconds.is_nan() {
                verifier.max_age_seconds()
            } else {
                seconds(max_age_seconds)
            };
            let diagnosis = Diagnosis::from_level(diagnosis);
            let (key_id, checked) =
                verifier.check(body, signature, now_ms as i64, max_age, diagnosis)?;
            set_output(checked.event_id.as_bytes());
            Ok(key_index(key_id))
        })
    }))
}

/// Validates the event in the input buffer (`len` bytes) without any signature: 0 or an error.
fn zw_parse_event(len: u32) -> i32 {
    result(with_input(|input| {
        let body = input
            .get(..len as usize)
            .ok_or(ErrorCode::InvalidArgument)?;
        check_event(body)?;
        Ok(0)
    }))
}

/// Traps, on purpose: the package's tests prove with it that an instance that trapped is
/// replaced and that no caller notices more than the one failed call.
fn zw_trap_for_tests() {
    core::arch::wasm32::unreachable()
}

pub(crate) fn busy() -> Error {
    Error::with_hint(
        ErrorCode::InternalError,
        "The WebAssembly instance was re-entered.",
    )
}

/// The input buffer, for one call; released afterwards when it is large.
fn with_input<T>(f: impl FnOnce(&[u8]) -> Result<T, Error>) -> Result<T, Error> {
    INPUT.with(|cell| {
        let mut input = cell.try_borrow_mut().map_err(|_| busy())?;
        let out = f(&input);
        if input.capacity() > KEEP_BYTES {
            *input = Vec::new();
        }
        out
    })
}

fn with_verifier<T>(
    handle: u32,
    f: impl FnOnce(&Verifier) -> Result<T, Error>,
) -> Result<T, Error> {
    VERIFIERS.with(|cell| {
        let slots = cell.try_borrow().map_err(|_| busy())?;
        let verifier = (handle as usize)
            .checked_sub(1)
            .and_then(|i| slots.get(i))
            .and_then(Option::as_ref)
            .ok_or(Error::with_hint(
                ErrorCode::InvalidArgument,
                "This verifier was freed.",
            ))?;
        f(verifier)
    })
}

/// The signature (as text) and the body, back to back in the input buffer.
fn split(input: &[u8], sig_len: u32, body_len: u32) -> Result<(&str, &[u8]), Error> {
    let sig_len = sig_len as usize;
    let signature = input.get(..sig_len).ok_or(ErrorCode::InvalidArgument)?;
    let body = input
        .get(sig_len..sig_len.saturating_add(body_len as usize))
        .ok_or(ErrorCode::InvalidArgument)?;
    // Header values are Latin-1 at most; anything the caller could not encode is malformed.
    let signature = core::str::from_utf8(signature).map_err(|_| ErrorCode::MalformedSignature)?;
    Ok((signature, body))
}

/// `n` in decimal, without the formatting machinery (which the module does not carry).
fn decimal(mut n: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

fn key_index(key_id: Option<&str>) -> i32 {
    key_id.and_then(|id| id.parse().ok()).unwrap_or(0)
}

fn seconds(value: f64) -> Option<u64> {
    (value >= 0.0 && value.is_finite()).then(|| value.ceil() as u64)
}

fn to_usize(value: f64) -> usize {
    if value.is_finite() && value >= 0.0 {
        value.min(usize::MAX as f64) as usize
    } else {
        usize::MAX
    }
}

fn set_output(bytes: &[u8]) {
    OUTPUT.with(|cell| {
        if let Ok(mut out) = cell.try_borrow_mut() {
            out.clear();
            if out.capacity() > KEEP_BYTES.max(bytes.len()) {
                *out = Vec::new();
            }
            if out.try_reserve_exact(bytes.len()).is_ok() {
                out.extend_from_slice(bytes);
            }
        }
    });
}

/// The `i32` of a result: the value, or the error's code (negative) with its fields as output.
fn result(outcome: Result<i32, Error>) -> i32 {
    match outcome {
        Ok(value) => value,
        Err(error) => {
            let fields = [
                error.hint().unwrap_or(""),
                error.mismatch().map_or("", |m| m.as_str()),
                error.body_change().map_or("", |c| c.as_str()),
                if error.is_payload_mismatch() {
                    "payload"
                } else {
                    ""
                },
            ];
            let mut text = Vec::new();
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    text.push(0);
                }
                text.extend_from_slice(field.as_bytes());
            }
            set_output(&text);
            let index = ErrorCode::ALL
                .iter()
                .position(|c| *c == error.code())
                .unwrap_or(0);
            -1 - index as i32
        }
    }
}
