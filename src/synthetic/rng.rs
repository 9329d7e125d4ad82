//! The randomness of the synthetic account: a fixed seed, so that every run builds the same one.

use chrono::{DateTime, Utc};

/// A small deterministic generator (SplitMix64).
pub(super) struct Rng(u64);

impl Rng {
    /// The seed every synthetic account starts from ("keyward" in ASCII).
    pub(super) fn seeded() -> Rng {
        Rng(0x006b_6579_7761_7264)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with the given probability in percent.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// When a credential or secret was last used, at most `age` days ago: in use (within 30
    /// days) for most, stale (30 to 400 days) for a quarter, never for `never` percent.
    pub(super) fn last_use(
        &mut self,
        as_of: DateTime<Utc>,
        age: u64,
        never: u64,
    ) -> Option<DateTime<Utc>> {
        let roll = self.below(100);
        if roll < never {
            None
        } else if roll < 75 {
            Some(ago(as_of, self.below(age.min(30) + 1), self.below(86_400)))
        } else {
            Some(ago(as_of, self.below(age.min(400) + 1), self.below(86_400)))
        }
    }
}

pub(super) fn ago(as_of: DateTime<Utc>, days: u64, seconds: u64) -> DateTime<Utc> {
    as_of - chrono::Duration::days(days as i64) - chrono::Duration::seconds(seconds as i64)
}

/// Whole days from `then` to `as_of`, none for a time after it.
pub(super) fn days_before(as_of: DateTime<Utc>, then: DateTime<Utc>) -> u64 {
    (as_of - then).num_days().max(0) as u64
}
