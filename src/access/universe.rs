//! The resources of one kind the model knows by ARN (secrets, roles, users, groups, managed
//! policies), and the set a resource pattern matches in it.
//!
//! A pattern is matched once (its set is cached by the caller): the ARNs are kept sorted, so a
//! pattern with a literal start (`arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*`)
//! is tested only against the ARNs in the range that start with it, found by binary search.

use super::bits::Bits;
use super::document::ResourceSet;
use super::pattern;

pub struct Universe {
    arns: Vec<String>,
    /// Indices into `arns`, in ARN order.
    sorted: Vec<usize>,
}

impl Universe {
    pub fn new(arns: Vec<String>) -> Universe {
        let mut sorted: Vec<usize> = (0..arns.len()).collect();
        sorted.sort_by(|&a, &b| arns[a].cmp(&arns[b]));
        Universe { arns, sorted }
    }

    pub fn len(&self) -> usize {
        self.arns.len()
    }

    pub fn arn(&self, i: usize) -> &str {
        &self.arns[i]
    }

    /// The index of an ARN, if it is one of the universe's.
    pub fn find(&self, arn: &str) -> Option<usize> {
        self.sorted
            .binary_search_by(|&i| self.arns[i].as_str().cmp(arn))
            .ok()
            .map(|pos| self.sorted[pos])
    }

    /// The members one pattern matches.
    pub fn matching(&self, resource_pattern: &str) -> Bits {
        if pattern::matches_everything(resource_pattern) {
            return Bits::full(self.len());
        }
        let prefix = pattern::literal_prefix(resource_pattern);
        let start = self
            .sorted
            .partition_point(|&i| self.arns[i].as_str() < prefix);
        let mut bits = Bits::empty(self.len());
        let literal = pattern::is_literal(resource_pattern);
        for &i in &self.sorted[start..] {
            let arn = &self.arns[i];
            if !arn.starts_with(prefix) {
                break;
            }
            let matched = if literal {
                arn == resource_pattern
            } else {
                pattern::matches(resource_pattern, arn)
            };
            if matched {
                bits.insert(i);
            }
        }
        bits
    }

    /// The members a `Resource` or `NotResource` element covers.
    pub fn covered(&self, resources: &ResourceSet) -> Bits {
        let mut bits = Bits::empty(self.len());
        for p in &resources.patterns {
            bits.union_with(&self.matching(p));
        }
        if resources.negated {
            bits.complement()
        } else {
            bits
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_matches_the_members_it_names_whatever_their_order() {
        let u = Universe::new(vec![
            "arn:aws:secretsmanager:us-east-1:1:secret:b/two-AbCdEf".into(),
            "arn:aws:secretsmanager:us-east-1:1:secret:a/one-AbCdEf".into(),
            "arn:aws:secretsmanager:eu-west-1:1:secret:a/three-AbCdEf".into(),
        ]);
        let ones = |p: &str| u.matching(p).ones().collect::<Vec<_>>();
        assert_eq!(ones("*"), [0, 1, 2]);
        assert_eq!(ones("arn:aws:secretsmanager:us-east-1:1:secret:a/*"), [1]);
        assert_eq!(ones("arn:aws:secretsmanager:*:1:secret:a/*"), [1, 2]);
        assert_eq!(
            ones("arn:aws:secretsmanager:us-east-1:1:secret:b/two-??????"),
            [0]
        );
        assert_eq!(
            ones("arn:aws:secretsmanager:us-east-1:1:secret:b/two"),
            Vec::<usize>::new()
        );
        assert_eq!(
            u.find("arn:aws:secretsmanager:eu-west-1:1:secret:a/three-AbCdEf"),
            Some(2)
        );
        let not = ResourceSet {
            negated: true,
            patterns: vec!["arn:aws:secretsmanager:us-east-1:*".into()],
        };
        assert_eq!(u.covered(&not).ones().collect::<Vec<_>>(), [2]);
    }
}
