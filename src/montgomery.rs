//! Modular exponentiation with a public exponent, by Montgomery multiplication.
//!
//! Only public values pass through here (the modulus, the exponent, the signature), so the
//! code is variable-time by design: nothing secret can leak through its timing.
//!
//! Shaped for WebAssembly, which multiplies 64-bit integers natively but has no 128-bit
//! product: numbers are held in limbs of `w` bits (28 for a 2048-bit key) inside `u64`s, so a
//! limb product takes at most `2w` bits and a column can take many of them before it could
//! overflow. A multiplication (or a squaring) computes the whole product first, then
//! Montgomery's reduction adds `m_i * n` for each low limb in turn ("separated operand
//! scanning"), with no carry handling at all in either; carries are propagated once per
//! multiplication. Both take several rows at a time ([`ROWS`]), so that each column is loaded
//! and stored once for several limb products held in registers. `R = 2^(w * limbs) > 4n`, so
//! intermediate values stay below `2n` without the usual conditional subtraction (Walter,
//! 1999); the result is reduced once at the end.
//! Constants (`-n^-1 mod 2^w`, `R^2 mod n`) are computed once per key.
//!
//! Indexing below is on buffers whose lengths are fixed when the [`Modulus`] is built
//! (`limbs`), never on request data: every index is bounded by that length.
#![allow(clippy::indexing_slicing)]

/// An odd modulus prepared for Montgomery arithmetic.
#[derive(Clone)]
pub(crate) struct Modulus {
    /// Little-endian limbs of `width` bits.
    n: Vec<u64>,
    /// Bits per limb.
    width: u32,
    /// `2^width - 1`.
    mask: u64,
    /// `-n^-1 mod 2^width`.
    n0inv: u64,
    /// `R^2 mod n`, to bring a number into Montgomery form with one multiplication.
    r2: Vec<u64>,
    /// `n` followed by `ROWS - 1` zero limbs, so that the blocked reduction reads past the
    /// top with no branch.
    n_padded: Vec<u64>,
    /// The modulus length in bytes (`k` of RFC 8017).
    byte_len: usize,
}

impl Modulus {
    /// Prepares `n`, given big-endian (leading zero bytes are dropped). `None` if it is even
    /// or shorter than 64 bits.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = bytes.get(start..)?;
        let bits = bytes.len() * 8 - bytes.first()?.leading_zeros() as usize;
        if bits < 64 || bytes.last().map_or(true, |b| b & 1 == 0) {
            return None;
        }
        // The widest limb for which no column of `mul` or `sqr` can overflow. A column takes at
        // most `limbs` limb products from the product and `limbs` from the reduction, each
        // below `2^(2w)`, and a carry from the column below, which is below `2^(2w+1)` (for
        // w >= 21; keys are at most 16384 bits, so w >= 26). So every column stays below
        // `(limbs + 1) * 2^(2w+1)`, which must not exceed `2^64`. The width changes
        // at 3555 bits (28 → 27) and 13796 bits (27 → 26); the differential tests cover both.
        let (width, limbs) = (20..=28u32)
            .rev()
            .map(|w| (w, (bits + 2).div_ceil(w as usize)))
            .find(|&(w, l)| (l as u128 + 1) << (2 * w + 1) <= 1u128 << 64)?;
        let mask = (1u64 << width) - 1;
        let n = limbs_from_be(bytes, width, limbs);
        let n0inv = neg_inverse(n[0], width);
        let mut n_padded = n.clone();
        n_padded.resize(n.len() + ROWS - 1, 0);
        let mut modulus = Modulus {
            n,
            n_padded,
            width,
            mask,
            n0inv,
            r2: Vec::new(),
            byte_len: bytes.len(),
        };
        modulus.r2 = modulus.r_squared(bits);
        Some(modulus)
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
        let s = limbs_from_be(base, self.width, len);
        if !less_than(&s, &self.n) {
            return None;
        }
        let mut wide = vec![0u64; self.wide_len()];
        let mut s_mont = vec![0u64; len];
        self.mul(&s, &self.r2, &mut s_mont, &mut wide);
        let mut acc = s_mont.clone();
        let mut tmp = vec![0u64; len];
        let top = 31 - e.leading_zeros();
        for bit in (0..top).rev() {
            self.sqr(&acc, &mut tmp, &mut wide);
            core::mem::swap(&mut acc, &mut tmp);
            if (e >> bit) & 1 == 1 {
                self.mul(&acc, &s_mont, &mut tmp, &mut wide);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        // Out of Montgomery form (a reduction alone: the product by 1 it stands for has no
        // limb products), then the one final reduction below n.
        wide.fill(0);
        wide[..len].copy_from_slice(&acc);
        self.redc(&mut wide, &mut tmp);
        if !less_than(&tmp, &self.n) {
            sub_in_place(&mut tmp, &self.n, self.mask);
        }
        Some(limbs_to_be(&tmp, self.width, self.byte_len))
    }

    /// `base^exp mod n` for an exponent of any length (big-endian bytes), as `byte_len`
    /// big-endian bytes, or `None` if `base >= n` or `base` is not `byte_len` bytes. For the
    /// test kit's signer (CRT halves of a private-key operation): fixed 4-bit windows, and
    /// variable-time like the rest of this module, which is acceptable only because the kit's
    /// keys are throwaway test keys that protect nothing (the `rsa` crate it replaces there is
    /// not constant-time either, RUSTSEC-2023-0071). Never use it for a key that matters.
    #[cfg(feature = "testing")]
    pub(crate) fn pow_secret_be(&self, base: &[u8], exp: &[u8]) -> Option<Vec<u8>> {
        let len = self.n.len();
        if base.len() != self.byte_len {
            return None;
        }
        let s = limbs_from_be(base, self.width, len);
        if !less_than(&s, &self.n) {
            return None;
        }
        let mut wide = vec![0u64; self.wide_len()];
        // table[i] = base^i in Montgomery form (table[0] = R mod n, the form of 1).
        let mut table = vec![vec![0u64; len]; 16];
        self.mul(&s, &self.r2, &mut table[1], &mut wide);
        let mut one = vec![0u64; len];
        one[0] = 1;
        self.mul(&one, &self.r2, &mut table[0], &mut wide);
        for i in 2..16 {
            let (done, rest) = table.split_at_mut(i);
            self.mul(&done[i - 1], &done[1], &mut rest[0], &mut wide);
        }
        let mut acc = table[0].clone();
        let mut tmp = vec![0u64; len];
        let mut started = false;
        for nibble in exp.iter().flat_map(|b| [b >> 4, b & 0xf]) {
            if started {
                for _ in 0..4 {
                    self.sqr(&acc, &mut tmp, &mut wide);
                    core::mem::swap(&mut acc, &mut tmp);
                }
            }
            if nibble != 0 {
                if started {
                    self.mul(&acc, &table[usize::from(nibble)], &mut tmp, &mut wide);
                    core::mem::swap(&mut acc, &mut tmp);
                } else {
                    acc.copy_from_slice(&table[usize::from(nibble)]);
                    started = true;
                }
            }
        }
        wide.fill(0);
        wide[..len].copy_from_slice(&acc);
        self.redc(&mut wide, &mut tmp);
        if !less_than(&tmp, &self.n) {
            sub_in_place(&mut tmp, &self.n, self.mask);
        }
        Some(limbs_to_be(&tmp, self.width, self.byte_len))
    }

    /// `out = a * b * R^-1 mod n`, up to one multiple of `n`: for `a, b < 2n` (normalised
    /// limbs), `out < 2n`, normalised. The product is computed whole, [`ROWS`] rows at a
    /// time (see [`product_rows`]), then reduced. `wide` is a buffer of
    /// [`wide_len`](Self::wide_len).
    ///
    /// No column overflows: column `c` of the product takes at most `limbs` products below
    /// `2^(2w)`; the reduction adds at most `limbs` more `m_j * n_k`, and a carry below
    /// `2^(64-w)`. With `w >= 21` that stays below `(limbs + 1) * 2^(2w+1)`, the bound the width
    /// was chosen for (widths are 26 to 28 up to 16384 bits).
    fn mul(&self, a: &[u64], b: &[u64], out: &mut [u64], wide: &mut [u64]) {
        let len = self.n.len();
        let (t, padded) = wide.split_at_mut(2 * len);
        t.fill(0);
        // b with ROWS - 1 zero limbs below and above it.
        padded.fill(0);
        padded[ROWS - 1..ROWS - 1 + len].copy_from_slice(&b[..len]);
        let mut i = 0;
        while i + ROWS <= len {
            product_rows::<ROWS>(t, &a[..len], padded, i);
            i += ROWS;
        }
        while i < len {
            product_rows::<1>(t, &a[..len], &padded[ROWS - 1..], i);
            i += 1;
        }
        self.redc(t, out);
    }

    /// `out = a * a * R^-1 mod n`, as [`mul`](Self::mul)`(a, a)` gives it (up to one multiple
    /// of `n`, for `a < 2n`), with about three quarters of its limb products: the square is
    /// computed whole first, each cross product `a_i * a_j` (i < j) once and doubled, then
    /// reduced (the "separated operand scanning" form). `wide` is a buffer of
    /// [`wide_len`](Self::wide_len).
    ///
    /// No column overflows: column `c` of the square is the same sum as in a product, at most
    /// `limbs` products below `2^(2w)`; the reduction adds at most `limbs` more `m_j * n_k`, and
    /// a carry below `2^(64-w)`. With `w >= 21` that stays below `(limbs + 1) * 2^(2w+1)`, the
    /// bound the width was chosen for (widths are 26 to 28 up to 16384 bits).
    fn sqr(&self, a: &[u64], out: &mut [u64], wide: &mut [u64]) {
        let len = self.n.len();
        let (t, padded) = wide.split_at_mut(2 * len);
        t.fill(0);
        padded[..len].copy_from_slice(&a[..len]);
        padded[len..].fill(0);
        let mut i = 0;
        while i + ROWS <= len {
            square_rows::<ROWS>(t, padded, len, i);
            i += ROWS;
        }
        while i < len {
            square_rows::<1>(t, padded, len, i);
            i += 1;
        }
        for tk in t.iter_mut() {
            *tk <<= 1;
        }
        for (pair, &ai) in t.chunks_exact_mut(2).zip(&a[..len]) {
            pair[0] += ai * ai;
        }
        self.redc(t, out);
    }

    /// The length of the `wide` buffer [`mul`](Self::mul) and [`sqr`](Self::sqr) take: the
    /// columns of the product, and a copy of an operand with [`ROWS`]` - 1` zero limbs below
    /// and above it.
    fn wide_len(&self) -> usize {
        3 * self.n.len() + 2 * (ROWS - 1)
    }

    /// `out = t * R^-1 mod n`, up to one multiple of `n`, for `t` of `2 * limbs` unnormalised
    /// columns below `2 * n * R` (Montgomery's reduction): each low column in turn is made
    /// divisible by `2^w` with a multiple of `n` and drops out, its carry going up. The
    /// columns are taken [`ROWS`] at a time (see [`redc_rows`](Self::redc_rows)).
    fn redc(&self, t: &mut [u64], out: &mut [u64]) {
        let (w, mask, len) = (self.width, self.mask, self.n.len());
        let mut i = 0;
        while i + ROWS <= len {
            self.redc_rows::<ROWS>(t, i);
            i += ROWS;
        }
        while i < len {
            self.redc_rows::<1>(t, i);
            i += 1;
        }
        let mut carry = 0u64;
        for (o, &tk) in out[..len].iter_mut().zip(&t[len..2 * len]) {
            let v = tk + carry;
            *o = v & mask;
            carry = v >> w;
        }
        debug_assert_eq!(carry, 0, "a value below 2nR leaves no carry out of R");
    }

    /// Drops columns `i .. i + B` of `t`: finds the multipliers `m_0 .. m_(B-1)` that make
    /// them divisible by `2^w` one after the other (each column takes the products of the
    /// multipliers found below it and the carry of the column below), then adds
    /// `m_0 * n + m_1 * n * 2^w + …` to the columns above them in one pass, the `B` limbs of
    /// `n` that meet at a column held in registers: `B` products for each load and store of a
    /// column, where one row at a time makes one. The columns take the same products as row
    /// by row, so the same bound holds.
    #[inline(always)]
    fn redc_rows<const B: usize>(&self, t: &mut [u64], i: usize) {
        let (n, w, mask, len) = (&self.n[..], self.width, self.mask, self.n.len());
        let mut m = [0u64; B];
        let mut carry = 0u64;
        for r in 0..B {
            let mut column = t[i + r] + carry;
            for s in 0..r {
                column += m[s] * n[r - s];
            }
            m[r] = (column & mask).wrapping_mul(self.n0inv) & mask;
            carry = (column + m[r] * n[0]) >> w;
        }
        t[i + B] += carry;
        // window[s] = n_(k-s) at column i + k.
        let mut window = [0u64; B];
        for (s, limb) in window.iter_mut().enumerate() {
            *limb = n[B - 1 - s];
        }
        add_rows(
            &mut t[i + B..i + len + B - 1],
            &self.n_padded[B..len + B - 1],
            &m,
            window,
        );
    }

    /// `R^2 mod n`: `R mod n` by doubling from the top bit of `n`, then `2^(w*limbs) * R` by
    /// square-and-double in Montgomery form (about a dozen multiplications).
    fn r_squared(&self, bits: usize) -> Vec<u64> {
        let (len, w) = (self.n.len(), self.width as usize);
        let mut x = vec![0u64; len];
        x[(bits - 1) / w] = 1 << ((bits - 1) % w);
        for _ in (bits - 1)..(w * len) {
            self.double_mod(&mut x);
        }
        // x = R mod n, the Montgomery form of 1; doubled, of 2.
        self.double_mod(&mut x);
        let e = (w * len) as u64;
        let mut tmp = vec![0u64; len];
        let mut wide = vec![0u64; self.wide_len()];
        for bit in (0..63 - e.leading_zeros()).rev() {
            self.sqr(&x, &mut tmp, &mut wide);
            core::mem::swap(&mut x, &mut tmp);
            self.reduce(&mut x);
            if (e >> bit) & 1 == 1 {
                self.double_mod(&mut x);
            }
        }
        x
    }

    /// `x = 2x mod n`, for `x < n`.
    fn double_mod(&self, x: &mut [u64]) {
        let mut carry = 0u64;
        for limb in x.iter_mut() {
            let v = (*limb << 1) | carry;
            *limb = v & self.mask;
            carry = v >> self.width;
        }
        // The top limb has room: n < 2^(w*limbs - 2), so 2x < 2n fits.
        self.reduce(x);
    }

    /// `x = x mod n`, for `x < 2n`.
    fn reduce(&self, x: &mut [u64]) {
        if !less_than(x, &self.n) {
            sub_in_place(x, &self.n, self.mask);
        }
    }
}

/// Adds rows `i .. i + B` of the product `a * b` to its columns `t`: row `r` adds `a_r * b_j`
/// to column `r + j`. `b` has `B - 1` zero limbs below and above it (`b_j` is `b[B - 1 + j]`).
/// The `B` limbs of `b` that the rows meet at a column are held in registers, so a column is
/// loaded and stored once for `B` products.
#[inline(always)]
fn product_rows<const B: usize>(t: &mut [u64], a: &[u64], b: &[u64], i: usize) {
    let len = a.len();
    let mut row = [0u64; B];
    for (s, limb) in row.iter_mut().enumerate() {
        *limb = a[i + s];
    }
    // window[s] = b_(c-i-s) at column c, from column i to i + len + B - 2.
    add_rows(
        &mut t[i..i + len + B - 1],
        &b[B - 1..len + 2 * (B - 1)],
        &row,
        [0u64; B],
    );
}

/// Adds the cross products of rows `i .. i + B` of a square to its columns `t`: row `r` adds
/// `a_r * a_j` for every `j > r` to column `r + j`. `a` is the number (`len` limbs) with
/// `B - 1` zero limbs above it. Where all `B` rows meet a column, the `B` limbs of `a` they
/// take there are held in registers, so a column is loaded and stored once for `B` products;
/// the columns below that (where the rows start, two apart) are added one product at a time.
#[inline(always)]
fn square_rows<const B: usize>(t: &mut [u64], a: &[u64], len: usize, i: usize) {
    let mut row = [0u64; B];
    for (s, limb) in row.iter_mut().enumerate() {
        *limb = a[i + s];
    }
    // Columns where some rows have not started: row s starts at column 2(i + s) + 1.
    for c in 2 * i + 1..2 * i + 2 * B - 1 {
        for s in 0..B {
            if c > 2 * (i + s) {
                t[c] += row[s] * a[c - i - s];
            }
        }
    }
    // window[s] = a_(c-i-s) at column c, from column 2i + 2B - 1 to the last, i + len + B - 2.
    let mut window = [0u64; B];
    for (s, limb) in window.iter_mut().enumerate() {
        *limb = a[i + 2 * B - 2 - s];
    }
    add_rows(
        &mut t[2 * i + 2 * B - 1..i + len + B - 1],
        &a[i + 2 * B - 1..len + B - 1],
        &row,
        window,
    );
}

/// The pass that row blocking is for: for each column in turn, `incoming` brings the next limb
/// into `window` (which holds the `B` limbs the rows meet there, the newest first), and the
/// column takes `row[s] * window[s]` for every `s`, loaded and stored once.
#[inline(always)]
fn add_rows<const B: usize>(
    columns: &mut [u64],
    incoming: &[u64],
    row: &[u64; B],
    mut window: [u64; B],
) {
    for (column, &next) in columns.iter_mut().zip(incoming) {
        for s in (1..B).rev() {
            window[s] = window[s - 1];
        }
        window[0] = next;
        let mut sum = *column;
        for s in 0..B {
            sum += row[s] * window[s];
        }
        *column = sum;
    }
}

/// Rows of the reduction taken at once (see [`Modulus::redc_rows`]).
const ROWS: usize = 4;

/// `-x^-1 mod 2^width` for odd `x`, by Newton's iteration (each step doubles the correct bits).
fn neg_inverse(x: u64, width: u32) -> u64 {
    let mut inv: u64 = 1;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg() & ((1u64 << width) - 1)
}

fn limbs_from_be(bytes: &[u8], width: u32, len: usize) -> Vec<u64> {
    let mut limbs = vec![0u64; len.max((bytes.len() * 8).div_ceil(width as usize))];
    for (i, &byte) in bytes.iter().rev().enumerate() {
        for bit in 0..8 {
            if (byte >> bit) & 1 == 1 {
                let pos = i * 8 + bit;
                limbs[pos / width as usize] |= 1 << (pos % width as usize);
            }
        }
    }
    limbs
}

fn limbs_to_be(limbs: &[u64], width: u32, byte_len: usize) -> Vec<u8> {
    let mut out = vec![0u8; byte_len];
    let (mut acc, mut acc_bits, mut limb) = (0u128, 0u32, limbs.iter());
    for byte in out.iter_mut().rev() {
        while acc_bits < 8 {
            acc |= u128::from(limb.next().copied().unwrap_or(0)) << acc_bits;
            acc_bits += width;
        }
        *byte = acc as u8;
        acc >>= 8;
        acc_bits -= 8;
    }
    out
}

/// `a < b` for equal-length normalised little-endian numbers.
fn less_than(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a -= b` for normalised numbers with `a >= b`.
fn sub_in_place(a: &mut [u64], b: &[u64], mask: u64) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        borrow = d >> 63;
        *x = d & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
    use crypto_bigint::{Limb, Uint, U16384, U4096, U8192};
    use num_bigint::BigUint;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// `base^e mod n`, big-endian and `n.len()` bytes long, by two independent references that
    /// must agree: num-bigint's `modpow` and crypto-bigint's Montgomery exponentiation (another
    /// implementation: fixed-width, constant-time, 64- or 32-bit words). `case`: the case's
    /// number; in wasm, where crypto-bigint's 32-bit words make it slow, one case in four
    /// takes the second reference.
    fn reference_pow(n: &[u8], base: &BigUint, e: u32, case: usize) -> Vec<u8> {
        let nb = BigUint::from_bytes_be(n);
        let first = pad(&base.modpow(&BigUint::from(e), &nb).to_bytes_be(), n.len());
        if cfg!(target_arch = "wasm32") && case % 4 != 0 {
            return first;
        }
        let base = pad(&base.to_bytes_be(), n.len());
        let second = match n.len() {
            ..=512 => crypto_bigint_pow::<{ U4096::LIMBS }>(n, &base, e),
            513..=1024 => crypto_bigint_pow::<{ U8192::LIMBS }>(n, &base, e),
            _ => crypto_bigint_pow::<{ U16384::LIMBS }>(n, &base, e),
        };
        assert_eq!(first, second, "num-bigint and crypto-bigint disagree");
        first
    }

    /// `base^e mod n` with crypto-bigint in `LIMBS` words; `n` and `base` big-endian, `base < n`.
    fn crypto_bigint_pow<const LIMBS: usize>(n: &[u8], base: &[u8], e: u32) -> Vec<u8> {
        let width = LIMBS * Limb::BYTES;
        let wide = |bytes: &[u8]| Uint::<LIMBS>::from_be_slice(&pad(bytes, width));
        let params = DynResidueParams::new(&wide(n));
        let power = DynResidue::new(&wide(base), params)
            .pow_bounded_exp(&Uint::<1>::from_u32(e), 32)
            .retrieve();
        let mut out = Vec::with_capacity(width);
        for word in power.as_words().iter().rev() {
            out.extend_from_slice(&word.to_be_bytes());
        }
        out.split_off(width - n.len())
    }

    /// A small deterministic generator: the test needs variety, not secrecy.
    pub(crate) struct XorShift(pub u64);
    impl XorShift {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    #[test]
    fn inverse_is_exact() {
        for w in [20u32, 26, 28] {
            for x in [1u64, 3, 0xfff_ffff, 0x234_5679, 65537] {
                let x = x & ((1 << w) - 1) | 1;
                assert_eq!(
                    x.wrapping_mul(neg_inverse(x, w)) & ((1 << w) - 1),
                    (1 << w) - 1,
                    "w={w} x={x}"
                );
            }
        }
    }

    #[test]
    fn squaring_equals_multiplying_by_itself_up_to_the_largest_input() {
        let mut rng = XorShift(11);
        for bits in [
            64usize, 512, 2048, 2049, 3554, 3555, 4096, 8192, 13796, 16384,
        ] {
            let mut n = rng.bytes(bits.div_ceil(8));
            n[0] = n[0] & (0xff >> (n.len() * 8 - bits)) | (0x80 >> (n.len() * 8 - bits));
            *n.last_mut().expect("bytes") |= 1;
            let m = Modulus::from_be_bytes(&n).expect("odd modulus");
            let len = m.n.len();
            // 2n - 1, the largest input, and random values below n.
            let mut largest = m.n.clone();
            for limb in &mut largest {
                *limb <<= 1;
            }
            let mut carry = 0;
            for limb in &mut largest {
                let v = *limb + carry;
                *limb = v & m.mask;
                carry = v >> m.width;
            }
            sub_in_place(
                &mut largest,
                &{
                    let mut one = vec![0; len];
                    one[0] = 1;
                    one
                },
                m.mask,
            );
            let randoms = (0..20).map(|_| {
                let mut x = limbs_from_be(&rng.bytes(n.len()), m.width, len);
                while !less_than(&x, &m.n) {
                    let top = x.iter().rposition(|&l| l != 0).expect("nonzero");
                    x[top] >>= 1;
                }
                x
            });
            for a in core::iter::once(largest).chain(randoms) {
                let (mut by_sqr, mut by_mul) = (vec![0; len], vec![0; len]);
                m.sqr(&a, &mut by_sqr, &mut vec![0; m.wide_len()]);
                m.mul(&a, &a, &mut by_mul, &mut vec![0; m.wide_len()]);
                m.reduce(&mut by_sqr);
                m.reduce(&mut by_mul);
                assert_eq!(by_sqr, by_mul, "{bits} bits");
            }
        }
    }

    #[test]
    fn limb_conversions_round_trip() {
        let mut rng = XorShift(5);
        for len in [1usize, 7, 31, 256, 257] {
            let bytes = rng.bytes(len);
            for w in [20u32, 27, 28] {
                let limbs = limbs_from_be(&bytes, w, 0);
                assert!(limbs.iter().all(|&l| l < 1 << w));
                assert_eq!(limbs_to_be(&limbs, w, len), bytes);
            }
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
    /// sizes (bit lengths that are and are not multiples of the limb width, up to 16384 bits),
    /// on bases near 0, near n and random, and on several exponents.
    #[test]
    fn matches_reference_modpow() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut cases = 0;
        for size in [
            8usize, 9, 15, 17, 31, 64, 65, 127, 128, 256, 384, 512, 1024, 2048,
        ] {
            let big = size >= 1024;
            let rounds = if big { 2 } else { 24 };
            for round in 0..rounds {
                let mut n = rng.bytes(size);
                n[0] |= 0x01 << (rng.next() % 8);
                if round % 3 == 0 {
                    n[0] |= 0x80;
                }
                n[size - 1] |= 1;
                let Some(m) = Modulus::from_be_bytes(&n) else {
                    continue;
                };
                let nb = BigUint::from_bytes_be(&n);
                let n_len = m.byte_len();
                let bases = [
                    BigUint::from_bytes_be(&rng.bytes(size)) % &nb,
                    BigUint::from(1u32),
                    BigUint::from(0u32),
                    &nb - 1u32,
                    &nb - 2u32,
                ];
                for base in bases.iter().take(if big { 2 } else { 5 }) {
                    let base_be = pad(&base.to_bytes_be(), n_len);
                    let exponents = [3u32, 65537, 1, 17, (rng.next() as u32) | 1];
                    for &e in exponents.iter().take(if big { 2 } else { 5 }) {
                        let want = pad(&base.modpow(&BigUint::from(e), &nb).to_bytes_be(), n_len);
                        assert_eq!(
                            m.pow_be(&base_be, e).as_deref(),
                            Some(&want[..]),
                            "size {size} e {e}"
                        );
                        cases += 1;
                    }
                }
            }
        }
        assert!(cases > 900, "only {cases} cases ran");
    }

    /// Differential at the RSA sizes: random odd moduli with the top bit set (2048, 3072, 4096
    /// bits), random bases below them, e = 65537 and 3, against num-bigint and crypto-bigint
    /// ([`reference_pow`]). `ZW_DIFF_CASES`
    /// sets the cases per size (default 200 in `make test`; `make bench` runs 100,000 in
    /// release mode).
    #[test]
    fn differential_at_rsa_sizes() {
        let cases: usize = option_env_cases().unwrap_or(if cfg!(target_arch = "wasm32") {
            60
        } else {
            200
        });
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for bytes in [256usize, 384, 512] {
            let mut n = rng.bytes(bytes);
            for i in 0..cases {
                if i % 50 == 0 {
                    n = rng.bytes(bytes);
                    n[0] |= 0x80;
                    n[bytes - 1] |= 1;
                }
                let m = Modulus::from_be_bytes(&n).expect("odd modulus");
                let nb = BigUint::from_bytes_be(&n);
                let base = BigUint::from_bytes_be(&rng.bytes(bytes)) % &nb;
                let e = if i % 2 == 0 { 65537u32 } else { 3 };
                let want = reference_pow(&n, &base, e, i);
                assert_eq!(
                    m.pow_be(&pad(&base.to_bytes_be(), bytes), e).as_deref(),
                    Some(&want[..]),
                    "{bytes} bytes, case {i}"
                );
            }
        }
    }

    /// Differential at the bit lengths where the limb count or the limb width changes (the
    /// overflow bound of `from_be_bytes` is tightest there): 2040-2050 (73 → 74 limbs of 28
    /// bits), 3552-3556 (28 → 27 bits) and, natively, 13794-13797 (27 → 26 bits).
    #[test]
    fn differential_where_limbs_change() {
        let mut rng = XorShift(0x5851_f42d_4c95_7f2d);
        let mut sizes: Vec<usize> = (2040..=2050).chain(3552..=3556).collect();
        if cfg!(not(target_arch = "wasm32")) {
            sizes.extend(13794..=13797);
        }
        for bits in sizes {
            let bytes = bits.div_ceil(8);
            for i in 0..4 {
                let mut n = rng.bytes(bytes);
                let top = (bits - 1) % 8;
                // Exactly `bits` long: bit `top` of the first byte set, the ones above clear.
                n[0] = (n[0] & ((1u8 << top) - 1)) | (1u8 << top);
                n[bytes - 1] |= 1;
                let m = Modulus::from_be_bytes(&n).expect("odd modulus");
                let nb = BigUint::from_bytes_be(&n);
                assert_eq!(nb.bits() as usize, bits);
                // The largest bases stress the columns most: n - 1, then random ones.
                let base = if i == 0 {
                    &nb - 1u32
                } else {
                    BigUint::from_bytes_be(&rng.bytes(bytes)) % &nb
                };
                let want = reference_pow(&n, &base, 65537, i);
                assert_eq!(
                    m.pow_be(&pad(&base.to_bytes_be(), bytes), 65537).as_deref(),
                    Some(&want[..]),
                    "{bits} bits, case {i}"
                );
            }
        }
    }

    fn option_env_cases() -> Option<usize> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            std::env::var("ZW_DIFF_CASES").ok()?.parse().ok()
        }
        #[cfg(target_arch = "wasm32")]
        {
            None
        }
    }

    fn pad(b: &[u8], len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len.saturating_sub(b.len())];
        v.extend_from_slice(b);
        v
    }
}
