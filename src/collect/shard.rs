//! `--shard K/N`: one of N parts of the accounts to scan, so that CI can spread an organization
//! over N jobs. An account's part depends on its id alone (the first eight bytes of the SHA-256
//! of the id, modulo N), not on the other accounts: every job of a run puts each account in the
//! same part even if the organization's listing changed between the jobs' starts, so no account
//! is scanned twice or missed, and an account stays in its part from one night to the next.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The most parts an organization can be split into.
pub const MAX_SHARDS: u32 = 1_000;

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl Shard {
    /// Whether an account belongs to this part.
    pub fn holds(&self, account_id: &str) -> bool {
        part_of(account_id, self.count) == self.index - 1
    }
}

/// The 0-based part of `count` an account id falls in.
fn part_of(account_id: &str, count: u32) -> u32 {
    let digest = Sha256::digest(account_id.as_bytes());
    let head = u64::from_be_bytes(digest[..8].try_into().expect("eight bytes"));
    (head % u64::from(count)) as u32
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = || {
            format!(
                "`{}` is not a shard: write K/N, part K of N (1 <= K <= N <= {MAX_SHARDS}), e.g. 2/4",
                crate::text::terminal_safe(text)
            )
        };
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let (index, count): (u32, u32) = (
            index.trim().parse().map_err(|_| usage())?,
            count.trim().parse().map_err(|_| usage())?,
        );
        if index == 0 || index > count || count > MAX_SHARDS {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u64) -> Vec<String> {
        (0..n)
            .map(|i| format!("{:012}", 100_000_000_000 + i * 7_919))
            .collect()
    }

    fn shards(count: u32) -> Vec<Shard> {
        (1..=count)
            .map(|k| format!("{k}/{count}").parse().unwrap())
            .collect()
    }

    #[test]
    fn every_account_is_in_exactly_one_part() {
        for count in [1, 2, 3, 7, 16] {
            for id in ids(500) {
                let holding = shards(count).iter().filter(|s| s.holds(&id)).count();
                assert_eq!(holding, 1, "{id} in {holding} of {count} parts");
            }
        }
    }

    #[test]
    fn parts_are_near_even() {
        let ids = ids(2_000);
        for shard in shards(4) {
            let held = ids.iter().filter(|id| shard.holds(id)).count();
            assert!((400..=600).contains(&held), "{shard}: {held} of 2000");
        }
    }

    #[test]
    fn an_accounts_part_depends_on_its_id_alone() {
        // Fixed values (checked with Python's hashlib): a change of the split would move
        // accounts between CI jobs.
        let shard: Shard = "2/4".parse().unwrap();
        let held: Vec<String> = ids(12).into_iter().filter(|id| shard.holds(id)).collect();
        assert_eq!(held, FIXED_PART);
    }

    const FIXED_PART: [&str; 3] = ["100000015838", "100000055433", "100000071271"];

    #[test]
    fn malformed_shards_are_refused_with_the_form_to_use() {
        for text in ["0/4", "5/4", "4", "a/b", "1/0", "1/1001", "-1/4", "1/4/2"] {
            let error = text.parse::<Shard>().unwrap_err();
            assert!(error.contains("write K/N"), "{text}: {error}");
        }
        assert_eq!("3/4".parse::<Shard>().unwrap().to_string(), "3/4");
        assert_eq!(" 1 / 1".parse::<Shard>().unwrap().to_string(), "1/1");
    }
}
