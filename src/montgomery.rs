//! Modular exponentiation with a public exponent, by Montgomery multiplication.
//!
//! Only public values pass through here (the modulus, the exponent, the signature), so the
//! code is variable-time by design: nothing secret can leak through its timing.
//!
//! Limbs are `u32` with `u64` products: a 64-bit multiply is one instruction in wasm, a
//! 128-bit one is not. The Montgomery constants are computed once per key.
//!
//! Indexing below is on buffers whose lengths are fixed when the [`Modulus`] is built
//! (`limbs` or `limbs + 2`), never on request data: every index is bounded by those lengths.
#![allow(clippy::indexing_slicing)]

/// An odd modulus prepared for Montgomery arithmetic with `R = 2^(32 * limbs)`.
#[derive(Clone)]
pub(crate) struct Modulus {
    /// Little-endian limbs, the top one non-zero.
    n: Vec<u32>,
    /// `-n^-1 mod 2^32`.
    n0inv: u32,
    /// `R^2 mod n`, to bring a number into Montgomery form with one multiplication.
    r2: Vec<u32>,
    /// The modulus length in bytes (`k` of RFC 8017).
    byte_len: usize,
}

impl Modulus {
    /// Prepares `n`, given big-endian (leading zero bytes are dropped). `None` if it is even
    /// or shorter than two limbs.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = bytes.get(start..)?;
        let n = limbs_from_be(bytes, bytes.len().div_ceil(4));
        if n.len() < 2 || n.last() == Some(&0) || n.first().map_or(true, |l| l & 1 == 0) {
            return None;
        }
        let n0inv = neg_inverse_mod_2_32(n[0]);
        let r2 = r_squared(&n);
        Some(Modulus {
            n,
            n0inv,
            r2,
            byte_len: bytes.len(),
        })
    }

    /// The modulus length in bytes.
    pub(crate) fn byte_len(&self) -> usize {
        self.byte_len
    }

    /// `base^e mod n` as `byte_len` big-endian bytes, or `None` if `base >= n` (such a value
    /// is no signature: RFC 8017 §5.2.2 step 1). `base` must be `byte_len` bytes long and `e`
    /// at least 1.
    pub(crate) fn pow_be(&self, base: &[u8], e: u32) -> Option<Vec<u8>> {
        let len = self.n.len();
        if base.len() != self.byte_len || e == 0 {
            return None;
        }
        let s = limbs_from_be(base, len);
        if !less_than(&s, &self.n) {
            return None;
        }
        let mut scratch = vec![0u32; len + 2];
        let mut s_mont = vec![0u32; len];
        self.mul(&s, &self.r2, &mut scratch, &mut s_mont);
        let mut acc = s_mont.clone();
        let mut tmp = vec![0u32; len];
        let top = 31 - e.leading_zeros();
        for bit in (0..top).rev() {
            self.mul(&acc, &acc, &mut scratch, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
            if (e >> bit) & 1 == 1 {
                self.mul(&acc, &s_mont, &mut scratch, &mut tmp);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        // Out of Montgomery form: multiply by 1.
        let mut one = vec![0u32; len];
        one[0] = 1;
        self.mul(&acc, &one, &mut scratch, &mut tmp);
        Some(limbs_to_be(&tmp, self.byte_len))
    }

    /// `out = a * b * R^-1 mod n` (CIOS), for `a, b < n`. `t` is scratch of `limbs + 2`.
    fn mul(&self, a: &[u32], b: &[u32], t: &mut [u32], out: &mut [u32]) {
        let n = &self.n;
        let len = n.len();
        t.fill(0);
        for &ai in a {
            let ai = u64::from(ai);
            let mut carry = 0u64;
            for j in 0..len {
                let s = u64::from(t[j]) + ai * u64::from(b[j]) + carry;
                t[j] = s as u32;
                carry = s >> 32;
            }
            let s = u64::from(t[len]) + carry;
            t[len] = s as u32;
            t[len + 1] = (s >> 32) as u32;

            let m = u64::from(t[0].wrapping_mul(self.n0inv));
            let mut carry = (u64::from(t[0]) + m * u64::from(n[0])) >> 32;
            for j in 1..len {
                let s = u64::from(t[j]) + m * u64::from(n[j]) + carry;
                t[j - 1] = s as u32;
                carry = s >> 32;
            }
            let s = u64::from(t[len]) + carry;
            t[len - 1] = s as u32;
            t[len] = t[len + 1] + (s >> 32) as u32;
        }
        // t < 2n here; one subtraction brings it below n.
        if t[len] != 0 || !less_than(&t[..len], n) {
            sub_in_place(&mut t[..len], n);
        }
        out.copy_from_slice(&t[..len]);
    }
}

/// `-x^-1 mod 2^32` for odd `x`, by Newton's iteration (each step doubles the correct bits).
fn neg_inverse_mod_2_32(x: u32) -> u32 {
    let mut inv: u32 = 1;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// `R^2 mod n` with `R = 2^(32 * limbs)`: start from the top bit of `n` and double.
fn r_squared(n: &[u32]) -> Vec<u32> {
    let len = n.len();
    let bits = len * 32 - n.last().map_or(32, |t| t.leading_zeros() as usize);
    let mut x = vec![0u32; len];
    // 2^(bits-1) < n.
    x[(bits - 1) / 32] = 1 << ((bits - 1) % 32);
    for _ in (bits - 1)..(64 * len) {
        let carry = shl1_in_place(&mut x);
        if carry || !less_than(&x, n) {
            sub_in_place(&mut x, n);
        }
    }
    x
}

fn limbs_from_be(bytes: &[u8], len: usize) -> Vec<u32> {
    let mut limbs = vec![0u32; len.max(bytes.len().div_ceil(4))];
    for (i, &byte) in bytes.iter().rev().enumerate() {
        limbs[i / 4] |= u32::from(byte) << (8 * (i % 4));
    }
    limbs
}

fn limbs_to_be(limbs: &[u32], byte_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; byte_len];
    for (i, byte) in out.iter_mut().rev().enumerate() {
        if let Some(limb) = limbs.get(i / 4) {
            *byte = (limb >> (8 * (i % 4))) as u8;
        }
    }
    out
}

/// `a < b` for equal-length little-endian numbers.
fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` modulo `2^(32 * len)`.
fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow);
        *x = d2;
        borrow = u32::from(b1 | b2);
    }
}

/// `a <<= 1`, returning the bit shifted out.
fn shl1_in_place(a: &mut [u32]) -> bool {
    let mut carry = 0u32;
    for x in a.iter_mut() {
        let next = *x >> 31;
        *x = (*x << 1) | carry;
        carry = next;
    }
    carry == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A small deterministic generator: the test needs variety, not secrecy.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    #[test]
    fn inverse_is_exact() {
        for x in [1u32, 3, 0xffff_ffff, 0x1234_5679, 65537] {
            assert_eq!(x.wrapping_mul(neg_inverse_mod_2_32(x).wrapping_neg()), 1);
        }
    }

    #[test]
    fn rejects_even_short_and_zero_moduli() {
        assert!(Modulus::from_be_bytes(&[0x80, 0, 0, 0, 0, 0, 0, 2]).is_none());
        assert!(Modulus::from_be_bytes(&[0x80, 0, 0, 1]).is_none());
        assert!(Modulus::from_be_bytes(&[0, 0, 0, 0, 0, 0, 0, 0]).is_none());
        assert!(Modulus::from_be_bytes(&[]).is_none());
    }

    #[test]
    fn base_at_or_above_modulus_is_refused() {
        let n = [0xc0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17];
        let m = Modulus::from_be_bytes(&n).expect("odd modulus");
        assert!(m.pow_be(&n, 65537).is_none());
        assert!(m.pow_be(&[0xff; 17], 65537).is_none());
        assert!(m.pow_be(&[0; 16], 65537).is_none(), "wrong length");
    }

    /// Differential: our result equals num-bigint's `modpow` on random odd moduli of many
    /// sizes (including ones whose bit length is not a multiple of 32), bases and exponents.
    #[test]
    fn matches_reference_modpow() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut cases = 0;
        for size in [8usize, 9, 15, 17, 31, 64, 65, 127, 128, 256, 384, 512] {
            for _ in 0..40 {
                let mut n = rng.bytes(size);
                n[0] |= 0x01 << (rng.next() % 8);
                n[size - 1] |= 1;
                let n = trim(&n);
                let Some(m) = Modulus::from_be_bytes(n) else {
                    continue;
                };
                let nb = BigUint::from_bytes_be(n);
                let base = BigUint::from_bytes_be(&rng.bytes(n.len())) % &nb;
                let base_be = pad(&base.to_bytes_be(), n.len());
                for e in [1u32, 3, 17, 65537, (rng.next() as u32) | 1] {
                    let want = pad(&base.modpow(&BigUint::from(e), &nb).to_bytes_be(), n.len());
                    assert_eq!(m.pow_be(&base_be, e).as_deref(), Some(&want[..]));
                    cases += 1;
                }
            }
        }
        assert!(cases > 2000, "only {cases} cases ran");
    }

    fn trim(b: &[u8]) -> &[u8] {
        let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        &b[start..]
    }

    fn pad(b: &[u8], len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len - b.len()];
        v.extend_from_slice(b);
        v
    }
}
