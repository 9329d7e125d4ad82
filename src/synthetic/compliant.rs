//! The mostly-compliant profile: the finding-heavy account with nine users and secrets in ten
//! fixed the way the rules want them.

use super::generator::{Generator, REGIONS};
use super::rng::ago;
use super::secrets::every_days;
use crate::snapshot::{KeyLastUse, KeyStatus, MfaDevice, MfaKind, Rotation, Secret, User};

/// Fixes every item but each tenth, which keeps its problems.
pub(super) fn fix_nine_in_ten<T>(items: &mut [T], fix: impl Fn(&mut T)) {
    items
        .iter_mut()
        .enumerate()
        .filter(|(i, _)| i % 10 != 0)
        .for_each(|(_, item)| fix(item));
}

impl Generator {
    /// A user as the rules want one: console sign-in with MFA, used recently; one key, rotated
    /// a month ago and used yesterday; policies through groups only.
    pub(super) fn fix_user(&self, user: &mut User) {
        let as_of = self.as_of;
        if let Some(password) = &mut user.password {
            password.last_used = Some(ago(as_of, 2, 0));
            password.last_changed = Some(ago(as_of, 30, 0));
        }
        if user.mfa_devices.is_empty() {
            user.mfa_devices.push(MfaDevice {
                serial: self.arn("mfa", &user.name),
                kind: MfaKind::Virtual,
                enabled_at: Some(user.created + chrono::Duration::hours(1)),
            });
        }
        user.mfa_active = true;
        user.access_keys.truncate(1);
        for key in &mut user.access_keys {
            key.status = KeyStatus::Active;
            key.created = ago(as_of, 30, 0);
            key.last_used = Some(KeyLastUse {
                date: ago(as_of, 1, 0),
                service: Some("s3".to_owned()),
                region: Some(REGIONS[0].to_owned()),
            });
        }
        user.attached_policies.clear();
        user.inline_policies.clear();
    }

    /// A secret as the rules want one: rotated monthly and on time, read yesterday, no
    /// resource policy.
    pub(super) fn fix_secret(&self, secret: &mut Secret) {
        let last_rotated = ago(self.as_of, 5, 0);
        secret.rotation = Rotation {
            enabled: true,
            lambda_arn: Some(self.rotation_lambda(&secret.region, "rotate")),
            rules: Some(every_days(30)),
            last_rotated: Some(last_rotated),
            next_rotation: Some(last_rotated + chrono::Duration::days(30)),
        };
        secret.last_accessed = Some(ago(self.as_of, 1, 0));
        secret.resource_policy = None;
    }
}
