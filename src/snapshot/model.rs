//! The snapshot types. Every field is documented here; `keyward schema` prints the JSON Schema
//! generated from these doc comments, and `schema/snapshot.schema.json` is a checked-in copy.
//!
//! Conventions that hold for every type:
//! - timestamps are RFC 3339 strings in UTC;
//! - `null` means "AWS has no value" (a key that was never used), never "not collected": data that
//!   could not be collected is named in `collection_errors`, and the rules that need it report
//!   *not evaluated*;
//! - policy documents are kept exactly as AWS returns them (decoded JSON), so `Statement`, `Action`
//!   and `Resource` may each be a single value or a list.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::detective::Detective;

/// The version of the snapshot format that this build of keyward writes. It reads this version
/// and every earlier one (see `FIRST_SCHEMA_VERSION`), migrating them on read (see
/// `snapshot::parse`). Version 2 added permissions boundaries, the root user's password
/// presence, secrets' deletion dates and the organization; version 3 added `detective`.
pub const SCHEMA_VERSION: u32 = 3;

/// The oldest snapshot format this build reads. Version 1 lacks permissions boundaries, the
/// root user's password presence, secrets' deletion dates and the organization; read as the
/// current version, those are absent (unknown), which the rules treat as they document.
/// Versions 1 and 2 lack `detective`: their detective rules are reported *not evaluated*.
pub const FIRST_SCHEMA_VERSION: u32 = 1;

/// A point in time. Every timestamp field is range-checked when a snapshot loads
/// (`time_range::first_time_out_of_range` names each one: add a new field there).
pub type Timestamp = DateTime<Utc>;

/// The credential hygiene of one AWS account at one moment: what collectors write and what
/// policies read (as `input.snapshot`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Version of this format. keyward refuses snapshots written by a newer format.
    pub schema_version: u32,
    /// When collection finished.
    pub collected_at: Timestamp,
    /// What produced the snapshot and how.
    pub collector: Collector,
    /// The account the snapshot describes.
    pub account: Account,
    /// The root user. `null` only when it could not be collected (see `collection_errors`).
    #[serde(default)]
    pub root: Option<RootUser>,
    /// The account password policy; `null` when the account has none (the AWS default applies).
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    /// IAM users with their console passwords, MFA devices, access keys and policies.
    #[serde(default)]
    pub users: Vec<User>,
    /// IAM groups with their policies.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// IAM roles with their trust and permission policies.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Managed policies: every customer-managed policy, and the AWS-managed ones attached to a
    /// principal, each with its default version's document.
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
    /// Secrets Manager secrets of every scanned region (metadata only, never a value), those
    /// scheduled for deletion included.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// The AWS Organizations organization the account belongs to; `null` when it belongs to none,
    /// or when that could not be read (then `collection_errors` says so).
    #[serde(default)]
    pub organization: Option<Organization>,
    /// Detective controls: CloudTrail, GuardDuty, Access Analyzer, alarms, cost anomalies.
    /// `null` only in a snapshot written before keyward collected them (schema versions 1 and
    /// 2) or built from a Terraform plan: reading one adds a collection error that leaves their
    /// rules *not evaluated* (a plan's are not applicable).
    #[serde(default)]
    pub detective: Option<Detective>,
    /// Data that could not be collected. Each entry names the data sections it leaves incomplete.
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
    /// The Terraform (or OpenTofu) plan the snapshot was built from; absent for a live account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terraform: Option<TerraformPlan>,
}

impl Snapshot {
    /// The sections this snapshot holds no data for by its nature, not because collecting them
    /// failed: rules that need one of them are *not applicable* to it. A live account has no
    /// Terraform plan; a plan alone has no root user and no activity (it describes
    /// configuration, not how credentials were used).
    pub fn absent_sections(&self) -> Vec<DataSection> {
        match &self.terraform {
            None => vec![DataSection::Terraform],
            Some(plan) if !plan.live_account => {
                let mut absent = vec![DataSection::IamRoot, DataSection::Activity];
                // Nor does a plan say whether anyone watches the account.
                absent.extend(DataSection::DETECTIVE);
                // The password policy is the account's: a plan that does not manage it says
                // nothing about it.
                if !plan
                    .resources
                    .iter()
                    .any(|r| r.resource_type == "aws_iam_account_password_policy")
                {
                    absent.push(DataSection::IamPasswordPolicy);
                }
                absent
            }
            Some(_) => Vec::new(),
        }
    }
}

/// The Terraform (or OpenTofu) plan a snapshot was built from: the account after the plan is
/// applied, either to the live account or to nothing but the plan's own prior state.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerraformPlan {
    /// `terraform` or `opentofu`.
    pub tool: String,
    /// The version of the tool that wrote the plan.
    pub version: String,
    /// Whether the plan was applied to a snapshot of the live account (`true`), or stands alone
    /// (`false`: no root user and no ages or last use, so the rules that need them are *not
    /// applicable*).
    pub live_account: bool,
    /// The IAM and Secrets Manager resources the plan manages, with what it does to each.
    #[serde(default)]
    pub resources: Vec<PlannedResource>,
}

/// One resource instance of a Terraform plan.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedResource {
    /// The instance address, e.g. `module.app["prod"].aws_iam_access_key.ci[0]`.
    pub address: String,
    /// The resource type, e.g. `aws_iam_access_key`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// What the plan does to it.
    pub action: PlanAction,
    /// ARN of the user, group, role, policy or secret the resource is or configures (the user of
    /// an access key, the secret of a rotation); `null` for the account password policy.
    #[serde(default)]
    pub subject: Option<String>,
    /// Facts about the resource that plan rules read, e.g. `pgp_key_set` of an access key
    /// (whether its secret is written to the state encrypted). Never a secret value.
    #[serde(default)]
    pub details: BTreeMap<String, serde_json::Value>,
}

/// What a plan does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PlanAction {
    Create,
    Update,
    /// Delete and create again (in either order).
    Replace,
    Delete,
    /// Unchanged.
    NoOp,
}

/// What produced a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Collector {
    /// Name of the producing tool, `keyward` for live collection.
    pub tool: String,
    /// Version of the producing tool.
    pub version: String,
    /// The regions scanned for regional data: Secrets Manager secrets, GuardDuty detectors,
    /// Access Analyzer analyzers and CloudTrail trails.
    #[serde(default)]
    pub regions: Vec<String>,
    /// When AWS generated the IAM credential report the user data comes from (it can be up to
    /// four hours older than `collected_at`).
    #[serde(default)]
    pub credential_report_generated_at: Option<Timestamp>,
    /// Number of AWS API requests the collection made, retries included.
    #[serde(default)]
    pub api_requests: Option<u64>,
}

/// The account a snapshot describes.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account id. Checked on every load: it names files (`<account>.json`) and
    /// SARIF categories, so nothing else may pass for one.
    #[schemars(regex(pattern = r"^[0-9]{12}$"))]
    pub id: String,
    /// The IAM account alias, if one is set.
    #[serde(default)]
    pub alias: Option<String>,
    /// The account's name in AWS Organizations, when it was scanned as part of an organization.
    #[serde(default)]
    pub name: Option<String>,
    /// The AWS partition: `aws`, `aws-us-gov` or `aws-cn`.
    #[serde(default = "default_partition")]
    pub partition: String,
}

fn default_partition() -> String {
    "aws".to_owned()
}

/// The account's root user.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RootUser {
    /// ARN of the root user, `arn:<partition>:iam::<account>:root`.
    pub arn: String,
    /// Whether an MFA device protects the root user.
    pub mfa_enabled: bool,
    /// The kind of the root user's MFA device; `null` when MFA is not enabled.
    #[serde(default)]
    pub mfa_kind: Option<MfaKind>,
    /// The root user's access keys (AWS allows at most two).
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Last sign-in with the root password; `null` when never used (or unknown to AWS).
    #[serde(default)]
    pub password_last_used: Option<Timestamp>,
    /// Whether the root user has a password (GetAccountSummary's `AccountPasswordPresent`):
    /// `false` for a member account whose root credentials were removed; `null` when unknown.
    #[serde(default)]
    pub password_present: Option<bool>,
}

/// Kinds of MFA device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MfaKind {
    /// An authenticator app (TOTP) registered as a virtual MFA device.
    Virtual,
    /// A hardware device: a FIDO security key or a hardware TOTP token.
    Hardware,
}

/// An IAM user.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// User name.
    pub name: String,
    /// User ARN.
    pub arn: String,
    /// When the user was created.
    pub created: Timestamp,
    /// The console password (login profile); `null` when the user cannot sign in to the console.
    #[serde(default)]
    pub password: Option<ConsolePassword>,
    /// Whether at least one MFA device is active for the user (from the credential report, which
    /// counts every kind of device).
    pub mfa_active: bool,
    /// The MFA devices known for the user. Virtual devices come from the account-wide device list;
    /// hardware devices are known only from fixtures or per-user listings.
    #[serde(default)]
    pub mfa_devices: Vec<MfaDevice>,
    /// The user's access keys (at most two).
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Names of the groups the user belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Managed policies attached directly to the user.
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    /// Inline policies embedded in the user.
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// The ARN of the managed policy that sets the user's permissions boundary, if one does.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    /// Tags of the user.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A console password (login profile).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsolePassword {
    /// Whether the password is enabled.
    pub enabled: bool,
    /// Last console sign-in with the password; `null` when never used.
    #[serde(default)]
    pub last_used: Option<Timestamp>,
    /// When the password was last set or changed.
    #[serde(default)]
    pub last_changed: Option<Timestamp>,
}

/// An MFA device.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaDevice {
    /// Serial number: the device ARN for virtual devices, the serial for hardware ones.
    pub serial: String,
    /// The kind of device.
    pub kind: MfaKind,
    /// When the device was enabled for its user.
    #[serde(default)]
    pub enabled_at: Option<Timestamp>,
}

/// An access key (the key id only: the secret part is never read or stored).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// The access key id (`AKIA…`). `null` when the source does not carry it: the IAM credential
    /// report lists keys by creation time, not by id.
    #[serde(default)]
    pub id: Option<String>,
    /// Whether the key can be used.
    pub status: KeyStatus,
    /// When the key was created (the credential report's "last rotated").
    pub created: Timestamp,
    /// The last use of the key; `null` when it has never been used.
    #[serde(default)]
    pub last_used: Option<KeyLastUse>,
}

/// Status of an access key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    Active,
    Inactive,
}

/// The last use of an access key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyLastUse {
    /// When the key was last used.
    pub date: Timestamp,
    /// The AWS service it was last used with, e.g. `s3`.
    #[serde(default)]
    pub service: Option<String>,
    /// The region it was last used in.
    #[serde(default)]
    pub region: Option<String>,
}

/// A managed policy attached to a principal.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachedPolicy {
    /// Policy name.
    pub name: String,
    /// Policy ARN; its document is in the snapshot's `policies`.
    pub arn: String,
}

/// An inline policy embedded in a principal.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlinePolicy {
    /// Policy name.
    pub name: String,
    /// The policy document as AWS returns it.
    pub document: serde_json::Value,
}

/// An IAM group.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Group ARN.
    pub arn: String,
    /// When the group was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// Managed policies attached to the group.
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    /// Inline policies embedded in the group.
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
}

/// An IAM role.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Role name.
    pub name: String,
    /// Role ARN.
    pub arn: String,
    /// When the role was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// The trust policy: who may assume the role.
    #[serde(default)]
    pub assume_role_policy: Option<serde_json::Value>,
    /// When the role was last assumed; `null` when never (or more than 400 days ago).
    #[serde(default)]
    pub last_used: Option<Timestamp>,
    /// Managed policies attached to the role.
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    /// Inline policies embedded in the role.
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// The ARN of the managed policy that sets the role's permissions boundary, if one does.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    /// Tags of the role.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A managed policy and its default version.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    /// Policy name.
    pub name: String,
    /// Policy ARN.
    pub arn: String,
    /// Whether AWS manages the policy (`arn:aws:iam::aws:policy/…`).
    pub aws_managed: bool,
    /// How many users, groups and roles it is attached to.
    pub attachment_count: u32,
    /// How many users and roles use it as their permissions boundary.
    #[serde(default)]
    pub permissions_boundary_count: u32,
    /// The default version's document as AWS returns it.
    pub document: serde_json::Value,
}

/// The account password policy for IAM users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Minimum password length.
    pub minimum_length: u32,
    /// Whether at least one symbol is required.
    pub require_symbols: bool,
    /// Whether at least one digit is required.
    pub require_numbers: bool,
    /// Whether at least one upper-case letter is required.
    pub require_uppercase: bool,
    /// Whether at least one lower-case letter is required.
    pub require_lowercase: bool,
    /// Whether users may change their own password.
    #[serde(default)]
    pub allow_users_to_change: bool,
    /// Days after which a password expires; `null` when passwords never expire.
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// How many previous passwords cannot be reused; `null` when reuse is not prevented.
    #[serde(default)]
    pub reuse_prevention: Option<u32>,
    /// Whether an expired password blocks sign-in until an administrator resets it.
    #[serde(default)]
    pub hard_expiry: bool,
}

/// A Secrets Manager secret: metadata and rotation configuration, never its value.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// Secret ARN.
    pub arn: String,
    /// Secret name.
    pub name: String,
    /// The region the secret lives in.
    pub region: String,
    /// The secret's description.
    #[serde(default)]
    pub description: Option<String>,
    /// When the secret was created.
    #[serde(default)]
    pub created: Option<Timestamp>,
    /// When the secret (value or metadata) last changed.
    #[serde(default)]
    pub last_changed: Option<Timestamp>,
    /// The day the secret was last read; `null` when never read. AWS rounds it to the day.
    #[serde(default)]
    pub last_accessed: Option<Timestamp>,
    /// Rotation configuration and history.
    pub rotation: Rotation,
    /// The KMS key that encrypts the secret; `null` for the AWS-managed `aws/secretsmanager` key.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// The service that manages the secret (e.g. `rds`), if any.
    #[serde(default)]
    pub owning_service: Option<String>,
    /// Tags of the secret.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The resource policy; `null` when the secret has none.
    #[serde(default)]
    pub resource_policy: Option<serde_json::Value>,
    /// When the secret was deleted (`DeletedDate`): it is scheduled for deletion, cannot be read,
    /// and can be restored until its recovery window ends. `null` for a secret in use.
    #[serde(default)]
    pub deleted_date: Option<Timestamp>,
}

/// How and when a secret rotates.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// Whether automatic rotation is on.
    pub enabled: bool,
    /// The Lambda function that rotates the secret, if one is set.
    #[serde(default)]
    pub lambda_arn: Option<String>,
    /// The rotation schedule, if one is set.
    #[serde(default)]
    pub rules: Option<RotationRules>,
    /// When the secret last rotated; `null` when it never has.
    #[serde(default)]
    pub last_rotated: Option<Timestamp>,
    /// When Secrets Manager plans the next rotation.
    #[serde(default)]
    pub next_rotation: Option<Timestamp>,
}

/// A rotation schedule: either a number of days or a schedule expression.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationRules {
    /// Rotate this many days after the last rotation.
    #[serde(default)]
    pub automatically_after_days: Option<u32>,
    /// A `rate(…)` or `cron(…)` schedule expression.
    #[serde(default)]
    pub schedule_expression: Option<String>,
    /// The length of the rotation window, e.g. `3h`.
    #[serde(default)]
    pub duration: Option<String>,
}

/// The AWS Organizations organization of the account.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization's id, `o-…`.
    pub id: String,
    /// The management account's id.
    #[serde(default)]
    pub management_account_id: Option<String>,
    /// The service and resource control policies that apply to the account; `null` when they
    /// were not collected (only a scan with `--org`, from the management account or a delegated
    /// administrator, can read them).
    #[serde(default)]
    pub policies: Option<OrganizationPolicies>,
}

/// The organization policies on the account's path from the organization root.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPolicies {
    /// Whether service control policies are enabled in the organization.
    pub service_control_policies_enabled: bool,
    /// Whether resource control policies are enabled in the organization.
    pub resource_control_policies_enabled: bool,
    /// The root, each organizational unit down to the account, and the account itself, each
    /// with the policies attached to it. An action must be allowed at every level and denied at
    /// none.
    pub path: Vec<OrganizationTarget>,
}

/// The organization root, an organizational unit, or an account.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationTarget {
    /// `r-…`, `ou-…`, or the account id.
    pub id: String,
    /// `root`, `organizational_unit` or `account`.
    pub kind: String,
    /// Service control policies attached to it.
    #[serde(default)]
    pub service_control_policies: Vec<OrganizationPolicy>,
    /// Resource control policies attached to it.
    #[serde(default)]
    pub resource_control_policies: Vec<OrganizationPolicy>,
}

/// A service or resource control policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPolicy {
    /// The policy id, `p-…`.
    pub id: String,
    /// The policy name.
    pub name: String,
    /// Whether AWS manages it (`FullAWSAccess`, `RCPFullAWSAccess`).
    #[serde(default)]
    pub aws_managed: bool,
    /// The policy document.
    pub document: serde_json::Value,
}

/// Data that could not be collected.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    /// The data sections this failure leaves incomplete; rules that need them report
    /// *not evaluated*.
    pub sections: Vec<DataSection>,
    /// The AWS service called, e.g. `iam`.
    pub service: String,
    /// The API operation that failed, e.g. `GetCredentialReport`.
    pub operation: String,
    /// The region of the call, for regional services.
    #[serde(default)]
    pub region: Option<String>,
    /// The resource the call was about, when it concerned a single resource.
    #[serde(default)]
    pub resource: Option<String>,
    /// Why it failed.
    pub kind: ErrorKind,
    /// The error as AWS or the SDK reported it (never a secret value).
    pub message: String,
}

impl CollectionError {
    /// Whether this is the failure of region discovery (`account:ListRegions`): the secrets of
    /// the regions not in `collector.regions` were never listed, so every rule that reads
    /// secrets is *not evaluated* there. Snapshots written before this was recorded as a gap
    /// carry the error without sections; it is recognised by its call, so they read the same.
    pub fn is_region_discovery(&self) -> bool {
        self.service == "account" && self.operation == "ListRegions"
    }
}

/// What a failed region discovery leaves incomplete, in the regions not scanned.
pub const REGION_DISCOVERY_SECTIONS: [DataSection; 2] =
    [DataSection::Secrets, DataSection::SecretResourcePolicies];

/// The scope of a gap left by a failed region discovery: the regions that were not scanned
/// (which ones is unknown, since listing them is what failed).
pub const UNSCANNED_REGIONS: &str = "regions not scanned";

/// The sections of a snapshot that rules declare they need (`custom.requires` in a rule's
/// METADATA).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum DataSection {
    /// `root`: the root user's MFA, keys and sign-ins.
    #[serde(rename = "iam.root")]
    IamRoot,
    /// Users' passwords, MFA and access keys (`users[].password`, `mfa_active`, `access_keys`).
    #[serde(rename = "iam.credentials")]
    IamCredentials,
    /// Users, groups, roles, their policies and the managed policies.
    #[serde(rename = "iam.authorization")]
    IamAuthorization,
    /// `password_policy`.
    #[serde(rename = "iam.password_policy")]
    IamPasswordPolicy,
    /// `secrets` of one region (the error's `region`), or of all regions when it has none.
    #[serde(rename = "secretsmanager.secrets")]
    Secrets,
    /// `secrets[].resource_policy` of one secret (the error's `resource`) or of a region.
    #[serde(rename = "secretsmanager.resource_policies")]
    SecretResourcePolicies,
    /// The policy documents of users, groups, roles, managed policies and permissions
    /// boundaries as keyward's access model reads them: incomplete for a principal (the
    /// `resource`) one of whose documents AWS would reject.
    #[serde(rename = "iam.policy_documents")]
    IamPolicyDocuments,
    /// `organization.policies`: the service and resource control policies on the account's path.
    #[serde(rename = "organizations.policies")]
    OrganizationPolicies,
    /// `detective.trails` of one region (single-region trails there), or all of them.
    #[serde(rename = "cloudtrail.trails")]
    CloudTrailTrails,
    /// `detective.trails[].logging` and delivery errors, of one trail (`resource`) or all.
    #[serde(rename = "cloudtrail.status")]
    CloudTrailStatus,
    /// `detective.trails[]` event selectors, of one trail (`resource`) or all.
    #[serde(rename = "cloudtrail.event_selectors")]
    CloudTrailEventSelectors,
    /// `detective.trails[].bucket`, of one trail (`resource`) or all.
    #[serde(rename = "cloudtrail.bucket")]
    CloudTrailBucket,
    /// `detective.guardduty_detectors` of one region, or all.
    #[serde(rename = "guardduty.detectors")]
    GuardDutyDetectors,
    /// `detective.access_analyzers` of one region, or all.
    #[serde(rename = "accessanalyzer.analyzers")]
    AccessAnalyzers,
    /// `detective.metric_filters` of one log group (`resource`), or all.
    #[serde(rename = "logs.metric_filters")]
    MetricFilters,
    /// `detective.alarms` of one region, or all.
    #[serde(rename = "cloudwatch.alarms")]
    Alarms,
    /// `detective.cost_anomaly`.
    #[serde(rename = "ce.anomaly_detection")]
    CostAnomalyDetection,
    /// Ages and use: when credentials and secrets were created, last used, changed and rotated.
    /// A live account has them; a Terraform plan alone does not.
    #[serde(rename = "activity")]
    Activity,
    /// `terraform`: the resources a Terraform plan manages and what it does to them.
    #[serde(rename = "terraform")]
    Terraform,
}

impl DataSection {
    /// The sections of the `detective` part of a snapshot.
    pub const DETECTIVE: [DataSection; 9] = [
        DataSection::CloudTrailTrails,
        DataSection::CloudTrailStatus,
        DataSection::CloudTrailEventSelectors,
        DataSection::CloudTrailBucket,
        DataSection::GuardDutyDetectors,
        DataSection::AccessAnalyzers,
        DataSection::MetricFilters,
        DataSection::Alarms,
        DataSection::CostAnomalyDetection,
    ];
}

impl DataSection {
    pub const ALL: [DataSection; 19] = [
        DataSection::IamRoot,
        DataSection::IamCredentials,
        DataSection::IamAuthorization,
        DataSection::IamPasswordPolicy,
        DataSection::Secrets,
        DataSection::SecretResourcePolicies,
        DataSection::IamPolicyDocuments,
        DataSection::OrganizationPolicies,
        DataSection::CloudTrailTrails,
        DataSection::CloudTrailStatus,
        DataSection::CloudTrailEventSelectors,
        DataSection::CloudTrailBucket,
        DataSection::GuardDutyDetectors,
        DataSection::AccessAnalyzers,
        DataSection::MetricFilters,
        DataSection::Alarms,
        DataSection::CostAnomalyDetection,
        DataSection::Activity,
        DataSection::Terraform,
    ];

    /// The name used in snapshots and rule metadata (the serde name above, the one list).
    pub fn name(self) -> String {
        serde_name(&self)
    }
}

/// Why a collection call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The caller lacks permission (AccessDenied, HTTP 403).
    AccessDenied,
    /// Retries for throttling or server errors were exhausted.
    RetriesExhausted,
    /// The call or the scan ran past its deadline.
    Timeout,
    /// The data does not exist where it should (e.g. no root row in the credential report).
    NotAvailable,
    /// A Terraform plan leaves the value unknown until apply.
    KnownAfterApply,
    /// Any other failure.
    Other,
}

impl ErrorKind {
    /// The name used in snapshots, e.g. `access_denied`.
    pub fn name(self) -> String {
        serde_name(&self)
    }
}

/// The name serde writes for a unit enum variant.
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("a unit variant serializes as a string, not {other:?}"),
    }
}
