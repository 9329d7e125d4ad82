//! The Secrets Manager side of the synthetic account.

use super::generator::{Generator, REGIONS, TEAMS};
use super::rng::{ago, days_before};
use crate::snapshot::{Rotation, RotationRules, Secret};

impl Generator {
    /// Secret `i`: its region and team round-robin; provider API keys, database passwords,
    /// signing keys, webhooks and tokens; rotation on for 55%, a resource policy for 10%.
    pub(super) fn secret(&mut self, i: usize) -> Secret {
        let region = REGIONS[i % REGIONS.len()];
        let team = TEAMS[i % TEAMS.len()];
        let kind = match self.rng.below(100) {
            0..=2 => "openai-api-key",
            3..=4 => "anthropic-api-key",
            5 => "huggingface-token",
            6..=35 => "db-password",
            36..=55 => "signing-key",
            56..=70 => "stripe-webhook",
            _ => "service-token",
        };
        let name = format!("{team}/app-{}/{kind}-{i}", i % 400);
        let suffix: String = format!("{:06x}", self.rng.below(0xff_ffff));
        let created = ago(self.as_of, self.rng.below(1000), self.rng.below(86_400));
        let age = days_before(self.as_of, created);
        let rotation = if self.rng.chance(55) {
            self.rotation(region, team, age)
        } else {
            Rotation::default()
        };
        let mut tags = self.tags(i);
        if kind.contains("api-key") || kind.contains("huggingface") {
            tags.insert(
                "provider".to_owned(),
                kind.split('-').next().unwrap_or("x").to_owned(),
            );
        }
        let account = &self.account;
        let arn = format!("arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}");
        let kms_key = format!("arn:aws:kms:{region}:{account}:key/{i:08}");
        let resource_policy = self.rng.chance(10).then(|| self.resource_policy(&arn));
        Secret {
            name,
            region: region.to_owned(),
            description: self
                .rng
                .chance(40)
                .then(|| format!("{kind} for {team} app {}", i % 400)),
            created: Some(created),
            last_changed: Some(ago(self.as_of, self.rng.below(age + 1), 0)),
            last_accessed: self.rng.last_use(self.as_of, age, 20),
            rotation,
            kms_key_id: self.rng.chance(30).then_some(kms_key),
            owning_service: self.rng.chance(5).then(|| "rds".to_owned()),
            tags,
            resource_policy,
            deleted_date: None,
            arn,
        }
    }

    /// Rotation by days or by schedule, for a secret `age` days old. Most rotations are on
    /// time; some stalled (overdue), some never ran.
    fn rotation(&mut self, region: &str, team: &str, age: u64) -> Rotation {
        let (rules, interval) = match self.rng.below(100) {
            0..=59 => (every_days(30), 30),
            60..=79 => (every_days(90), 90),
            80..=86 => (every_days(365), 365),
            87..=92 => (on_schedule("rate(30 days)", Some("3h")), 30),
            93..=96 => (on_schedule("cron(0 4 1 * ? *)", Some("2h")), 31),
            _ => (on_schedule("cron(0 4 ? * MON *)", None), 7),
        };
        let last_rotated = match self.rng.below(100) {
            0..=79 => Some(ago(self.as_of, self.rng.below(interval.min(age) + 1), 0)),
            80..=94 => Some(ago(self.as_of, interval + 4 + self.rng.below(200), 0)),
            _ => None,
        };
        Rotation {
            enabled: true,
            lambda_arn: Some(self.rotation_lambda(region, &format!("rotate-{team}"))),
            rules: Some(rules),
            last_rotated,
            next_rotation: last_rotated.map(|t| t + chrono::Duration::days(interval as i64)),
        }
    }

    pub(super) fn rotation_lambda(&self, region: &str, function: &str) -> String {
        format!(
            "arn:aws:lambda:{region}:{}:function:{function}",
            self.account
        )
    }
}

pub(super) fn every_days(days: u32) -> RotationRules {
    RotationRules {
        automatically_after_days: Some(days),
        ..Default::default()
    }
}

fn on_schedule(expression: &str, duration: Option<&str>) -> RotationRules {
    RotationRules {
        schedule_expression: Some(expression.to_owned()),
        duration: duration.map(str::to_owned),
        ..Default::default()
    }
}
