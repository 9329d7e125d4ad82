//! Sets of secrets (or roles, users, …) as bit sets, and the three answers the model gives:
//! no, only under a condition keyward cannot judge ("conditional"), yes.
//!
//! The model never asks "can P read S?" pair by pair: it works out, per principal, the set of
//! secrets it can read, with whole-word operations over bit sets (10,000 secrets are 157
//! words), and a statement's set of secrets is computed once per distinct resource pattern.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// A hash map with a fast, non-cryptographic hash (the multiply-rotate hash rustc uses): the
/// model's caches are keyed by bit sets of thousands of words and by statement lists, where
/// SipHash showed up in profiles. Keys come from the snapshot, not from an attacker who could
/// aim collisions at a scan.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        // A bit set of thousands of words is hashed in four lanes, folded at the end: one lane
        // waits for each multiplication before the next word, four keep the core busy (the
        // interning of the model's sets took a sixth of its time at 10,000 users).
        let bytes = if bytes.len() >= 64 {
            let mut blocks = bytes.chunks_exact(32);
            let mut lanes = [
                FastHasher(self.0),
                FastHasher(1),
                FastHasher(2),
                FastHasher(3),
            ];
            for block in &mut blocks {
                for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
                    lane.add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
                }
            }
            self.0 = lanes[0].0;
            for lane in &lanes[1..] {
                self.add(lane.0);
            }
            blocks.remainder()
        } else {
            bytes
        };
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A yes/conditional/no answer. Ordered: `No < Maybe < Yes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tri {
    No,
    /// Only if a condition keyward cannot judge holds.
    Maybe,
    Yes,
}

impl Tri {
    /// Both hold: the weaker of the two.
    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    /// Either holds: the stronger of the two.
    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    /// The answer for "not denied", given how sure a deny is.
    pub fn not(self) -> Tri {
        match self {
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
            Tri::Yes => Tri::No,
        }
    }
}

/// A fixed-size set of indices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    pub fn empty(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> Bits {
        let mut bits = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        bits.clear_tail();
        bits
    }

    /// The set of the indices for which `member` holds.
    pub fn from_fn(len: usize, member: impl Fn(usize) -> bool) -> Bits {
        let mut bits = Bits::empty(len);
        for i in (0..len).filter(|&i| member(i)) {
            bits.insert(i);
        }
        bits
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn union_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn intersect_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn subtract(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// Whether every member of `self` is in `other`.
    pub fn is_subset(&self, other: &Bits) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    pub fn complement(&self) -> Bits {
        let mut bits = Bits {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        bits.clear_tail();
        bits
    }

    /// The members, in increasing order.
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(i * 64 + bit)
            })
        })
    }

    fn clear_tail(&mut self) {
        let used = self.len % 64;
        if used != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1 << used) - 1;
        }
    }
}

/// Stores equal sets once: many principals share the same answer (every member of a group,
/// every user a policy lets act on every user), and a set over 50,000 users is 12 KB, so
/// keeping one copy per principal grew with principals times users.
#[derive(Default)]
pub struct Interner {
    sets: HashSet<Arc<TriBits>, BuildHasherDefault<FastHasher>>,
}

impl Interner {
    pub fn intern(&mut self, bits: TriBits) -> Arc<TriBits> {
        // Looked up before the allocation: most sets interned are already held.
        match self.sets.get(&bits) {
            Some(shared) => shared.clone(),
            None => self.share(Arc::new(bits)),
        }
    }

    /// A set made elsewhere (by another thread's interner), as this interner holds it.
    pub fn share(&mut self, bits: Arc<TriBits>) -> Arc<TriBits> {
        if let Some(shared) = self.sets.get(&bits) {
            return shared.clone();
        }
        self.sets.insert(bits.clone());
        bits
    }
}

/// A set with a three-valued membership: `yes` holds the members that surely belong, `any`
/// those that may (the surely ones and the conditional ones). Always `yes ⊆ any`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TriBits {
    pub yes: Bits,
    pub any: Bits,
}

impl TriBits {
    pub fn empty(len: usize) -> TriBits {
        TriBits {
            yes: Bits::empty(len),
            any: Bits::empty(len),
        }
    }

    pub fn full(len: usize) -> TriBits {
        TriBits {
            yes: Bits::full(len),
            any: Bits::full(len),
        }
    }

    /// Every member of `bits` with the same answer `tri`.
    pub fn uniform(bits: &Bits, tri: Tri) -> TriBits {
        match tri {
            Tri::Yes => TriBits {
                yes: bits.clone(),
                any: bits.clone(),
            },
            Tri::Maybe => TriBits {
                yes: Bits::empty(bits.len()),
                any: bits.clone(),
            },
            Tri::No => TriBits::empty(bits.len()),
        }
    }

    pub fn get(&self, i: usize) -> Tri {
        if self.yes.contains(i) {
            Tri::Yes
        } else if self.any.contains(i) {
            Tri::Maybe
        } else {
            Tri::No
        }
    }

    pub fn set(&mut self, i: usize, tri: Tri) {
        match tri {
            Tri::Yes => {
                self.yes.insert(i);
                self.any.insert(i);
            }
            Tri::Maybe => {
                self.yes.remove(i);
                self.any.insert(i);
            }
            Tri::No => {
                self.yes.remove(i);
                self.any.remove(i);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.any.is_empty()
    }

    /// Either holds, member by member.
    pub fn union_with(&mut self, other: &TriBits) {
        self.yes.union_with(&other.yes);
        self.any.union_with(&other.any);
    }

    /// Both hold, member by member.
    pub fn intersect_with(&mut self, other: &TriBits) {
        self.yes.intersect_with(&other.yes);
        self.any.intersect_with(&other.any);
    }

    /// Holds and is not denied, member by member: `denied` says how surely each member is
    /// denied (a conditional deny leaves a conditional answer).
    pub fn deny(&mut self, denied: &TriBits) {
        self.yes.subtract(&denied.any);
        self.any.subtract(&denied.yes);
    }

    /// Every member's answer weakened to at most `tri` (a condition on the whole set).
    pub fn limit(&mut self, tri: Tri) {
        match tri {
            Tri::Yes => {}
            Tri::Maybe => self.yes = Bits::empty(self.yes.len()),
            Tri::No => *self = TriBits::empty(self.yes.len()),
        }
    }

    /// Keeps only the members of `mask`.
    pub fn restrict(&mut self, mask: &Bits) {
        self.yes.intersect_with(mask);
        self.any.intersect_with(mask);
    }

    /// Adds `other`, weakened to at most `tri`.
    pub fn union_limited(&mut self, other: &TriBits, tri: Tri) {
        match tri {
            Tri::Yes => self.union_with(other),
            Tri::Maybe => self.any.union_with(&other.any),
            Tri::No => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_work_across_word_boundaries() {
        let mut a = Bits::empty(130);
        for i in [0, 63, 64, 129] {
            a.insert(i);
        }
        assert_eq!(a.ones().collect::<Vec<_>>(), [0, 63, 64, 129]);
        assert_eq!(a.count(), 4);
        let full = Bits::full(130);
        assert_eq!(full.count(), 130, "no bit beyond the length");
        assert_eq!(a.complement().count(), 126);
        let mut b = full.clone();
        b.subtract(&a);
        assert!(!b.contains(64) && b.contains(65));
        assert!(a.is_subset(&full) && !full.is_subset(&a));
    }

    #[test]
    fn a_conditional_deny_leaves_a_conditional_answer() {
        let mut allowed = TriBits::full(3);
        let mut denied = TriBits::empty(3);
        denied.set(0, Tri::Yes);
        denied.set(1, Tri::Maybe);
        allowed.deny(&denied);
        assert_eq!(
            (allowed.get(0), allowed.get(1), allowed.get(2)),
            (Tri::No, Tri::Maybe, Tri::Yes)
        );
        let mut limited = allowed.clone();
        limited.limit(Tri::Maybe);
        assert_eq!(limited.get(2), Tri::Maybe);
        assert_eq!(Tri::Maybe.not(), Tri::Maybe);
        assert_eq!(Tri::Yes.and(Tri::Maybe), Tri::Maybe);
        assert_eq!(Tri::No.or(Tri::Maybe), Tri::Maybe);
    }
}
