//! Reading the access data of a version 6 JSON report, whose roles listed under `assumed_by`
//! every principal that can assume them (the account's own too, each with its statements), into
//! the form of version 7: the account's own principals as grants listed once in `assumers` and
//! referred to by index, the trust statements under the role's `trust`, everyone else under
//! `assumed_by_outside`. A version 7 report reads through here unchanged.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use super::access::{
    AccessBasis, AccessSummary, Assumer, EverySecret, HolderGrant, OutsideReader, PolicyPath,
    PrincipalAccess, SecretAccess, UnreadablePolicy,
};

impl<'de> Deserialize<'de> for AccessSummary {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        StoredSummary::deserialize(deserializer)?
            .into_summary()
            .map_err(serde::de::Error::custom)
    }
}

/// `AccessSummary` as either version stores it: the principals are converted one by one.
#[derive(Deserialize)]
struct StoredSummary {
    basis: AccessBasis,
    #[serde(default)]
    principals: BTreeMap<String, Value>,
    #[serde(default)]
    secrets: BTreeMap<String, SecretAccess>,
    #[serde(default)]
    grants: Vec<HolderGrant>,
    #[serde(default)]
    outside: Vec<OutsideReader>,
    #[serde(default)]
    assumers: Vec<HolderGrant>,
    #[serde(default)]
    every_secret: EverySecret,
    #[serde(default)]
    unreadable_policies: Vec<UnreadablePolicy>,
}

impl StoredSummary {
    /// The summary, or what is wrong with which principal's entry.
    fn into_summary(self) -> Result<AccessSummary, String> {
        let mut assumers = Assumers::new(self.assumers);
        let mut principals = BTreeMap::new();
        for (arn, mut value) in self.principals {
            let principal = assumers
                .migrate(&mut value)
                .and_then(|()| serde_json::from_value::<PrincipalAccess>(value))
                .map_err(|e| format!("access.principals[\"{arn}\"]: {e}"))?;
            principals.insert(arn, principal);
        }
        Ok(AccessSummary {
            basis: self.basis,
            principals,
            secrets: self.secrets,
            grants: self.grants,
            outside: self.outside,
            assumers: assumers.table,
            every_secret: self.every_secret,
            unreadable_policies: self.unreadable_policies,
        })
    }
}

/// The assumer table being filled, each grant once.
struct Assumers {
    table: Vec<HolderGrant>,
    index: HashMap<HolderGrant, usize>,
}

impl Assumers {
    fn new(table: Vec<HolderGrant>) -> Assumers {
        let index = table.iter().cloned().zip(0..).collect();
        Assumers { table, index }
    }

    fn add(&mut self, grant: HolderGrant) -> usize {
        if let Some(&i) = self.index.get(&grant) {
            return i;
        }
        self.table.push(grant.clone());
        self.index.insert(grant, self.table.len() - 1);
        self.table.len() - 1
    }

    /// Rewrites a principal's version 6 `assumed_by` (objects) in place; indices are left as
    /// they are.
    fn migrate(&mut self, principal: &mut Value) -> Result<(), serde_json::Error> {
        let Some(Value::Array(entries)) = principal.get("assumed_by") else {
            return Ok(());
        };
        if !entries.iter().any(Value::is_object) {
            return Ok(());
        }
        let old: Vec<Assumer> = serde_json::from_value(Value::Array(entries.clone()))?;
        let mut indices = Vec::new();
        let mut trust: Vec<PolicyPath> = Vec::new();
        let mut outside = Vec::new();
        for assumer in old {
            if assumer.scope != "account" {
                outside.push(assumer);
                continue;
            }
            let (trust_paths, identity_paths): (Vec<PolicyPath>, Vec<PolicyPath>) = assumer
                .paths
                .into_iter()
                .partition(|p| p.policy == "trust policy");
            let via = if identity_paths.is_empty() {
                "trust_policy"
            } else {
                for path in &trust_paths {
                    if !trust.contains(path) {
                        trust.push(path.clone());
                    }
                }
                "identity_policy"
            };
            indices.push(self.add(HolderGrant {
                holder_kind: holder_kind(&assumer.principal).to_owned(),
                holder: assumer.principal,
                members: None,
                via: via.to_owned(),
                access: assumer.access,
                paths: if identity_paths.is_empty() {
                    trust_paths
                } else {
                    identity_paths
                },
                except: Vec::new(),
            }));
        }
        indices.sort_unstable();
        indices.dedup();
        let object = principal
            .as_object_mut()
            .expect("a principal with assumed_by is an object");
        object.insert("assumed_by".to_owned(), serde_json::to_value(indices)?);
        object.insert("trust".to_owned(), serde_json::to_value(trust)?);
        object.insert(
            "assumed_by_outside".to_owned(),
            serde_json::to_value(outside)?,
        );
        Ok(())
    }
}

/// `user` or `role`, from an IAM ARN (`arn:aws:iam::<account>:user/<path/name>`).
fn holder_kind(arn: &str) -> &'static str {
    if arn.contains(":user/") {
        "user"
    } else {
        "role"
    }
}

#[cfg(test)]
mod tests {
    use super::super::access::Access;
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";

    fn path(policy: &str, attached_to: &str) -> Value {
        serde_json::json!({"policy": policy, "attached_to": attached_to, "statement": "#1"})
    }

    fn account_assumer(principal: &str, paths: Vec<Value>) -> Value {
        serde_json::json!({"principal": principal, "scope": "account", "access": "allowed", "paths": paths})
    }

    /// The access data of a version 6 report: the role lists each of the account's users that can
    /// assume it, with the trust statement and the user's own statement, and an outside account.
    fn version_6() -> Value {
        let alice = "arn:aws:iam::123456789012:user/alice";
        let named = "arn:aws:iam::123456789012:user/named";
        let role = serde_json::json!({
            "kind": "role", "name": "deploy", "readable_secrets": 0,
            "conditionally_readable_secrets": 0,
            "assumed_by": [
                account_assumer(alice, vec![path("trust policy", ROLE), path("ops", alice)]),
                account_assumer(named, vec![path("trust policy", ROLE)]),
                {"principal": "999988887777", "scope": "other_account", "access": "allowed",
                 "paths": [path("trust policy", ROLE)]},
            ],
        });
        serde_json::json!({
            "basis": {"service_control_policies": "not_collected",
                      "resource_control_policies": "not_collected"},
            "principals": {ROLE: role},
        })
    }

    #[test]
    fn a_version_6_role_lists_its_assumers_as_grants_of_the_table() {
        let summary: AccessSummary = serde_json::from_value(version_6()).unwrap();
        let role = &summary.principals[ROLE];
        let grants: Vec<(&str, &str, &str, Access)> = summary
            .assumers_of(role)
            .map(|g| {
                (
                    g.holder.as_str(),
                    g.holder_kind.as_str(),
                    g.via.as_str(),
                    g.access,
                )
            })
            .collect();
        assert_eq!(
            grants,
            [
                (
                    "arn:aws:iam::123456789012:user/alice",
                    "user",
                    "identity_policy",
                    Access::Allowed
                ),
                (
                    "arn:aws:iam::123456789012:user/named",
                    "user",
                    "trust_policy",
                    Access::Allowed
                ),
            ]
        );
        assert_eq!(summary.assumers[role.assumed_by[0]].paths[0].policy, "ops");
        assert_eq!(
            summary.assumers[role.assumed_by[1]].paths[0].policy,
            "trust policy"
        );
        assert_eq!(
            role.trust.len(),
            1,
            "the trust statement alice's route rests on"
        );
        assert_eq!(role.assumed_by_outside.len(), 1);
        assert_eq!(role.assumed_by_outside[0].scope, "other_account");
    }

    #[test]
    fn a_version_7_summary_reads_back_as_written() {
        let summary: AccessSummary = serde_json::from_value(version_6()).unwrap();
        let written = serde_json::to_value(&summary).unwrap();
        assert!(written["principals"][ROLE]["assumed_by"][0].is_u64());
        let read: AccessSummary = serde_json::from_value(written).unwrap();
        assert_eq!(read, summary);
    }

    #[test]
    fn a_malformed_assumer_names_its_role() {
        let mut access = version_6();
        access["principals"][ROLE]["assumed_by"][0]["principal"] = serde_json::json!(3);
        let error = serde_json::from_value::<AccessSummary>(access).unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("access.principals[\"{ROLE}\"]")),
            "{error}"
        );
    }
}
