//! Account-wide facts: who we are (STS), the alias, the account summary (root MFA and root
//! keys), the password policy, and the virtual MFA devices (to tell root's kind of MFA).

use std::collections::BTreeMap;

use aws_sdk_iam::operation::get_account_password_policy::GetAccountPasswordPolicyError;
use aws_sdk_iam::types::SummaryKeyType;

use super::aws::{CallError, classify};
use crate::snapshot::{ErrorKind, MfaDevice, MfaKind, PasswordPolicy};

/// The caller's account and partition, from its ARN.
pub struct Identity {
    pub account_id: String,
    pub partition: String,
}

pub async fn identity(sts: &aws_sdk_sts::Client) -> Result<Identity, CallError> {
    let output = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| classify(&e))?;
    let arn = output.arn().unwrap_or_default();
    let account_id = output.account().unwrap_or_default();
    // The id names the snapshot file of a multi-account collection and every SARIF run.
    crate::snapshot::check_account_id(account_id).map_err(|message| CallError {
        kind: ErrorKind::Other,
        message: format!("GetCallerIdentity answered with {message}"),
        code: None,
    })?;
    Ok(Identity {
        account_id: account_id.to_owned(),
        partition: arn.split(':').nth(1).unwrap_or("aws").to_owned(),
    })
}

pub async fn alias(iam: &aws_sdk_iam::Client) -> Result<Option<String>, CallError> {
    let output = iam
        .list_account_aliases()
        .send()
        .await
        .map_err(|e| classify(&e))?;
    Ok(output.account_aliases().first().cloned())
}

/// Root facts from GetAccountSummary.
pub struct Summary {
    pub root_mfa_enabled: bool,
    pub root_access_keys_present: bool,
    /// `AccountPasswordPresent`; `None` when the answer lacks it (moto does).
    pub root_password_present: Option<bool>,
}

pub async fn summary(iam: &aws_sdk_iam::Client) -> Result<Summary, CallError> {
    let output = iam
        .get_account_summary()
        .send()
        .await
        .map_err(|e| classify(&e))?;
    let map = output.summary_map().cloned().unwrap_or_default();
    let flag = |key: SummaryKeyType| map.get(&key).copied().unwrap_or(0) > 0;
    Ok(Summary {
        root_mfa_enabled: flag(SummaryKeyType::AccountMfaEnabled),
        root_access_keys_present: flag(SummaryKeyType::AccountAccessKeysPresent),
        root_password_present: map
            .get(&SummaryKeyType::AccountPasswordPresent)
            .map(|&n| n > 0),
    })
}

/// The password policy, `None` when the account has none (that is data, not an error).
pub async fn password_policy(
    iam: &aws_sdk_iam::Client,
) -> Result<Option<PasswordPolicy>, CallError> {
    let output = match iam.get_account_password_policy().send().await {
        Ok(output) => output,
        Err(e)
            if matches!(
                e.as_service_error(),
                Some(GetAccountPasswordPolicyError::NoSuchEntityException(_))
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(classify(&e)),
    };
    let Some(policy) = output.password_policy() else {
        return Ok(None);
    };
    let positive = |n: Option<i32>| n.filter(|&n| n > 0).map(|n| n as u32);
    Ok(Some(PasswordPolicy {
        minimum_length: policy.minimum_password_length().unwrap_or(0).max(0) as u32,
        require_symbols: policy.require_symbols(),
        require_numbers: policy.require_numbers(),
        require_uppercase: policy.require_uppercase_characters(),
        require_lowercase: policy.require_lowercase_characters(),
        allow_users_to_change: policy.allow_users_to_change_password(),
        max_age_days: positive(policy.max_password_age()),
        reuse_prevention: positive(policy.password_reuse_prevention()),
        hard_expiry: policy.hard_expiry().unwrap_or(false),
    }))
}

/// Assigned virtual MFA devices by the ARN of the user they belong to (root's ARN included).
pub async fn virtual_mfa_devices(
    iam: &aws_sdk_iam::Client,
) -> Result<BTreeMap<String, Vec<MfaDevice>>, CallError> {
    let mut pages = iam
        .list_virtual_mfa_devices()
        .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Assigned)
        .max_items(1000)
        .into_paginator()
        .send();
    let mut devices: BTreeMap<String, Vec<MfaDevice>> = BTreeMap::new();
    while let Some(page) = pages.next().await {
        for device in page.map_err(|e| classify(&e))?.virtual_mfa_devices() {
            let Some(owner) = device.user().map(|u| u.arn().to_owned()) else {
                continue;
            };
            devices.entry(owner).or_default().push(MfaDevice {
                serial: device.serial_number().to_owned(),
                kind: MfaKind::Virtual,
                enabled_at: device.enable_date().and_then(super::aws::to_timestamp),
            });
        }
    }
    Ok(devices)
}
