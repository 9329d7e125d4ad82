//! The domain model every stage shares: rules, findings, reports, drift and the outcome of a
//! scan. It sits just above the snapshot types and below everything that produces or reads a
//! report (evaluation, baseline, drift, report formats, commands), so any of those can be read
//! on its own with this module beside it.
//!
//! The types here are data and the small queries on it; producing them (evaluating, marking a
//! baseline, comparing scans) is done by the modules above.

pub mod access;
mod access_version6;
mod compliance;
mod control;
mod filter;
mod finding;
mod outcome;
mod report;
mod rule;
mod severity;

pub use compliance::{
    COMPLIANCE_VERSION, CheckCounts, ComplianceReport, ComplianceSummary, ControlResult,
    ControlStatus, FrameworkInfo,
};
pub use control::{
    CatalogueControl, ControlCoverage, ControlMapping, Coverage, Framework, FrameworkCoverage,
    MappedRule, RuleCoverage, ThresholdGap, UncataloguedControl,
};
pub use filter::ReportFilter;
pub use finding::{
    AppliedWaiver, BaselineState, ControlIds, Evidence, FileLocation, Finding, NotApplicable,
    NotEvaluated, PlanChange, fingerprint,
};
pub use outcome::Outcome;
pub use report::{
    AccountReport, Changes, Drift, PlanSummary, REPORT_VERSION, ReportWarning, RuleResult,
    ScanReport, Summary, ToolInfo,
};
pub use rule::{ResourceKind, RuleMetadata};
pub use severity::Severity;
