//! Choosing a share of documents at random, for bulk assignment ("assign 20 % of the
//! documents to both coders"). Seeded, so a given seed always picks the same documents.

/// How many of `total` items `percent` % is: rounded to the nearest whole item, and at
/// least one when both are positive (20 % of 3 documents is 1, not 0).
pub fn share(total: usize, percent: u32) -> usize {
    if total == 0 || percent == 0 {
        return 0;
    }
    let exact = (total as u64 * u64::from(percent.min(100)) + 50) / 100;
    (exact as usize).clamp(1, total)
}

/// `count` distinct indices below `total`, uniformly at random (a partial Fisher–Yates
/// shuffle), in ascending order.
pub fn sample(total: usize, count: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64(seed);
    let mut indices: Vec<usize> = (0..total).collect();
    let count = count.min(total);
    for i in 0..count {
        let j = i + (rng.next_u64() % (total - i) as u64) as usize;
        indices.swap(i, j);
    }
    indices.truncate(count);
    indices.sort_unstable();
    indices
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast, and good enough to pick documents
/// (and to make the demo project's coding repeatable).
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_to_whole_documents_and_never_to_none() {
        assert_eq!(share(10, 20), 2);
        assert_eq!(share(3, 20), 1, "at least one");
        assert_eq!(share(7, 50), 4, "3.5 rounds up");
        assert_eq!(share(5, 100), 5);
        assert_eq!(share(5, 250), 5, "capped at every document");
        assert_eq!(share(0, 20), 0);
        assert_eq!(share(9, 0), 0);
    }

    #[test]
    fn samples_are_distinct_in_range_and_repeatable() {
        for seed in 0..50 {
            let picked = sample(20, 7, seed);
            assert_eq!(picked.len(), 7);
            assert!(picked.windows(2).all(|w| w[0] < w[1]), "distinct, sorted");
            assert!(picked.iter().all(|&i| i < 20));
            assert_eq!(picked, sample(20, 7, seed), "same seed, same pick");
        }
        assert_ne!(sample(100, 10, 1), sample(100, 10, 2));
        assert_eq!(sample(3, 10, 4), [0, 1, 2]);
    }

    #[test]
    fn every_item_can_be_picked() {
        let mut seen = [false; 10];
        for seed in 0..200 {
            for i in sample(10, 1, seed) {
                seen[i] = true;
            }
        }
        assert!(seen.iter().all(|&s| s), "{seen:?}");
    }
}
