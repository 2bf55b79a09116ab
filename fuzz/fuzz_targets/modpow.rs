//! The Montgomery exponentiation with arbitrary moduli: the fuzzer chooses the modulus (any
//! length up to 16384 bits, any bits), the base and the exponent, and the crate's `pow_be`
//! must equal the `rsa` crate's big-number `modpow` (num-bigint-dig, another implementation),
//! or refuse exactly what it documents: an even modulus or one under 64 bits, a base not
//! below the modulus, a zero exponent. The other targets use the fixture keys only.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rsa::BigUint;
use zentitle_webhooks::fuzzing::pow_be;

fuzz_target!(|data: &[u8]| {
    // [exponent: 4 bytes][modulus length: 2 bytes][modulus][base]
    let Some((head, rest)) = data.split_first_chunk::<6>() else { return };
    let e = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let len = usize::from(u16::from_be_bytes([head[4], head[5]])) % 2049;
    if rest.len() < len * 2 {
        return;
    }
    let (n, rest) = rest.split_at(len);
    let base = &rest[..len];
    let nb = BigUint::from_bytes_be(n);
    let significant = &n[n.iter().position(|&b| b != 0).unwrap_or(n.len())..];
    let refused = nb.bits() < 64 || n.last().map_or(true, |b| b & 1 == 0) || e == 0;
    // The base is given at the modulus's own length (its leading zero bytes dropped).
    let base = &base[len - significant.len()..];
    let bb = BigUint::from_bytes_be(base);
    let ours = pow_be(n, base, e);
    if refused || bb >= nb {
        assert_eq!(ours, None, "n {n:02x?} base {base:02x?} e {e}");
        return;
    }
    let want = bb.modpow(&BigUint::from(e), &nb).to_bytes_be();
    let mut padded = vec![0u8; significant.len() - want.len()];
    padded.extend_from_slice(&want);
    assert_eq!(ours.as_deref(), Some(&padded[..]), "n {n:02x?} base {base:02x?} e {e}");
});
