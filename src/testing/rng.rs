//! A deterministic random generator from a 32-byte seed: SHA-256 over the seed and a block
//! counter. The test kit's randomness comes from the caller this way (the JavaScript layer
//! draws the seed from `crypto.getRandomValues`), so the core reads no randomness itself.
//! Good enough for throwaway test keys; not a general-purpose CSPRNG.

use rsa::rand_core::{CryptoRng, Error as RandError, RngCore};
use sha2::{Digest, Sha256};

/// SHA-256 in counter mode over a 32-byte seed.
pub struct SeedRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl core::fmt::Debug for SeedRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SeedRng").finish_non_exhaustive()
    }
}

impl SeedRng {
    /// A generator whose whole output follows from `seed`.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        SeedRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn refill(&mut self) {
        let mut hasher = Sha256::new();
        hasher.update(self.seed);
        hasher.update(self.counter.to_le_bytes());
        self.block = hasher.finalize().into();
        self.counter = self.counter.wrapping_add(1);
        self.used = 0;
    }
}

impl RngCore for SeedRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.used >= self.block.len() {
                self.refill();
            }
            *byte = self.block.get(self.used).copied().unwrap_or(0);
            self.used += 1;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), RandError> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for SeedRng {}
