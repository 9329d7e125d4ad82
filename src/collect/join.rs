//! Joins the results of the collection steps into a snapshot, one joiner per source. Each takes
//! its step's result and returns its part of the snapshot with the collection errors for what
//! it could not supply: a failed step leaves its part empty and names the sections that are
//! then incomplete, so the rules that need them report *not evaluated* instead of passing.

use std::collections::BTreeMap;

use chrono::Utc;

use super::account::Summary;
use super::authorization::{Authorization, UserEntry};
use super::aws::CallError;
use super::credential_report::{CredentialReport, ReportRow};
use super::detective::DetectiveFound;
use super::organization::OrganizationIdentity;
use super::secrets::RegionSecrets;
use crate::snapshot::{
    Account, CollectionError, Collector, ConsolePassword, DataSection, Detective, MfaDevice,
    MfaKind, Organization, PasswordPolicy, REGION_DISCOVERY_SECTIONS, RootUser, SCHEMA_VERSION,
    Secret, Snapshot, Timestamp, User,
};

/// Assigned virtual MFA devices by the ARN of the user they belong to (root's ARN included).
pub(super) type VirtualMfaDevices = BTreeMap<String, Vec<MfaDevice>>;

/// The results of every collection step, successful or not.
pub(super) struct Parts {
    pub account_id: String,
    pub partition: String,
    pub alias: Result<Option<String>, CallError>,
    pub summary: Result<Summary, CallError>,
    pub report: Result<CredentialReport, CallError>,
    pub mfa: Result<VirtualMfaDevices, CallError>,
    pub password_policy: Result<Option<PasswordPolicy>, CallError>,
    pub authorization: Result<Authorization, CallError>,
    pub organization: Result<Option<OrganizationIdentity>, CallError>,
    /// The regions scanned for secrets.
    pub regions: Vec<String>,
    /// Why `regions` is the fallback list, when it is.
    pub region_error: Option<CallError>,
    pub secrets: Result<RegionSecrets, CallError>,
    pub detective: Result<DetectiveFound, CallError>,
}

/// Builds the snapshot from the steps' results. Errors are listed in the order of the joins.
pub(super) fn assemble(parts: Parts, api_requests: u64) -> Snapshot {
    let collected_at = Utc::now();
    let mut errors = Vec::new();
    let alias = alias(parts.alias).unpack(&mut errors);
    let summary = account_summary(parts.summary).unpack(&mut errors);
    let report = credential_report(parts.report).unpack(&mut errors);
    let mfa = virtual_mfa_devices(parts.mfa).unpack(&mut errors);
    let password_policy = password_policy(parts.password_policy).unpack(&mut errors);
    let authorization = authorization(parts.authorization).unpack(&mut errors);
    let organization = organization(parts.organization).unpack(&mut errors);
    let regions = regions(parts.regions, parts.region_error).unpack(&mut errors);
    let root_arn = format!("arn:{}:iam::{}:root", parts.partition, parts.account_id);
    let root =
        root_user(&root_arn, summary.as_ref(), report.as_ref(), mfa.as_ref()).unpack(&mut errors);
    let users = users(
        authorization.users,
        report.as_ref(),
        mfa.as_ref(),
        collected_at,
    )
    .unpack(&mut errors);
    let secrets = secrets(parts.secrets).unpack(&mut errors);
    let detective = detective(parts.detective).unpack(&mut errors);
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at,
        collector: Collector {
            tool: "keyward".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            regions,
            credential_report_generated_at: report.as_ref().and_then(|r| r.generated_at),
            api_requests: Some(api_requests),
        },
        account: Account {
            id: parts.account_id,
            alias,
            name: None,
            partition: parts.partition,
        },
        root,
        password_policy,
        users,
        groups: authorization.groups,
        roles: authorization.roles,
        policies: authorization.policies,
        secrets,
        organization,
        detective: Some(detective),
        collection_errors: errors,
        terraform: None,
    }
}

/// One source's part of the snapshot, and the collection errors for what it could not supply.
struct Joined<T> {
    part: T,
    errors: Vec<CollectionError>,
}

impl<T> Joined<T> {
    fn without_errors(part: T) -> Joined<T> {
        Joined {
            part,
            errors: Vec::new(),
        }
    }

    fn with_error(part: T, error: CollectionError) -> Joined<T> {
        Joined {
            part,
            errors: vec![error],
        }
    }

    fn map<U>(self, f: impl FnOnce(T) -> U) -> Joined<U> {
        Joined {
            part: f(self.part),
            errors: self.errors,
        }
    }

    /// The part, with the errors moved to the snapshot's list.
    fn unpack(self, errors: &mut Vec<CollectionError>) -> T {
        errors.extend(self.errors);
        self.part
    }
}

/// An IAM step's value as it is; when the call failed, nothing, and an error naming the
/// sections left incomplete.
fn iam_step<T>(
    result: Result<T, CallError>,
    operation: &str,
    sections: &[DataSection],
) -> Joined<Option<T>> {
    match result {
        Ok(value) => Joined::without_errors(Some(value)),
        Err(error) => Joined::with_error(
            None,
            CollectionError::from_call("iam", operation, &error, sections),
        ),
    }
}

/// The alias only labels the account in reports; no rule reads it, so losing it leaves no
/// section incomplete.
fn alias(result: Result<Option<String>, CallError>) -> Joined<Option<String>> {
    iam_step(result, "ListAccountAliases", &[]).map(Option::flatten)
}

/// The summary is the live source of root's MFA and access-key flags.
fn account_summary(result: Result<Summary, CallError>) -> Joined<Option<Summary>> {
    iam_step(result, "GetAccountSummary", &[DataSection::IamRoot])
}

/// The report is the only source of root's and every user's passwords, MFA and access keys.
fn credential_report(
    result: Result<CredentialReport, CallError>,
) -> Joined<Option<CredentialReport>> {
    iam_step(
        result,
        "GetCredentialReport",
        &[DataSection::IamRoot, DataSection::IamCredentials],
    )
}

/// The device list tells root's kind of MFA; the users' MFA status comes from the credential
/// report, so only root is left incomplete.
fn virtual_mfa_devices(
    result: Result<VirtualMfaDevices, CallError>,
) -> Joined<Option<VirtualMfaDevices>> {
    iam_step(result, "ListVirtualMFADevices", &[DataSection::IamRoot])
}

/// A call that succeeded with no policy is data (the AWS defaults apply); only a failed call
/// leaves the password policy incomplete.
fn password_policy(
    result: Result<Option<PasswordPolicy>, CallError>,
) -> Joined<Option<PasswordPolicy>> {
    iam_step(
        result,
        "GetAccountPasswordPolicy",
        &[DataSection::IamPasswordPolicy],
    )
    .map(Option::flatten)
}

/// The details are the list of users: without them the users' credentials are incomplete too,
/// not an empty account that passes every credential rule.
fn authorization(result: Result<Authorization, CallError>) -> Joined<Authorization> {
    iam_step(
        result,
        "GetAccountAuthorizationDetails",
        &[DataSection::IamAuthorization, DataSection::IamCredentials],
    )
    .map(Option::unwrap_or_default)
}

/// The organization is known from the account itself; its policies only from the management
/// account (`--org`, added by the organization scan). Not knowing it leaves no section
/// incomplete: the conditions on `aws:PrincipalOrgID` it would settle are reported as
/// conditional instead.
fn organization(
    result: Result<Option<OrganizationIdentity>, CallError>,
) -> Joined<Option<Organization>> {
    let identity = match result {
        Ok(identity) => identity,
        Err(error) => {
            return Joined::with_error(
                None,
                CollectionError::from_call("organizations", "DescribeOrganization", &error, &[]),
            );
        }
    };
    Joined::without_errors(identity.map(|o| Organization {
        id: o.id,
        management_account_id: o.management_account_id,
        policies: None,
    }))
}

/// When the enabled regions could not be listed, the fallback regions were scanned: no section
/// is left incomplete, but the error says which regions were not checked.
fn regions(regions: Vec<String>, discovery_error: Option<CallError>) -> Joined<Vec<String>> {
    let Some(error) = discovery_error else {
        return Joined::without_errors(regions);
    };
    let message = format!(
        "{}; scanned the regions enabled by default ({}), opt-in regions were not checked",
        error.message,
        regions.len()
    );
    let error =
        CollectionError::from_call("account", "ListRegions", &error, &REGION_DISCOVERY_SECTIONS)
            .with_message(message);
    Joined::with_error(regions, error)
}

/// The root user, when the summary, the credential report and the MFA device list are all
/// there and agree; otherwise nothing, which its rules report as *not evaluated*.
fn root_user(
    root_arn: &str,
    summary: Option<&Summary>,
    report: Option<&CredentialReport>,
    mfa: Option<&VirtualMfaDevices>,
) -> Joined<Option<RootUser>> {
    // Each of these steps names iam.root in its own error when it fails: a second error here
    // would say nothing new.
    let (Some(summary), Some(report), Some(mfa)) = (summary, report, mfa) else {
        return Joined::without_errors(None);
    };
    // AWS always writes the row; without it there are no keys or sign-ins to judge root by.
    let Some(row) = &report.root else {
        return root_not_available(root_arn, "the credential report has no <root_account> row");
    };
    // The summary is live, the report up to four hours old: a root key created since would be
    // missed, so the root data is declared incomplete rather than clean.
    if summary.root_access_keys_present && row.access_keys.is_empty() {
        return root_not_available(
            root_arn,
            "GetAccountSummary reports root access keys that the credential report does not list yet; scan again once AWS regenerates the report",
        );
    }
    let has_virtual_mfa = mfa.contains_key(root_arn);
    Joined::without_errors(Some(root_from_report(
        root_arn,
        summary,
        row,
        has_virtual_mfa,
    )))
}

/// The root user's data is missing or not to be trusted: its rules report *not evaluated*.
fn root_not_available(root_arn: &str, message: &str) -> Joined<Option<RootUser>> {
    let error = CollectionError::not_available(
        "iam",
        "GetCredentialReport",
        message,
        &[DataSection::IamRoot],
    )
    .about(root_arn);
    Joined::with_error(None, error)
}

/// Root as its report row describes it; MFA counts as enabled when either source says so.
fn root_from_report(
    arn: &str,
    summary: &Summary,
    row: &ReportRow,
    has_virtual_mfa: bool,
) -> RootUser {
    let mfa_enabled = summary.root_mfa_enabled || row.mfa_active;
    RootUser {
        arn: arn.to_owned(),
        mfa_enabled,
        // The account-wide list shows virtual devices only: an enabled MFA with no virtual
        // device is a hardware one (a FIDO key or a TOTP token).
        mfa_kind: mfa_enabled.then_some(if has_virtual_mfa {
            MfaKind::Virtual
        } else {
            MfaKind::Hardware
        }),
        access_keys: row.access_keys.clone(),
        password_last_used: row.password_last_used,
        password_present: summary.root_password_present,
    }
}

/// The users of the authorization details, each with its credential-report row. A user
/// missing from a report that was read is a gap in that user's credentials (created since the
/// report, typically); when the report itself failed, its own error covers every user.
fn users(
    entries: Vec<UserEntry>,
    report: Option<&CredentialReport>,
    mfa: Option<&VirtualMfaDevices>,
    collected_at: Timestamp,
) -> Joined<Vec<User>> {
    let mut errors = Vec::new();
    let users = entries
        .into_iter()
        .map(|entry| {
            let row = report.and_then(|r| r.users.get(&entry.name));
            if report.is_some() && row.is_none() {
                errors.push(not_in_report(&entry));
            }
            let devices = mfa.and_then(|m| m.get(&entry.arn)).cloned();
            user(entry, row, devices.unwrap_or_default(), collected_at)
        })
        .collect();
    Joined {
        part: users,
        errors,
    }
}

fn not_in_report(entry: &UserEntry) -> CollectionError {
    CollectionError::not_available(
        "iam",
        "GetCredentialReport",
        format!(
            "user {} is not in the credential report (created after the report was generated?)",
            entry.name
        ),
        &[DataSection::IamCredentials],
    )
    .about(&entry.arn)
}

fn user(
    entry: UserEntry,
    row: Option<&ReportRow>,
    mfa_devices: Vec<MfaDevice>,
    collected_at: Timestamp,
) -> User {
    User {
        password: row.filter(|r| r.password_enabled).map(|r| ConsolePassword {
            enabled: true,
            last_used: r.password_last_used,
            last_changed: r.password_last_changed,
        }),
        mfa_active: row.is_some_and(|r| r.mfa_active),
        mfa_devices,
        access_keys: row.map(|r| r.access_keys.clone()).unwrap_or_default(),
        // AWS always sends CreateDate; the fallback only keeps a malformed answer usable.
        created: entry.created.unwrap_or(collected_at),
        name: entry.name,
        arn: entry.arn,
        groups: entry.groups,
        attached_policies: entry.attached_policies,
        inline_policies: entry.inline_policies,
        permissions_boundary: entry.permissions_boundary,
        tags: entry.tags,
    }
}

/// The regions' own errors come with their secrets; a step that failed as a whole (the
/// deadline passed) leaves the secrets of every region incomplete.
fn secrets(result: Result<RegionSecrets, CallError>) -> Joined<Vec<Secret>> {
    match result {
        Ok(found) => Joined {
            part: found.secrets,
            errors: found.errors,
        },
        Err(error) => Joined::with_error(
            Vec::new(),
            CollectionError::from_call(
                "secretsmanager",
                "ListSecrets",
                &error,
                &[DataSection::Secrets, DataSection::SecretResourcePolicies],
            ),
        ),
    }
}

/// The collectors' own errors come with their data; a step that failed as a whole (the
/// deadline passed) leaves every detective section incomplete.
fn detective(result: Result<DetectiveFound, CallError>) -> Joined<Detective> {
    match result {
        Ok(found) => Joined {
            part: found.detective,
            errors: found.errors,
        },
        Err(error) => Joined::with_error(
            Detective::default(),
            CollectionError::from_call(
                "keyward",
                "DetectiveControls",
                &error,
                &DataSection::DETECTIVE,
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{AccessKey, ErrorKind, KeyStatus};

    const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";

    fn denied() -> CallError {
        CallError {
            kind: ErrorKind::AccessDenied,
            message: "AccessDenied: not authorized".to_owned(),
            code: Some("AccessDenied".to_owned()),
        }
    }

    fn user_arn(name: &str) -> String {
        format!("arn:aws:iam::123456789012:user/{name}")
    }

    fn entry(name: &str) -> UserEntry {
        UserEntry {
            name: name.to_owned(),
            arn: user_arn(name),
            created: None,
            groups: Vec::new(),
            attached_policies: Vec::new(),
            inline_policies: Vec::new(),
            permissions_boundary: None,
            tags: BTreeMap::new(),
        }
    }

    fn active_key() -> AccessKey {
        AccessKey {
            id: None,
            status: KeyStatus::Active,
            created: "2024-01-01T00:00:00Z".parse().unwrap(),
            last_used: None,
        }
    }

    fn virtual_device(serial: &str) -> MfaDevice {
        MfaDevice {
            serial: serial.to_owned(),
            kind: MfaKind::Virtual,
            enabled_at: None,
        }
    }

    /// Every step succeeded: root has a hardware MFA and no keys, alice a password and MFA.
    fn healthy() -> Parts {
        let alice = ReportRow {
            password_enabled: true,
            mfa_active: true,
            ..ReportRow::default()
        };
        Parts {
            account_id: "123456789012".to_owned(),
            partition: "aws".to_owned(),
            alias: Ok(Some("prod".to_owned())),
            summary: Ok(Summary {
                root_mfa_enabled: true,
                root_access_keys_present: false,
                root_password_present: Some(true),
            }),
            report: Ok(CredentialReport {
                generated_at: None,
                root: Some(ReportRow::default()),
                users: BTreeMap::from([("alice".to_owned(), alice)]),
            }),
            mfa: Ok(BTreeMap::from([(
                user_arn("alice"),
                vec![virtual_device("alice-phone")],
            )])),
            password_policy: Ok(None),
            authorization: Ok(Authorization {
                users: vec![entry("alice")],
                ..Authorization::default()
            }),
            organization: Ok(None),
            regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
            region_error: None,
            secrets: Ok(RegionSecrets {
                secrets: Vec::new(),
                errors: Vec::new(),
            }),
            detective: Ok(DetectiveFound {
                detective: Detective::default(),
                errors: Vec::new(),
            }),
        }
    }

    fn report_mut(parts: &mut Parts) -> &mut CredentialReport {
        parts.report.as_mut().ok().unwrap()
    }

    fn summary_mut(parts: &mut Parts) -> &mut Summary {
        parts.summary.as_mut().ok().unwrap()
    }

    /// Each error as (operation, sections), in the snapshot's order.
    fn gaps(snapshot: &Snapshot) -> Vec<(&str, Vec<DataSection>)> {
        snapshot
            .collection_errors
            .iter()
            .map(|e| (e.operation.as_str(), e.sections.clone()))
            .collect()
    }

    #[test]
    fn every_step_succeeding_leaves_no_gap() {
        let snapshot = assemble(healthy(), 7);
        assert!(snapshot.collection_errors.is_empty());
        let root = snapshot.root.unwrap();
        assert_eq!(root.arn, ROOT_ARN);
        assert!(root.mfa_enabled);
        assert_eq!(root.mfa_kind, Some(MfaKind::Hardware));
        let alice = &snapshot.users[0];
        assert!(alice.password.is_some() && alice.mfa_active);
        assert_eq!(alice.mfa_devices[0].serial, "alice-phone");
        assert_eq!(snapshot.account.alias.as_deref(), Some("prod"));
        assert_eq!(snapshot.collector.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(snapshot.collector.api_requests, Some(7));
    }

    /// Makes one step of healthy parts fail.
    type BreakStep = fn(&mut Parts);

    #[test]
    fn each_failed_step_names_the_sections_it_leaves_incomplete() {
        use DataSection::*;
        let cases: [(&str, Vec<DataSection>, BreakStep); 9] = [
            ("ListAccountAliases", vec![], |p| p.alias = Err(denied())),
            ("GetAccountSummary", vec![IamRoot], |p| {
                p.summary = Err(denied())
            }),
            ("GetCredentialReport", vec![IamRoot, IamCredentials], |p| {
                p.report = Err(denied())
            }),
            ("ListVirtualMFADevices", vec![IamRoot], |p| {
                p.mfa = Err(denied())
            }),
            ("GetAccountPasswordPolicy", vec![IamPasswordPolicy], |p| {
                p.password_policy = Err(denied())
            }),
            (
                "GetAccountAuthorizationDetails",
                vec![IamAuthorization, IamCredentials],
                |p| p.authorization = Err(denied()),
            ),
            ("ListRegions", vec![Secrets, SecretResourcePolicies], |p| {
                p.region_error = Some(denied())
            }),
            ("ListSecrets", vec![Secrets, SecretResourcePolicies], |p| {
                p.secrets = Err(denied())
            }),
            ("DetectiveControls", DataSection::DETECTIVE.to_vec(), |p| {
                p.detective = Err(denied())
            }),
        ];
        for (operation, sections, break_step) in cases {
            let mut parts = healthy();
            break_step(&mut parts);
            let snapshot = assemble(parts, 0);
            // One error only: a step's failure must not also be reported by the joins that
            // depend on it (root reconciliation, the users' report rows).
            assert_eq!(gaps(&snapshot), [(operation, sections)], "{operation}");
            assert_eq!(
                snapshot.collection_errors[0].kind,
                ErrorKind::AccessDenied,
                "{operation}"
            );
        }
    }

    #[test]
    fn a_failed_step_leaves_the_data_that_depends_on_it_empty() {
        let mut parts = healthy();
        parts.summary = Err(denied());
        parts.password_policy = Err(denied());
        let snapshot = assemble(parts, 0);
        assert!(snapshot.root.is_none());
        assert!(snapshot.password_policy.is_none());
        assert_eq!(snapshot.users.len(), 1, "users do not need the summary");

        let mut parts = healthy();
        parts.authorization = Err(denied());
        let snapshot = assemble(parts, 0);
        assert!(snapshot.users.is_empty());
        assert!(snapshot.root.is_some(), "root does not need the details");
    }

    #[test]
    fn a_failed_mfa_list_leaves_root_out_but_keeps_the_users() {
        let mut parts = healthy();
        parts.mfa = Err(denied());
        let snapshot = assemble(parts, 0);
        assert!(snapshot.root.is_none(), "root's kind of MFA is unknown");
        assert!(snapshot.users[0].mfa_active, "from the credential report");
        assert!(snapshot.users[0].mfa_devices.is_empty());
    }

    #[test]
    fn a_report_without_a_root_row_leaves_root_not_evaluated() {
        let mut parts = healthy();
        report_mut(&mut parts).root = None;
        let snapshot = assemble(parts, 0);
        assert!(snapshot.root.is_none());
        let error = &snapshot.collection_errors[..];
        assert_eq!(
            gaps(&snapshot),
            [("GetCredentialReport", vec![DataSection::IamRoot])]
        );
        assert_eq!(error[0].kind, ErrorKind::NotAvailable);
        assert_eq!(error[0].resource.as_deref(), Some(ROOT_ARN));
        assert!(error[0].message.contains("<root_account>"));
    }

    #[test]
    fn a_root_key_the_report_does_not_list_yet_leaves_root_not_evaluated() {
        let mut parts = healthy();
        summary_mut(&mut parts).root_access_keys_present = true;
        let snapshot = assemble(parts, 0);
        assert!(
            snapshot.root.is_none(),
            "the stale report would pass as keyless"
        );
        assert_eq!(
            gaps(&snapshot),
            [("GetCredentialReport", vec![DataSection::IamRoot])]
        );
        let error = &snapshot.collection_errors[0];
        assert_eq!(error.kind, ErrorKind::NotAvailable);
        assert!(error.message.contains("scan again"), "{}", error.message);

        let mut parts = healthy();
        summary_mut(&mut parts).root_access_keys_present = true;
        report_mut(&mut parts).root.as_mut().unwrap().access_keys = vec![active_key()];
        let snapshot = assemble(parts, 0);
        assert!(snapshot.collection_errors.is_empty());
        assert_eq!(snapshot.root.unwrap().access_keys.len(), 1);
    }

    #[test]
    fn roots_kind_of_mfa_comes_from_the_virtual_device_list() {
        let mut parts = healthy();
        parts
            .mfa
            .as_mut()
            .ok()
            .unwrap()
            .insert(ROOT_ARN.to_owned(), vec![virtual_device("root-phone")]);
        assert_eq!(
            assemble(parts, 0).root.unwrap().mfa_kind,
            Some(MfaKind::Virtual)
        );

        // The report's row alone is enough to know MFA is on.
        let mut parts = healthy();
        summary_mut(&mut parts).root_mfa_enabled = false;
        report_mut(&mut parts).root.as_mut().unwrap().mfa_active = true;
        assert!(assemble(parts, 0).root.unwrap().mfa_enabled);

        let mut parts = healthy();
        summary_mut(&mut parts).root_mfa_enabled = false;
        let root = assemble(parts, 0).root.unwrap();
        assert!(!root.mfa_enabled);
        assert_eq!(root.mfa_kind, None);
    }

    #[test]
    fn a_user_missing_from_the_report_is_a_gap_in_that_users_credentials() {
        let mut parts = healthy();
        parts
            .authorization
            .as_mut()
            .ok()
            .unwrap()
            .users
            .push(entry("bob"));
        let snapshot = assemble(parts, 0);
        assert_eq!(
            gaps(&snapshot),
            [("GetCredentialReport", vec![DataSection::IamCredentials])]
        );
        let error = &snapshot.collection_errors[0];
        assert_eq!(error.kind, ErrorKind::NotAvailable);
        assert_eq!(error.resource, Some(user_arn("bob")));
        let bob = &snapshot.users[1];
        assert!(bob.password.is_none() && bob.access_keys.is_empty());
    }

    #[test]
    fn a_region_discovery_failure_says_which_regions_were_scanned_instead() {
        let mut parts = healthy();
        parts.region_error = Some(denied());
        let snapshot = assemble(parts, 0);
        let error = &snapshot.collection_errors[0];
        assert_eq!(error.service, "account");
        assert_eq!(
            error.message,
            "AccessDenied: not authorized; scanned the regions enabled by default (2), opt-in regions were not checked"
        );
    }

    #[test]
    fn errors_keep_the_order_of_the_steps() {
        let mut parts = healthy();
        parts.summary = Err(denied());
        parts.region_error = Some(denied());
        parts
            .authorization
            .as_mut()
            .ok()
            .unwrap()
            .users
            .push(entry("bob"));
        let region_gap = CollectionError::from_call(
            "secretsmanager",
            "ListSecrets",
            &denied(),
            &[DataSection::Secrets],
        )
        .in_region("eu-west-1");
        parts.secrets.as_mut().ok().unwrap().errors.push(region_gap);
        let snapshot = assemble(parts, 0);
        let operations: Vec<&str> = gaps(&snapshot).into_iter().map(|(o, _)| o).collect();
        assert_eq!(
            operations,
            [
                "GetAccountSummary",
                "ListRegions",
                "GetCredentialReport",
                "ListSecrets"
            ]
        );
    }
}
