//! The model against AWS's documented evaluation logic, one case per rule of it, on small
//! snapshots that each differ from an empty account in what the case is about.
//!
//! The cases follow the IAM User Guide's pages "Policy evaluation logic", "Cross-account policy
//! evaluation logic", "Permissions boundaries for IAM entities" (the boundary examples),
//! "Service control policies" and "Resource control policies", and the Secrets Manager guide's
//! resource-policy examples.

use serde_json::{Value, json};

use crate::model::access::{Access, AccessSummary, HolderGrant, OutsideReader};
use crate::snapshot::Snapshot;

const ACCOUNT: &str = "123456789012";
const PARTNER: &str = "999988887777";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn secret_arn(name: &str) -> String {
    format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-AbCdEf")
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn allow(action: &str, resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": action, "Resource": resource})
}

fn deny(action: &str, resource: &str) -> Value {
    json!({"Effect": "Deny", "Action": action, "Resource": resource})
}

const GET: &str = "secretsmanager:GetSecretValue";

/// An account built up case by case.
struct Account {
    snapshot: Value,
}

impl Account {
    fn new() -> Account {
        Account {
            snapshot: json!({
                "schema_version": 2,
                "collected_at": "2026-05-10T00:00:00Z",
                "collector": {"tool": "test", "version": "0", "regions": ["us-east-1"]},
                "account": {"id": ACCOUNT, "partition": "aws"},
                "users": [], "groups": [], "roles": [], "policies": [], "secrets": [],
            }),
        }
    }

    fn push(mut self, list: &str, item: Value) -> Account {
        self.snapshot[list].as_array_mut().unwrap().push(item);
        self
    }

    /// A user, group or role (`kind`) with inline policies, its own `fields` and `extra` ones
    /// merged in.
    fn principal(
        self,
        kind: &str,
        name: &str,
        policies: &[Value],
        fields: Value,
        extra: Value,
    ) -> Account {
        let mut principal = json!({
            "name": name, "arn": arn(kind, name),
            "inline_policies": policies.iter().enumerate().map(|(i, d)| json!({"name": format!("{name}-{i}"), "document": d})).collect::<Vec<_>>(),
        });
        merge(&mut principal, fields);
        merge(&mut principal, extra);
        self.push(&format!("{kind}s"), principal)
    }

    fn user(self, name: &str, policies: &[Value], extra: Value) -> Account {
        let fields = json!({"created": "2025-01-01T00:00:00Z", "mfa_active": false});
        self.principal("user", name, policies, fields, extra)
    }

    /// A user whose inline policy lets it read every secret.
    fn reader(self, name: &str, extra: Value) -> Account {
        self.user(name, &[doc(json!(allow(GET, "*")))], extra)
    }

    fn role(self, name: &str, trust: Value, policies: &[Value], extra: Value) -> Account {
        self.principal(
            "role",
            name,
            policies,
            json!({"assume_role_policy": trust}),
            extra,
        )
    }

    fn group(self, name: &str, policies: &[Value]) -> Account {
        self.principal("group", name, policies, json!({}), json!({}))
    }

    fn managed(self, name: &str, document: Value, attachments: u32, boundaries: u32) -> Account {
        let policy = json!({
            "name": name, "arn": arn("policy", name), "aws_managed": false,
            "attachment_count": attachments, "permissions_boundary_count": boundaries, "document": document,
        });
        self.push("policies", policy)
    }

    fn secret(self, name: &str, extra: Value) -> Account {
        let mut secret = json!({
            "arn": secret_arn(name), "name": name, "region": "us-east-1",
            "rotation": {"enabled": false},
        });
        merge(&mut secret, extra);
        self.push("secrets", secret)
    }

    fn with(mut self, extra: Value) -> Account {
        merge(&mut self.snapshot, extra);
        self
    }

    fn summary(&self) -> AccessSummary {
        let snapshot: Snapshot =
            serde_json::from_value(self.snapshot.clone()).expect("a valid snapshot");
        super::summary::summarize(&snapshot, "2026-05-10T00:00:00Z".parse().unwrap())
    }
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        t.extend(e);
    }
}

/// The account's principals that read a secret, by any route, surely and conditionally.
fn readers(summary: &AccessSummary, secret: &str) -> (u32, u32) {
    let s = &summary.secrets[&secret_arn(secret)];
    (s.readers, s.conditional_readers)
}

/// The grants and outside readers that reach a secret (its own and every secret's).
fn grants<'a>(summary: &'a AccessSummary, secret: &str) -> Vec<&'a HolderGrant> {
    summary
        .grants_of(&summary.secrets[&secret_arn(secret)])
        .collect()
}

fn outside<'a>(summary: &'a AccessSummary, secret: &str) -> Vec<&'a OutsideReader> {
    summary
        .outside_of(&summary.secrets[&secret_arn(secret)])
        .collect()
}

fn every_secret(summary: &AccessSummary, principal: &str) -> Option<Access> {
    summary
        .principals
        .get(principal)
        .and_then(|p| p.every_secret.as_ref())
        .map(|g| g.access)
}

fn admin(summary: &AccessSummary, principal: &str) -> Option<Access> {
    summary
        .principals
        .get(principal)
        .and_then(|p| p.admin.as_ref())
        .map(|g| g.access)
}

fn service_trust(service: &str) -> Value {
    doc(json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}))
}

// --- Identity policies, explicit deny, the policy grammar ---------------------------------

#[test]
fn an_identity_policy_allow_grants_and_every_secret_includes_tomorrows() {
    let summary = Account::new()
        .reader("alice", json!({}))
        .user(
            "bob",
            &[doc(json!(allow(GET, &secret_arn("db"))))],
            json!({}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(readers(&summary, "db"), (2, 0));
    assert_eq!(
        every_secret(&summary, &arn("user", "alice")),
        Some(Access::Allowed)
    );
    // bob names today's only secret: that is not "every secret".
    assert_eq!(every_secret(&summary, &arn("user", "bob")), None);
    let paths = &summary.principals[&arn("user", "alice")]
        .every_secret
        .as_ref()
        .unwrap()
        .paths;
    assert_eq!(
        (paths[0].policy.as_str(), paths[0].statement.as_str()),
        ("alice-0", "#1")
    );
}

#[test]
fn an_explicit_deny_overrides_an_allow() {
    // The case: secretsmanager:* allowed, GetSecretValue denied, both on "*".
    let summary = Account::new()
        .role(
            "app",
            service_trust("ecs-tasks.amazonaws.com"),
            &[doc(json!([allow("secretsmanager:*", "*"), deny(GET, "*")]))],
            json!({}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(readers(&summary, "db"), (0, 0));
    assert_eq!(every_secret(&summary, &arn("role", "app")), None);
}

#[test]
fn a_deny_on_one_secret_leaves_the_others_and_ends_every_secret() {
    let summary = Account::new()
        .user(
            "alice",
            &[doc(json!([
                allow(GET, "*"),
                deny(GET, &secret_arn("vault/*"))
            ]))],
            json!({}),
        )
        .secret("db", json!({}))
        .secret("vault/root", json!({}))
        .summary();
    assert_eq!(readers(&summary, "db"), (1, 0));
    assert_eq!(readers(&summary, "vault/root"), (0, 0));
    assert_eq!(every_secret(&summary, &arn("user", "alice")), None);
}

#[test]
fn actions_ignore_case_and_take_wildcards_and_single_values() {
    let summary = Account::new()
        .user("a", &[json!({"Statement": {"Effect": "Allow", "Action": "SecretsManager:GET*", "Resource": "*"}})], json!({}))
        .user("b", &[doc(json!(allow("secretsmanager:GetSecret?alue", "*")))], json!({}))
        .user("c", &[doc(json!(allow("secretsmanager:Get?", "*")))], json!({}))
        .user("d", &[doc(json!(allow("*", "*")))], json!({}))
        .secret("db", json!({}))
        .summary();
    assert_eq!(
        readers(&summary, "db"),
        (3, 0),
        "a, b and d; `Get?` is one character"
    );
}

#[test]
fn not_action_and_not_resource_cover_the_rest() {
    let summary = Account::new()
        .user(
            "a",
            &[doc(
                json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            )],
            json!({}),
        )
        .user(
            "b",
            &[doc(
                json!({"Effect": "Allow", "Action": GET, "NotResource": secret_arn("vault/*")}),
            )],
            json!({}),
        )
        .user(
            "c",
            &[doc(
                json!({"Effect": "Allow", "NotAction": "secretsmanager:*", "Resource": "*"}),
            )],
            json!({}),
        )
        .secret("db", json!({}))
        .secret("vault/root", json!({}))
        .summary();
    // c cannot read secrets, but NotAction secretsmanager:* lets it write its own policy.
    assert_eq!(readers(&summary, "db"), (3, 0));
    assert_eq!(readers(&summary, "vault/root"), (2, 0));
    assert_eq!(
        every_secret(&summary, &arn("user", "a")),
        Some(Access::Allowed)
    );
    assert_eq!(every_secret(&summary, &arn("user", "c")), None);
    assert_eq!(
        summary.principals[&arn("user", "c")].escalations[0].kind,
        "self_policy"
    );
}

#[test]
fn resource_arns_compare_with_case_and_wildcards() {
    let summary = Account::new()
        .user(
            "a",
            &[doc(json!(allow(
                GET,
                &format!("arn:aws:secretsmanager:*:{ACCOUNT}:secret:app/*")
            )))],
            json!({}),
        )
        .user(
            "b",
            &[doc(json!(allow(
                GET,
                &format!("arn:aws:secretsmanager:*:{ACCOUNT}:secret:App/*")
            )))],
            json!({}),
        )
        .secret("app/key", json!({}))
        .summary();
    assert_eq!(readers(&summary, "app/key"), (1, 0));
}

#[test]
fn group_policies_apply_to_members_and_are_listed_once_by_holder() {
    let summary = Account::new()
        .group("readers", &[doc(json!(allow(GET, &secret_arn("db"))))])
        .user("alice", &[], json!({"groups": ["readers"]}))
        .user(
            "bob",
            &[doc(json!(deny(GET, "*")))],
            json!({"groups": ["readers"]}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(readers(&summary, "db"), (1, 0));
    let grants = grants(&summary, "db");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].holder, arn("group", "readers"));
    assert_eq!(grants[0].members, Some(2));
    assert_eq!(
        grants[0].except,
        [arn("user", "bob")],
        "bob's Deny wins for bob"
    );
}

// --- Permissions boundaries -----------------------------------------------------------------

#[test]
fn a_boundary_limits_what_identity_policies_grant() {
    // The guide's example: a boundary of S3, CloudWatch and EC2 makes an identity policy that
    // allows another service grant nothing.
    let boundary = doc(json!(allow("s3:*", "*")));
    let summary = Account::new()
        .managed("s3-only", boundary, 0, 2)
        .reader(
            "shirley",
            json!({"permissions_boundary": arn("policy", "s3-only")}),
        )
        .reader(
            "dev",
            json!({"permissions_boundary": arn("policy", "not-collected")}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(
        readers(&summary, "db"),
        (0, 1),
        "shirley no; dev's boundary is unknown"
    );
    assert_eq!(
        every_secret(&summary, &arn("user", "dev")),
        Some(Access::Conditional)
    );
}

#[test]
fn a_boundary_that_allows_the_action_lets_the_grant_through() {
    let summary = Account::new()
        .managed("secrets", doc(json!(allow("secretsmanager:*", "*"))), 0, 1)
        .reader(
            "alice",
            json!({"permissions_boundary": arn("policy", "secrets")}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(readers(&summary, "db"), (1, 0));
}

// --- Resource policies ------------------------------------------------------------------------

fn resource_policy(statements: Value) -> Value {
    json!({"resource_policy": doc(statements)})
}

#[test]
fn within_the_account_a_resource_policy_naming_a_user_grants_without_identity_policy() {
    // Same account: identity-based and resource-based permissions add up. A boundary limits
    // what a resource policy grants a role, not a user.
    let boundary = doc(json!(allow("s3:*", "*")));
    let rp = resource_policy(
        json!({"Effect": "Allow", "Principal": {"AWS": [arn("user", "alice"), arn("role", "app")]}, "Action": GET, "Resource": "*"}),
    );
    let summary = Account::new()
        .managed("s3-only", boundary, 0, 2)
        .user(
            "alice",
            &[],
            json!({"permissions_boundary": arn("policy", "s3-only")}),
        )
        .role(
            "app",
            service_trust("lambda.amazonaws.com"),
            &[],
            json!({"permissions_boundary": arn("policy", "s3-only")}),
        )
        .secret("db", rp)
        .summary();
    assert_eq!(readers(&summary, "db"), (1, 0), "alice only");
    let grants = grants(&summary, "db");
    assert_eq!(
        (grants[0].holder.as_str(), grants[0].via.as_str()),
        (arn("user", "alice").as_str(), "resource_policy")
    );
}

#[test]
fn a_resource_policy_naming_the_account_delegates_and_grants_nothing_by_itself() {
    let rp = resource_policy(
        json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": GET, "Resource": "*"}),
    );
    let summary = Account::new()
        .user("alice", &[], json!({}))
        .secret("db", rp)
        .summary();
    assert_eq!(readers(&summary, "db"), (0, 0));
    assert!(!summary.secrets[&secret_arn("db")].outside_account);
}

#[test]
fn a_resource_policy_deny_binds_the_account_principals() {
    let rp = resource_policy(
        json!({"Effect": "Deny", "Principal": "*", "Action": GET, "Resource": "*", "Condition": {"ArnNotEquals": {"aws:PrincipalArn": arn("role", "app")}}}),
    );
    let summary = Account::new()
        .reader("alice", json!({}))
        .role(
            "app",
            service_trust("lambda.amazonaws.com"),
            &[doc(json!(allow(GET, "*")))],
            json!({}),
        )
        .secret("db", rp)
        .summary();
    assert_eq!(
        readers(&summary, "db"),
        (1, 0),
        "only the role the Deny spares"
    );
}

#[test]
fn a_policy_open_to_anyone_is_public_whatever_aws_secure_transport_says() {
    let open = resource_policy(
        json!({"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
    );
    let summary = Account::new()
        .user("alice", &[], json!({}))
        .secret("db", open)
        .summary();
    let db = &summary.secrets[&secret_arn("db")];
    assert!(db.public && db.outside_account);
    assert_eq!(outside(&summary, "db")[0].scope, "public");
    assert_eq!(db.resource_policy[0].actions, [GET]);
    assert_eq!(
        readers(&summary, "db"),
        (1, 0),
        "alice reads it too: the policy names everyone"
    );
}

/// AWS's recommended shape: Allow "*", Deny unless aws:PrincipalOrgID is o-abc.
fn open_to_the_organization() -> Value {
    resource_policy(json!([
        {"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}},
    ]))
}

#[test]
fn allow_everyone_deny_outside_the_organization_admits_only_the_organization() {
    let rp = open_to_the_organization();
    let summary = Account::new()
        .user("alice", &[], json!({}))
        .with(json!({"organization": {"id": "o-abc"}}))
        .secret("db", rp)
        .summary();
    let db = &summary.secrets[&secret_arn("db")];
    assert!(!db.public);
    assert_eq!(outside(&summary, "db")[0].scope, "organization");
    assert_eq!(db.resource_policy[0].scope, "organization");
    assert_eq!(readers(&summary, "db"), (1, 0), "alice is in o-abc");
}

#[test]
fn outside_an_organization_the_org_condition_denies_the_account_itself() {
    let rp = open_to_the_organization();
    let member_elsewhere = Account::new()
        .reader("alice", json!({}))
        .with(json!({"organization": {"id": "o-zzz"}}))
        .secret("db", rp.clone())
        .summary();
    assert_eq!(readers(&member_elsewhere, "db"), (0, 0));
    // A snapshot that could not say which organization: conditional, never a silent no.
    let unknown = Account::new()
        .reader("alice", json!({}))
        .with(json!({"collection_errors": [{"sections": [], "service": "organizations", "operation": "DescribeOrganization", "kind": "access_denied", "message": "denied"}]}))
        .secret("db", rp)
        .summary();
    assert_eq!(readers(&unknown, "db"), (0, 1));
}

#[test]
fn a_condition_keyward_cannot_judge_makes_the_answer_conditional() {
    let rp = resource_policy(
        json!({"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Condition": {"StringEquals": {"ec2:Vpc": "vpc-1"}}}),
    );
    let summary = Account::new().secret("db", rp).summary();
    let db = &summary.secrets[&secret_arn("db")];
    assert!(db.public, "it may be public: shown, never silently dropped");
    assert_eq!(outside(&summary, "db")[0].access, Access::Conditional);
    assert!(
        outside(&summary, "db")[0].paths[0]
            .conditions
            .iter()
            .any(|c| c.contains("ec2:Vpc")),
        "{:?}",
        outside(&summary, "db")[0]
    );
}

#[test]
fn other_accounts_are_outside_and_conditions_on_who_narrow_the_public() {
    let rp = resource_policy(json!([
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{PARTNER}:role/reader")}, "Action": GET, "Resource": "*"},
        {"Sid": "Vpce", "Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}},
        {"Sid": "Self", "Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}},
    ]));
    let summary = Account::new().secret("db", rp).summary();
    let db = &summary.secrets[&secret_arn("db")];
    assert!(!db.public);
    let scopes: Vec<(&str, &str)> = outside(&summary, "db")
        .into_iter()
        .map(|o| (o.paths[0].statement.as_str(), o.scope.as_str()))
        .collect();
    assert_eq!(
        scopes,
        [("Partner", "other_account"), ("Vpce", "network")],
        "Self stays in the account"
    );
    assert_eq!(outside(&summary, "db")[0].accounts, [PARTNER]);
}

#[test]
fn not_principal_allows_everyone_else() {
    let rp = resource_policy(
        json!({"Effect": "Allow", "NotPrincipal": {"AWS": arn("user", "bob")}, "Action": GET, "Resource": "*"}),
    );
    let summary = Account::new().secret("db", rp).summary();
    assert!(summary.secrets[&secret_arn("db")].public);
}

#[test]
fn a_secret_scheduled_for_deletion_has_no_readers() {
    let summary = Account::new()
        .reader("alice", json!({}))
        .secret("old", json!({"deleted_date": "2026-05-01T00:00:00Z", "resource_policy": doc(json!({"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*"}))}))
        .summary();
    let old = &summary.secrets[&secret_arn("old")];
    assert!(old.scheduled_for_deletion && !old.public);
    assert_eq!((old.readers, old.conditional_readers), (0, 0));
    assert_eq!(
        every_secret(&summary, &arn("user", "alice")),
        Some(Access::Allowed),
        "a deleted secret is not one it misses"
    );
}

// --- Organizations: SCPs and RCPs -------------------------------------------------------------

fn org(scps: &[Value], ou_scps: &[Value], rcps: &[Value], management: &str) -> Value {
    let policies = |list: &[Value]| -> Vec<Value> {
        list.iter().enumerate().map(|(i, d)| json!({"id": format!("p-{i}"), "name": format!("policy-{i}"), "document": d})).collect()
    };
    json!({"organization": {"id": "o-abc", "management_account_id": management, "policies": {
    "service_control_policies_enabled": true,
    "resource_control_policies_enabled": true,
    "path": [
        {"id": "r-1", "kind": "root", "service_control_policies": policies(&[doc(json!(allow("*", "*")))]), "resource_control_policies": policies(rcps)},
        {"id": "ou-1", "kind": "organizational_unit", "service_control_policies": policies(ou_scps)},
        {"id": ACCOUNT, "kind": "account", "service_control_policies": policies(scps)},
    ]}}})
}

#[test]
fn an_scp_deny_removes_readers_but_not_in_the_management_account() {
    let full = doc(json!(allow("*", "*")));
    let no_secrets = doc(json!([allow("*", "*"), deny(GET, "*")]));
    let account = || {
        Account::new()
            .reader("alice", json!({}))
            .role("AWSServiceRoleForX", service_trust("x.amazonaws.com"), &[doc(json!(allow(GET, "*")))], json!({"arn": format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX")}))
            .secret("db", json!({}))
    };
    let member = account()
        .with(org(
            std::slice::from_ref(&no_secrets),
            std::slice::from_ref(&full),
            &[],
            "111111111111",
        ))
        .summary();
    assert_eq!(
        readers(&member, "db"),
        (1, 0),
        "only the service-linked role, which SCPs do not restrict"
    );
    assert_eq!(member.basis.service_control_policies, "weighed");
    let management = account()
        .with(org(&[no_secrets], &[full], &[], ACCOUNT))
        .summary();
    assert_eq!(readers(&management, "db"), (2, 0));
    assert_eq!(management.basis.service_control_policies, "not_applicable");
}

#[test]
fn every_level_of_the_path_must_allow() {
    // An OU whose SCP allows only S3: an implicit deny below the root's FullAWSAccess.
    let full = doc(json!(allow("*", "*")));
    let summary = Account::new()
        .reader("alice", json!({}))
        .secret("db", json!({}))
        .with(org(
            &[full],
            &[doc(json!(allow("s3:*", "*")))],
            &[],
            "111111111111",
        ))
        .summary();
    assert_eq!(readers(&summary, "db"), (0, 0));
    assert_eq!(every_secret(&summary, &arn("user", "alice")), None);
}

#[test]
fn an_rcp_keeps_outsiders_to_the_organization() {
    let full = doc(json!(allow("*", "*")));
    let perimeter = doc(
        json!({"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}),
    );
    let summary = Account::new()
        .secret(
            "db",
            resource_policy(
                json!({"Effect": "Allow", "Principal": "*", "Action": GET, "Resource": "*"}),
            ),
        )
        .with(org(
            std::slice::from_ref(&full),
            std::slice::from_ref(&full),
            &[perimeter],
            "111111111111",
        ))
        .summary();
    let db = &summary.secrets[&secret_arn("db")];
    assert!(!db.public);
    assert_eq!(outside(&summary, "db")[0].scope, "organization");
}

#[test]
fn an_rcp_removes_a_named_account_outside_the_organization_once_its_accounts_are_known() {
    let full = doc(json!(allow("*", "*")));
    let perimeter = doc(
        json!({"Effect": "Deny", "Principal": "*", "Action": GET, "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}),
    );
    let shared = |account: &str| {
        resource_policy(
            json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": GET, "Resource": "*"}),
        )
    };
    let organization = |members: Option<Value>| {
        let mut organization = org(
            std::slice::from_ref(&full),
            std::slice::from_ref(&full),
            std::slice::from_ref(&perimeter),
            "111111111111",
        );
        if let Some(members) = members {
            organization["organization"]["member_accounts"] = members;
        }
        organization
    };
    let outsiders = |members: Option<Value>| -> Vec<(String, String)> {
        let summary = Account::new()
            .secret("partner", shared(PARTNER))
            .secret("sibling", shared("222222222222"))
            .with(organization(members))
            .summary();
        ["partner", "sibling"]
            .iter()
            .flat_map(|secret| outside(&summary, secret))
            .map(|o| (o.principal.clone(), o.scope.clone()))
            .collect()
    };
    let listed = json!(["111111111111", ACCOUNT, "222222222222"]);
    assert_eq!(
        outsiders(Some(listed)),
        [("222222222222".to_owned(), "other_account".to_owned())],
        "the partner is outside the organization; the sibling account is in it"
    );
    // Without the list, whether the partner is in the organization is not known: it stays, as
    // the organization's principals only.
    assert_eq!(outsiders(None).len(), 2);
}

// --- Roles: trust, chains, outsiders ----------------------------------------------------------

fn trust(principal: Value) -> Value {
    doc(json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}))
}

#[test]
fn role_chains_are_followed_through_trust_and_identity_permission() {
    let summary = Account::new()
        .user(
            "dev",
            &[doc(json!(allow("sts:AssumeRole", &arn("role", "hop"))))],
            json!({}),
        )
        .user("idle", &[], json!({}))
        .role(
            "hop",
            trust(json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")})),
            &[],
            json!({}),
        )
        .role(
            "reader",
            trust(json!({"AWS": arn("role", "hop")})),
            &[doc(json!(allow(GET, "*")))],
            json!({}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(
        readers(&summary, "db"),
        (3, 0),
        "dev -> hop -> reader, hop, reader; idle has no sts:AssumeRole"
    );
    let reader = &summary.principals[&arn("role", "reader")];
    let hop = summary
        .assumers_of(reader)
        .find(|g| g.holder == arn("role", "hop"))
        .expect("hop assumes reader");
    assert_eq!(hop.via, "trust_policy");
    assert_eq!(hop.paths[0].attached_to, arn("role", "reader"));
    assert_eq!(summary.principals[&arn("user", "dev")].readable_secrets, 1);
}

#[test]
fn a_trust_policy_naming_the_user_needs_no_identity_permission() {
    let summary = Account::new()
        .user("named", &[], json!({}))
        .user(
            "denied",
            &[doc(json!(deny("sts:AssumeRole", "*")))],
            json!({}),
        )
        .role(
            "reader",
            trust(json!({"AWS": [arn("user", "named"), arn("user", "denied")]})),
            &[doc(json!(allow(GET, "*")))],
            json!({}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(
        readers(&summary, "db"),
        (2, 0),
        "named and the role; denied's Deny wins"
    );
}

#[test]
fn readers_outside_the_account_through_a_role() {
    let summary = Account::new()
        .role("partner", trust(json!({"AWS": PARTNER})), &[doc(json!(allow(GET, &secret_arn("shared"))))], json!({}))
        .role("ci", doc(json!({"Effect": "Allow", "Principal": {"Federated": format!("arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com")}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}})), &[doc(json!(allow(GET, "*")))], json!({}))
        .secret("shared", json!({}))
        .secret("other", json!({}))
        .summary();
    let shared = &summary.secrets[&secret_arn("shared")];
    assert!(shared.outside_account && !shared.public);
    // Its own outside reader (the partner, through its role) after every secret's (CI's).
    assert_eq!(shared.outside.len(), 1);
    let partner = outside(&summary, "shared")[1];
    assert_eq!(
        (
            partner.via.as_str(),
            partner.role.as_deref(),
            partner.accounts.clone()
        ),
        (
            "role",
            Some(arn("role", "partner").as_str()),
            vec![PARTNER.to_owned()]
        )
    );
    // The CI role reads every secret: its federated readers are listed once.
    let every: Vec<&OutsideReader> = summary
        .every_secret
        .outside
        .iter()
        .map(|&o| &summary.outside[o])
        .collect();
    assert_eq!(every.len(), 1);
    assert_eq!(every[0].scope, "federated");
    assert!(every[0].paths[0].conditions[0].contains("repo:acme/app:*"));
    assert!(summary.secrets[&secret_arn("other")].outside_account);
}

#[test]
fn a_role_anyone_may_assume_makes_its_secrets_public() {
    let summary = Account::new()
        .role(
            "open",
            trust(json!({"AWS": "*"})),
            &[doc(json!(allow(GET, &secret_arn("db"))))],
            json!({}),
        )
        .secret("db", json!({}))
        .summary();
    assert!(summary.secrets[&secret_arn("db")].public);
}

// --- Escalation -------------------------------------------------------------------------------

#[test]
fn a_principal_that_can_write_its_own_policy_reads_everything_its_boundary_allows() {
    let summary = Account::new()
        .managed("s3-only", doc(json!(allow("s3:*", "*"))), 0, 1)
        .user(
            "self",
            &[doc(json!(allow("iam:PutUserPolicy", &arn("user", "self"))))],
            json!({}),
        )
        .user(
            "bounded",
            &[doc(json!(allow(
                "iam:PutUserPolicy",
                &arn("user", "bounded")
            )))],
            json!({"permissions_boundary": arn("policy", "s3-only")}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(readers(&summary, "db"), (1, 0));
    let me = &summary.principals[&arn("user", "self")];
    assert_eq!(me.readable_secrets, 1);
    assert_eq!(me.escalations[0].kind, "self_policy");
    assert_eq!(
        every_secret(&summary, &arn("user", "self")),
        None,
        "not through its own policies"
    );
}

#[test]
fn escalation_routes_lead_to_what_their_targets_read() {
    let reader = || doc(json!(allow(GET, "*")));
    let summary = Account::new()
        .user("admin", &[reader()], json!({}))
        .user(
            "keymaker",
            &[doc(json!(allow(
                "iam:CreateAccessKey",
                &arn("user", "admin")
            )))],
            json!({}),
        )
        .role(
            "fn",
            service_trust("lambda.amazonaws.com"),
            &[reader()],
            json!({}),
        )
        .user(
            "deployer",
            &[doc(json!([
                allow("iam:PassRole", &arn("role", "fn")),
                allow("lambda:CreateFunction", "*"),
                allow("lambda:InvokeFunction", "*")
            ]))],
            json!({}),
        )
        .user(
            "half",
            &[doc(json!([
                allow("iam:PassRole", &arn("role", "fn")),
                allow("lambda:CreateFunction", "*")
            ]))],
            json!({}),
        )
        .user(
            "retruster",
            &[doc(json!(allow(
                "iam:UpdateAssumeRolePolicy",
                &arn("role", "fn")
            )))],
            json!({}),
        )
        .user(
            "versioner",
            &[doc(json!(allow(
                "iam:CreatePolicyVersion",
                &arn("policy", "mine")
            )))],
            json!({"attached_policies": [{"name": "mine", "arn": arn("policy", "mine")}]}),
        )
        .managed("mine", doc(json!(allow("s3:ListBucket", "*"))), 1, 0)
        .user(
            "writer",
            &[doc(json!(allow(
                "secretsmanager:PutResourcePolicy",
                &secret_arn("db")
            )))],
            json!({}),
        )
        .secret("db", json!({}))
        .secret("other", json!({}))
        .summary();
    let kinds = |user: &str| -> Vec<String> {
        summary.principals[&arn("user", user)]
            .escalations
            .iter()
            .map(|e| e.kind.clone())
            .collect()
    };
    assert_eq!(kinds("keymaker"), ["become_user"]);
    assert_eq!(kinds("deployer"), ["pass_role"]);
    assert_eq!(kinds("retruster"), ["update_trust"]);
    assert_eq!(kinds("versioner"), ["self_policy"]);
    assert_eq!(kinds("writer"), ["secret_policy"]);
    assert!(
        !summary.principals.contains_key(&arn("user", "half")),
        "no InvokeFunction: no route"
    );
    // admin, fn, keymaker, deployer, retruster, versioner, writer.
    assert_eq!(readers(&summary, "db"), (7, 0));
    assert_eq!(
        readers(&summary, "other"),
        (6, 0),
        "writer may rewrite db's policy only"
    );
}

/// A user that may add itself to groups gains what each group reads, within its own Denies;
/// the groups it can join are one route that counts them (a route per group grew with users
/// times groups).
#[test]
fn joining_groups_gains_each_groups_reads_through_one_route() {
    let summary = Account::new()
        .group("db-readers", &[doc(json!(allow(GET, &secret_arn("db"))))])
        .group("key-readers", &[doc(json!(allow(GET, &secret_arn("key"))))])
        .group("nothing", &[doc(json!(allow("s3:ListBucket", "*")))])
        .user(
            "joiner",
            &[doc(json!([
                allow("iam:AddUserToGroup", "*"),
                deny(GET, &secret_arn("key"))
            ]))],
            json!({}),
        )
        .user(
            "one-group",
            &[doc(json!(allow(
                "iam:AddUserToGroup",
                &arn("group", "db-readers")
            )))],
            json!({}),
        )
        .secret("db", json!({}))
        .secret("key", json!({}))
        .secret("other", json!({}))
        .summary();
    let route = |user: &str| {
        let escalations = &summary.principals[&arn("user", user)].escalations;
        assert_eq!(escalations.len(), 1, "{user}: {escalations:?}");
        (escalations[0].kind.clone(), escalations[0].target.clone())
    };
    assert_eq!(
        route("joiner"),
        ("join_group".into(), Some("3 groups".into()))
    );
    assert_eq!(
        route("one-group"),
        ("join_group".into(), Some(arn("group", "db-readers")))
    );
    assert_eq!(readers(&summary, "db"), (2, 0), "joiner and one-group");
    assert_eq!(readers(&summary, "key"), (0, 0), "joiner's own Deny holds");
    assert_eq!(readers(&summary, "other"), (0, 0));
}

// --- Administrative access --------------------------------------------------------------------

#[test]
fn admin_in_effect_is_every_action_and_iam_on_every_resource() {
    let power_user = doc(json!([
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"], "Resource": "*"},
    ]));
    let summary = Account::new()
        .user("star", &[doc(json!(allow("*", "*")))], json!({}))
        .user("not-resource", &[doc(json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::audit-logs/*"}))], json!({}))
        .user("not-action", &[doc(json!({"Effect": "Allow", "NotAction": "aws-portal:ViewBilling", "Resource": "*"}))], json!({}))
        .user("power", &[power_user], json!({}))
        .user("denied", &[doc(json!([allow("*", "*"), deny("iam:*", "*")]))], json!({}))
        .user("conditional", &[doc(json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"ec2:Region": "x"}}}))], json!({}))
        .summary();
    assert_eq!(admin(&summary, &arn("user", "star")), Some(Access::Allowed));
    assert_eq!(
        admin(&summary, &arn("user", "not-resource")),
        Some(Access::Allowed)
    );
    assert_eq!(
        admin(&summary, &arn("user", "not-action")),
        Some(Access::Allowed)
    );
    assert_eq!(admin(&summary, &arn("user", "power")), None);
    assert_eq!(admin(&summary, &arn("user", "denied")), None);
    assert_eq!(
        admin(&summary, &arn("user", "conditional")),
        Some(Access::Conditional)
    );
    let paths = &summary.principals[&arn("user", "star")]
        .admin
        .as_ref()
        .unwrap()
        .paths;
    assert_eq!(paths[0].policy, "star-0");
}

// --- Conditions on the secret and the principal -----------------------------------------------

#[test]
fn conditions_on_the_secret_are_judged_secret_by_secret() {
    let summary = Account::new()
        .user("ml", &[doc(json!({"Effect": "Allow", "Action": GET, "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "${aws:PrincipalTag/team}"}}}))], json!({"tags": {"team": "ml"}}))
        .user("eu", &[doc(json!({"Effect": "Allow", "Action": GET, "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}))], json!({}))
        .user("expired", &[doc(json!({"Effect": "Allow", "Action": GET, "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}))], json!({}))
        .user("office", &[doc(json!({"Effect": "Allow", "Action": GET, "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}))], json!({}))
        .user("own", &[doc(json!(allow(GET, "arn:aws:secretsmanager:*:*:secret:${aws:username}/*")))], json!({}))
        .secret("ml-key", json!({"tags": {"team": "ml"}}))
        .secret("web-key", json!({"tags": {"team": "web"}}))
        .secret("own/key", json!({}))
        .summary();
    assert_eq!(readers(&summary, "ml-key"), (2, 0), "ml and office");
    assert_eq!(
        readers(&summary, "web-key"),
        (1, 0),
        "office, from its network"
    );
    assert_eq!(readers(&summary, "own/key"), (2, 0), "office and own");
    let office = summary.principals[&arn("user", "office")]
        .every_secret
        .as_ref()
        .unwrap();
    assert_eq!(
        office.paths[0].conditions,
        ["aws:SourceIp IpAddress 203.0.113.0/24"]
    );
}

#[test]
fn a_document_aws_would_reject_is_named_and_its_holder_counts_as_a_conditional_reader() {
    let summary = Account::new()
        .user("broken", &[json!("{\"Statement\": [")], json!({}))
        .user(
            "permit",
            &[json!({"Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}})],
            json!({}),
        )
        .secret("db", json!({}))
        .summary();
    assert_eq!(
        readers(&summary, "db"),
        (0, 2),
        "never a silent allow, never a silent no"
    );
    let problems: Vec<(&str, &str)> = summary
        .unreadable_policies
        .iter()
        .map(|u| (u.policy.as_str(), u.problem.as_str()))
        .collect();
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0].0, "broken-0");
    assert!(problems[1].1.contains("unknown `Effect`"), "{problems:?}");
    assert_eq!(
        summary.unreadable_policies[0].attached_to,
        [arn("user", "broken")]
    );
}

/// Who can assume which role, as (holder, via, except) per role, in the order listed.
fn assumers(summary: &AccessSummary, role: &str) -> Vec<(String, String, Vec<String>)> {
    summary
        .assumers_of(&summary.principals[&arn("role", role)])
        .map(|g| (g.holder.clone(), g.via.clone(), g.except.clone()))
        .collect()
}

#[test]
fn a_group_that_may_assume_every_role_is_one_assumer_grant_shared_by_the_roles() {
    let account_trust = trust(json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}));
    let summary = Account::new()
        .group("ops", &[doc(json!(allow("sts:AssumeRole", "*")))])
        .user("alice", &[], json!({"groups": ["ops"]}))
        .user("carol", &[], json!({"groups": ["ops"]}))
        .user(
            "bob",
            &[doc(json!(deny("sts:AssumeRole", &arn("role", "admin"))))],
            json!({"groups": ["ops"]}),
        )
        .user("named", &[], json!({}))
        .role("deploy", account_trust.clone(), &[], json!({}))
        .role("build", account_trust, &[], json!({}))
        .role(
            "admin",
            doc(json!([
                {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": arn("user", "named")}, "Action": "sts:AssumeRole"},
                {"Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "sts:AssumeRole"},
            ])),
            &[],
            json!({}),
        )
        .summary();
    let group = arn("group", "ops");
    assert_eq!(
        assumers(&summary, "deploy"),
        [(group.clone(), "identity_policy".to_owned(), vec![])],
        "the group once, not its three members"
    );
    let deploy = &summary.principals[&arn("role", "deploy")];
    let ops = &summary.assumers[deploy.assumed_by[0]];
    assert_eq!(ops.members, Some(3));
    assert_eq!(ops.paths[0].attached_to, group);
    assert_eq!(
        deploy.trust.len(),
        1,
        "the trust statement naming the account"
    );
    assert!(deploy.assumed_by_outside.is_empty());
    let admin = assumers(&summary, "admin");
    assert!(
        admin.contains(&(
            group.clone(),
            "identity_policy".to_owned(),
            vec![arn("user", "bob")]
        )),
        "bob's Deny makes him an exception: {admin:?}"
    );
    assert!(admin.contains(&(arn("user", "named"), "trust_policy".to_owned(), vec![])));
    let admin = &summary.principals[&arn("role", "admin")];
    assert_eq!(
        admin
            .assumed_by_outside
            .iter()
            .map(|a| (a.principal.as_str(), a.scope.as_str()))
            .collect::<Vec<_>>(),
        [(PARTNER, "other_account")],
        "the account itself is not listed as an outsider"
    );
    // Roles the group reaches alike refer to one entry.
    assert_eq!(
        summary.principals[&arn("role", "build")].assumed_by,
        deploy.assumed_by
    );
    assert_eq!(summary.assumers.len(), 3, "ops, ops but bob, named");
}

/// Shared out over threads, the principals' grants come out as on one thread, and equal sets
/// made on different threads are one allocation.
#[test]
fn the_analysis_on_several_threads_is_the_analysis_on_one() {
    use std::collections::HashSet;
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::analysis::Analysis;
    use super::bits::TriBits;
    use super::engine::Engine;
    use super::store::Store;
    use super::summary::of_analysis;
    use crate::synthetic::{Profile, Shape, generate};

    let as_of = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    for profile in [Profile::FindingHeavy, Profile::MostlyCompliant] {
        let snapshot = generate(&Shape::new(120, 80, profile, as_of));
        let store = Store::new(&snapshot, as_of);
        assert!(store.principals.len() > 100, "{profile:?}");
        let [one, three] = [1, 3].map(|workers| {
            let engine = Engine::new(&store);
            let analysis = Analysis::run_on(&engine, workers);
            let distinct =
                |sets: &[Arc<TriBits>]| sets.iter().map(Arc::as_ptr).collect::<HashSet<_>>().len();
            let shared = (distinct(&analysis.direct), distinct(&analysis.assume));
            (of_analysis(&analysis), shared)
        });
        assert_eq!(one, three, "{profile:?}");
    }
}
