//! The generator's state and the names every part of an account is made from.

use chrono::{DateTime, Utc};

use super::rng::Rng;

/// The regions the secrets are spread over, round-robin.
pub(super) const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

pub(super) const TEAMS: [&str; 8] = [
    "payments", "search", "ml", "platform", "data", "web", "mobile", "billing",
];

/// The state of one generation: the random sequence, and what every ARN and age is made from.
pub(super) struct Generator {
    pub(super) rng: Rng,
    pub(super) account: String,
    pub(super) as_of: DateTime<Utc>,
}

impl Generator {
    pub(super) fn arn(&self, kind: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}/{name}", self.account)
    }
}
