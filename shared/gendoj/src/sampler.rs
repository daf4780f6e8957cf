//! The generator's random source: ChaCha8 seeded from a `u64`, with our own small set of
//! sampling helpers.
//!
//! The helpers are written here (rather than taken from `rand`/`rand_distr`) so that the output
//! depends only on the ChaCha8 stream, which is fixed by the algorithm: a `rand` upgrade that
//! changes how `random_range` or `Exp` consume bits cannot silently change the files a seed
//! produces.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// Seeded sampler.
pub struct Sampler {
    rng: ChaCha8Rng,
}

impl Sampler {
    /// ChaCha8 seeded with `seed` (expanded to 32 bytes by `rand_core`'s documented PCG32 scheme).
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Uniform integer in `0..n` (`n > 0`), by Lemire's multiply-and-reject method (unbiased).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let mut product = u128::from(self.rng.next_u64()) * u128::from(n);
        let mut low = product as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                product = u128::from(self.rng.next_u64()) * u128::from(n);
                low = product as u64;
            }
        }
        (product >> 64) as u64
    }

    /// Uniform integer in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        debug_assert!(low <= high);
        low + self.below(high - low + 1)
    }

    /// Uniform `f64` in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        (self.rng.next_u64() >> 11) as f64 * SCALE
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A draw from Exp(1), by inversion: `-ln(1 - U)` with `1 - U` in `(0, 1]`.
    pub fn exp1(&mut self) -> f64 {
        -(1.0 - self.unit()).ln()
    }

    /// A uniformly chosen element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = self.below(items.len() as u64) as usize;
        &items[index]
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut sampler = Sampler::new(7);
        let mut seen = [0u32; 6];
        for _ in 0..6000 {
            let value = sampler.below(6);
            seen[value as usize] += 1;
        }
        assert!(
            seen.iter().all(|&count| (800..1200).contains(&count)),
            "{seen:?}"
        );
    }

    #[test]
    fn exp1_has_mean_near_one() {
        let mut sampler = Sampler::new(11);
        let n = 100_000;
        let mean = (0..n).map(|_| sampler.exp1()).sum::<f64>() / f64::from(n);
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
    }

    #[test]
    fn same_seed_same_stream() {
        let mut a = Sampler::new(42);
        let mut b = Sampler::new(42);
        for _ in 0..100 {
            assert_eq!(a.below(1_000_000), b.below(1_000_000));
        }
    }
}
