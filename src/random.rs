//! Random-enough numbers with std alone: for DNS query IDs (RFC 5452
//! §9.2) and the names of temporary files.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

// ANCHOR: random
/// 64 bits nobody outside this process can predict.
///
/// std has no random number generator, but `RandomState` (the seed of
/// every `HashMap`) gets its keys from the operating system's random
/// source. We hash a counter and the clock with a fresh `RandomState`, so
/// two calls never hash the same input. Unpredictable enough for this
/// crate, though not a documented cryptographic generator (reading
/// `/dev/urandom` would be, but only on Unix, and at the cost of opening
/// a file each time).
pub fn random_u64() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    hasher.write_u128(now.map_or(0, |d| d.as_nanos()));
    hasher.finish()
}
// ANCHOR_END: random

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_in_a_row_differ() {
        let draws: std::collections::HashSet<u64> =
            (0..1000).map(|_| random_u64()).collect();
        assert_eq!(draws.len(), 1000);
    }
}
