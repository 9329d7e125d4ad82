//! The detective controls of an account: whether anyone would notice its credentials being
//! used. CloudTrail trails, GuardDuty detectors, IAM Access Analyzer analyzers, the metric
//! filters and alarms on the trails' log groups, and Cost Anomaly Detection. Values are kept as
//! AWS spells them (`"ENABLED"`, `"ReadOnly"`, `"LINKED_ACCOUNT"`), so that a value AWS adds
//! later still loads.
//!
//! Records another account supplies (under `--org`: an organization trail, an organization
//! analyzer, the management account's cost monitors) carry that account in `inherited_from`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::filter_pattern::PatternReading;

/// The detective controls of one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Detective {
    /// CloudTrail trails the account can see: its own, of every scanned region, and the
    /// organization trails that cover it (each trail once, however many regions show it).
    #[serde(default)]
    pub trails: Vec<Trail>,
    /// GuardDuty detectors of the scanned regions (at most one per region).
    #[serde(default)]
    pub guardduty_detectors: Vec<GuardDutyDetector>,
    /// IAM Access Analyzer analyzers of the scanned regions, the organization's included.
    #[serde(default)]
    pub access_analyzers: Vec<AccessAnalyzer>,
    /// Metric filters on the CloudWatch Logs log groups that trails deliver to.
    #[serde(default)]
    pub metric_filters: Vec<MetricFilter>,
    /// CloudWatch metric alarms on the metrics those filters produce.
    #[serde(default)]
    pub alarms: Vec<MetricAlarm>,
    /// Cost Anomaly Detection: monitors and the subscriptions that send their alerts.
    #[serde(default)]
    pub cost_anomaly: CostAnomalyDetection,
}

/// A CloudTrail trail (DescribeTrails, GetTrailStatus, GetEventSelectors).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    /// Trail ARN; its account is the trail's owner.
    pub arn: String,
    /// Trail name.
    pub name: String,
    /// The region the trail was created in.
    pub home_region: String,
    /// Whether the trail records events in every region.
    pub multi_region: bool,
    /// Whether the trail is an organization trail (it then records every member account).
    #[serde(default)]
    pub organization: bool,
    /// Whether the trail records global services' events (IAM, STS, CloudFront).
    #[serde(default)]
    pub include_global_service_events: bool,
    /// Whether CloudTrail writes signed digest files that prove the logs unmodified.
    pub log_file_validation: bool,
    /// The KMS key that encrypts the log files; `null` for S3's default encryption.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// The S3 bucket the log files go to.
    #[serde(default)]
    pub s3_bucket: Option<String>,
    /// The CloudWatch Logs log group the trail delivers to, as AWS gives it (ending in `:*`);
    /// `null` when it delivers to none.
    #[serde(default)]
    pub cloudwatch_logs_log_group_arn: Option<String>,
    /// Whether the trail is recording now (GetTrailStatus `IsLogging`).
    pub logging: bool,
    /// The last error delivering to CloudWatch Logs, if there is one.
    #[serde(default)]
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
    /// Basic event selectors; empty when the trail uses advanced ones.
    #[serde(default)]
    pub event_selectors: Vec<EventSelector>,
    /// Advanced event selectors; empty when the trail uses basic ones.
    #[serde(default)]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
    /// Who can read the log bucket; `null` when it was not read (a trail of another account).
    #[serde(default)]
    pub bucket: Option<TrailBucket>,
    /// The account whose snapshot supplied this trail (an organization trail under `--org`);
    /// `null` when the account read it itself.
    #[serde(default)]
    pub inherited_from: Option<String>,
}

/// A basic event selector.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    /// Whether management events (GetSecretValue, CreateAccessKey, ConsoleLogin…) are recorded.
    pub include_management_events: bool,
    /// Event sources whose management events are not recorded (e.g. `kms.amazonaws.com`).
    #[serde(default)]
    pub exclude_management_event_sources: Vec<String>,
}

/// An advanced event selector: an event is recorded when every field selector holds for it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvancedEventSelector {
    /// The selector's name, if it has one.
    #[serde(default)]
    pub name: Option<String>,
    /// The conditions, all of which an event must meet.
    #[serde(default)]
    pub field_selectors: Vec<FieldSelector>,
}

/// One condition of an advanced event selector, e.g. `eventCategory` equals `Management`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSelector {
    /// The event field: `eventCategory`, `readOnly`, `eventSource`, `eventName`, …
    pub field: String,
    #[serde(default)]
    pub equals: Vec<String>,
    #[serde(default)]
    pub starts_with: Vec<String>,
    #[serde(default)]
    pub ends_with: Vec<String>,
    #[serde(default)]
    pub not_equals: Vec<String>,
    #[serde(default)]
    pub not_starts_with: Vec<String>,
    #[serde(default)]
    pub not_ends_with: Vec<String>,
}

/// Who can read a trail's log bucket (S3 GetBucketPolicyStatus, GetBucketAcl,
/// GetPublicAccessBlock, GetBucketLogging).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrailBucket {
    /// Bucket name.
    pub name: String,
    /// Whether the bucket policy makes the bucket public (S3's own judgement).
    pub policy_public: bool,
    /// ACL grants to everyone (`AllUsers`) or to any AWS account (`AuthenticatedUsers`), as
    /// `<group>:<permission>`.
    #[serde(default)]
    pub public_acl_grants: Vec<String>,
    /// The bucket's Block Public Access settings; `null` when none are set on the bucket.
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// Whether S3 server access logging is on for the bucket.
    pub access_logging: bool,
}

/// S3 Block Public Access settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// A GuardDuty detector.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDutyDetector {
    /// Detector id.
    pub id: String,
    /// The detector's region.
    pub region: String,
    /// `ENABLED`, or `DISABLED` when GuardDuty is suspended.
    pub status: String,
}

/// An IAM Access Analyzer analyzer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessAnalyzer {
    /// Analyzer ARN; its account is the analyzer's owner.
    pub arn: String,
    /// Analyzer name.
    pub name: String,
    /// The analyzer's region.
    pub region: String,
    /// `ACCOUNT` or `ORGANIZATION` for external access; the `…_UNUSED_ACCESS` and
    /// `…_INTERNAL_ACCESS` kinds look for other things.
    #[serde(rename = "type")]
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
    /// The account whose snapshot supplied it (an organization analyzer under `--org`).
    #[serde(default)]
    pub inherited_from: Option<String>,
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    /// Filter name.
    pub name: String,
    /// The log group's ARN, without the `:*` that trails add.
    pub log_group_arn: String,
    /// The filter pattern as written.
    pub pattern: String,
    /// keyward's reading of `pattern` (see `PatternReading`). keyward derives it from
    /// `pattern` whenever it collects or reads a snapshot: a value in a file is replaced.
    #[serde(default)]
    pub reading: PatternReading,
    /// The metrics the filter publishes.
    #[serde(default)]
    pub metrics: Vec<MetricName>,
    /// The account whose snapshot supplied it (the log group of an organization trail).
    #[serde(default)]
    pub inherited_from: Option<String>,
}

/// A CloudWatch metric, by namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricName {
    pub namespace: String,
    pub name: String,
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricAlarm {
    /// Alarm ARN.
    pub arn: String,
    /// Alarm name.
    pub name: String,
    /// The alarm's region.
    pub region: String,
    /// The metrics it watches (one, or those of its metric math).
    #[serde(default)]
    pub metrics: Vec<MetricName>,
    /// Whether its actions run.
    pub actions_enabled: bool,
    /// What it notifies or does when it goes into ALARM (SNS topics, mostly).
    #[serde(default)]
    pub alarm_actions: Vec<String>,
    /// The account whose snapshot supplied it (the log group of an organization trail).
    #[serde(default)]
    pub inherited_from: Option<String>,
}

/// Cost Anomaly Detection (GetAnomalyMonitors, GetAnomalySubscriptions).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostAnomalyDetection {
    #[serde(default)]
    pub monitors: Vec<AnomalyMonitor>,
    #[serde(default)]
    pub subscriptions: Vec<AnomalySubscription>,
}

/// A cost anomaly monitor.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalyMonitor {
    /// Monitor ARN.
    pub arn: String,
    /// Monitor name.
    pub name: String,
    /// `DIMENSIONAL` or `CUSTOM`.
    #[serde(rename = "type")]
    pub monitor_type: String,
    /// For a dimensional monitor: `SERVICE` (each service's spend), `LINKED_ACCOUNT` (each
    /// member account's, in a management account), `COST_CATEGORY` or `TAG`.
    #[serde(default)]
    pub dimension: Option<String>,
    /// For a custom monitor: the member accounts its specification names.
    #[serde(default)]
    pub linked_accounts: Vec<String>,
    /// The account whose snapshot supplied it (the management account under `--org`).
    #[serde(default)]
    pub inherited_from: Option<String>,
}

/// A cost anomaly alert subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalySubscription {
    /// Subscription ARN.
    pub arn: String,
    /// Subscription name.
    pub name: String,
    /// The monitors whose anomalies it sends.
    #[serde(default)]
    pub monitor_arns: Vec<String>,
    /// `DAILY`, `IMMEDIATE` or `WEEKLY`.
    pub frequency: String,
    /// Where alerts go.
    #[serde(default)]
    pub subscribers: Vec<AnomalySubscriber>,
    /// The account whose snapshot supplied it (the management account under `--org`).
    #[serde(default)]
    pub inherited_from: Option<String>,
}

/// A recipient of cost anomaly alerts.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalySubscriber {
    /// `EMAIL` or `SNS`.
    #[serde(rename = "type")]
    pub subscriber_type: String,
    /// The e-mail address or topic ARN.
    pub address: String,
    /// `CONFIRMED` or `DECLINED` (for SNS topics); `null` when AWS gives none.
    #[serde(default)]
    pub status: Option<String>,
}

impl Detective {
    /// Derives what keyward reads from the data as AWS gave it (the metric filters'
    /// patterns). Run on every snapshot collected or read.
    pub fn derive(&mut self) {
        for filter in &mut self.metric_filters {
            filter.reading = PatternReading::of(&filter.pattern);
        }
    }
}
