//! The diagnosis's work limit, and the sink that hashes a candidate body as it is written.
//!
//! Anyone who holds one genuine signature of the account's key can send it with any body, so
//! the search for the change that explains a body mismatch must not cost more than the
//! verification it follows. Every byte the search hashes, and every body byte it parses into
//! a tree, is taken from a [`Work`] limit set from the body's length; when the limit is used
//! up the search stops and says so ("not diagnosed") instead of spending more. Candidates are
//! hashed while they are written, never held whole: re-writing deeply nested JSON with an
//! indent can be hundreds of times longer than the body.

use sha2::{Digest, Sha256};

/// Bytes of work left for one diagnosis, and what was spent.
pub(crate) struct Work {
    left: usize,
    spent: usize,
    /// Whether a step was refused for want of work: the search was not complete.
    pub(crate) exhausted: bool,
}

impl Work {
    pub(crate) const fn new(limit: usize) -> Self {
        Work {
            left: limit,
            spent: 0,
            exhausted: false,
        }
    }

    /// Takes `bytes` of work: `false` (and nothing taken) when fewer are left.
    pub(crate) fn take(&mut self, bytes: usize) -> bool {
        if bytes > self.left {
            self.exhausted = true;
            return false;
        }
        self.left -= bytes;
        self.spent += bytes;
        true
    }

    /// Whether `bytes` of work are left (taking none); when not, the search is incomplete.
    pub(crate) fn affords(&mut self, bytes: usize) -> bool {
        if bytes > self.left {
            self.exhausted = true;
        }
        bytes <= self.left
    }

    /// The work spent so far, in bytes.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) const fn spent(&self) -> usize {
        self.spent
    }
}

/// `hasher` with `bytes` added. Every SHA-256 call of the verifier and the diagnosis goes
/// through this and [`sha256_finish`], kept out of line: inlined at each call site, the
/// compression function would be copied into the module several times.
#[inline(never)]
pub(crate) fn sha256_update(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update(bytes);
}

/// The digest of what `hasher` was given.
#[inline(never)]
pub(crate) fn sha256_finish(hasher: Sha256) -> [u8; 32] {
    hasher.finalize().into()
}

/// A hash state that has been given `bytes`.
pub(crate) fn sha256_of(bytes: &[u8]) -> Sha256 {
    let mut hasher = Sha256::new();
    sha256_update(&mut hasher, bytes);
    hasher
}

/// Bytes gathered before they are hashed (and taken from the work limit) at once.
const CHUNK: usize = 4096;

/// A candidate body being written: hashed a chunk at a time, each chunk taken from the work
/// limit. Once the limit refuses a chunk the sink is `over` and writers stop.
pub(crate) struct Sink<'w> {
    hasher: Sha256,
    buf: Vec<u8>,
    work: &'w mut Work,
    /// Work charged beyond the bytes in `buf` (per value written), paid at the next flush.
    charged: usize,
    pub(crate) over: bool,
    /// Everything written, for the tests that read what a style writes.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) written: Vec<u8>,
}

impl<'w> Sink<'w> {
    pub(crate) fn new(work: &'w mut Work) -> Self {
        Sink {
            hasher: Sha256::new(),
            buf: Vec::with_capacity(CHUNK + 64),
            work,
            charged: 0,
            over: false,
            #[cfg(any(test, feature = "testing"))]
            written: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, byte: u8) {
        if self.buf.len() < CHUNK {
            self.buf.push(byte);
        } else {
            self.extend(&[byte]);
        }
    }

    /// Adds `bytes` of work to what the next flush pays, for work that writes no bytes.
    pub(crate) fn charge(&mut self, bytes: usize) {
        self.charged += bytes;
        if self.charged >= CHUNK {
            self.flush();
        }
    }

    #[inline(never)]
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        if self.over {
            return;
        }
        if bytes.len() >= CHUNK {
            self.flush();
            for chunk in bytes.chunks(CHUNK) {
                self.buf.extend_from_slice(chunk);
                self.flush();
                if self.over {
                    return;
                }
            }
        } else {
            self.buf.extend_from_slice(bytes);
            if self.buf.len() >= CHUNK {
                self.flush();
            }
        }
    }

    #[inline(never)]
    fn flush(&mut self) {
        let cost = self.buf.len() + core::mem::take(&mut self.charged);
        if !self.over && self.work.take(cost) {
            sha256_update(&mut self.hasher, &self.buf);
            #[cfg(any(test, feature = "testing"))]
            self.written.extend_from_slice(&self.buf);
        } else {
            self.over = true;
        }
        self.buf.clear();
    }

    /// Everything written, or `None` when the work limit stopped it.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn finish_text(mut self) -> Option<Vec<u8>> {
        self.flush();
        (!self.over).then(|| core::mem::take(&mut self.written))
    }

    /// The hash state of everything written, or `None` when the work limit stopped it.
    pub(crate) fn finish(mut self) -> Option<Sha256> {
        self.flush();
        (!self.over).then_some(self.hasher)
    }
}

/// Sorts `items` by `less` in place: a heapsort, `O(n log n)` comparisons whatever the input,
/// no allocation, and a few hundred bytes of code where the standard library's sort would add
/// kilobytes to the module.
pub(crate) fn heapsort<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let len = items.len();
    let mut sift = |items: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            break;
        }
        items.swap(root, child);
        root = child;
    };
    for root in (0..len / 2).rev() {
        sift(items, root, len);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift(items, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_sink_hashes_what_is_written_within_the_limit() {
        let text: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut work = Work::new(usize::MAX);
        let mut sink = Sink::new(&mut work);
        sink.extend(&text[..5]);
        sink.push(text[5]);
        sink.extend(&text[6..]);
        let digest = sink.finish().expect("within the limit").finalize();
        assert_eq!(digest, Sha256::digest(&text));
        assert_eq!(work.spent(), text.len());

        let mut work = Work::new(6000);
        let mut sink = Sink::new(&mut work);
        sink.extend(&text);
        assert!(sink.over, "stopped at the limit");
        assert!(sink.finish().is_none());
        assert!(work.exhausted && work.spent() <= 6000);
    }

    #[test]
    fn heapsort_sorts_with_n_log_n_comparisons() {
        for n in [0usize, 1, 2, 3, 10, 1000, 6000] {
            for pattern in 0..3 {
                let mut items: Vec<u32> = (0..n as u32)
                    .map(|i| match pattern {
                        0 => i,
                        1 => n as u32 - i,
                        _ => i.wrapping_mul(2_654_435_761) % 97,
                    })
                    .collect();
                let mut expected = items.clone();
                expected.sort_unstable();
                let mut comparisons = 0usize;
                heapsort(&mut items, |a, b| {
                    comparisons += 1;
                    a < b
                });
                assert_eq!(items, expected);
                let log = (usize::BITS - n.leading_zeros()) as usize;
                assert!(comparisons <= 3 * n * log.max(1), "{n}: {comparisons}");
            }
        }
    }
}
