//! Every reader of chosen secrets, principal by principal, each with its route (what
//! `keyward access` shows). This is the one place that walks principals for a secret: it runs
//! only for the secrets asked for, after the whole-account analysis.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::analysis::Analysis;
use super::bits::Tri;
use super::catalog::{Act, Target};
use super::document::{Effect, PrincipalRef};
use super::engine::Engine;
use super::store::Store;
use super::summary::{self, access, path};
use crate::model::access::{Escalation, PolicyPath, Reader, SecretReaders};
use crate::snapshot::{Secret, Snapshot};

/// The readers of the snapshot's secrets for which `wanted` holds, handed to `visit` one secret
/// at a time (in the snapshot's order), so that a caller that writes them out holds one
/// secret's readers at a time: a key that hundreds of principals read, in an account of
/// thousands of keys, lists hundreds of thousands of readers. Stops at `visit`'s first error.
pub fn each<E>(
    snapshot: &Snapshot,
    as_of: DateTime<Utc>,
    wanted: &dyn Fn(&Secret) -> bool,
    mut visit: impl FnMut(SecretReaders) -> Result<(), E>,
) -> Result<(), E> {
    let store = Store::new(snapshot, as_of);
    let engine = Engine::new(&store);
    let analysis = Analysis::run(&engine);
    let summary = summary::of_analysis(&analysis);
    let chosen = snapshot
        .secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| wanted(s));
    for (i, secret) in chosen {
        let reach = &summary.secrets[&secret.arn];
        let mut readers: Vec<Reader> = (0..store.principals.len())
            .filter_map(|p| reader(&analysis, p, i))
            .collect();
        readers.sort_by(|a, b| (a.access, &a.principal).cmp(&(b.access, &b.principal)));
        visit(SecretReaders {
            secret: secret.arn.clone(),
            name: secret.name.clone(),
            region: secret.region.clone(),
            scheduled_for_deletion: reach.scheduled_for_deletion,
            public: reach.public,
            outside_account: reach.outside_account,
            readers,
            outside: summary.outside_of(reach).cloned().collect(),
        })?;
    }
    Ok(())
}

/// Principal `p` as a reader of secret `i`, if it is one.
fn reader(analysis: &Analysis, p: usize, i: usize) -> Option<Reader> {
    let store = analysis.store();
    let access = access(analysis.reads[p].get(i))?;
    let principal = &store.principals[p];
    let mut reader = Reader {
        principal: principal.arn().to_owned(),
        kind: if principal.is_user() { "user" } else { "role" }.to_owned(),
        access,
        via: String::new(),
        chain: Vec::new(),
        paths: Vec::new(),
        escalations: Vec::new(),
    };
    let (via, chain) = match reads_itself(analysis, p, i) {
        Some(via) => (via, vec![p]),
        None => {
            let chain = chain_to_reader(analysis, p, i)?;
            let through_roles = chain
                .windows(2)
                .all(|hop| analysis.edges(hop[0]).any(|e| e.to == hop[1] && e.assume));
            (if through_roles { "role" } else { "escalation" }, chain)
        }
    };
    let last = *chain.last()?;
    reader.via = via.to_owned();
    reader.chain = chain[1..]
        .iter()
        .map(|&q| store.principals[q].arn().to_owned())
        .collect();
    if analysis.direct[last].get(i) != Tri::No {
        reader.paths = direct_paths(analysis, last, i);
        if reader.chain.is_empty()
            && reader
                .paths
                .iter()
                .all(|path| path.attached_to == store.secret_universe.arn(i))
        {
            reader.via = "resource_policy".to_owned();
        }
    } else {
        reader.escalations = own_escalations(analysis, last);
    }
    Some(reader)
}

/// How principal `p` reads secret `i` without acting as anyone else.
fn reads_itself(analysis: &Analysis, p: usize, i: usize) -> Option<&'static str> {
    if analysis.direct[p].get(i) != Tri::No {
        Some("identity_policy")
    } else if analysis.escalations[p].own_reads.get(i) != Tri::No {
        Some("escalation")
    } else {
        None
    }
}

/// The shortest chain of principals from `p` to one that reads secret `i` itself.
fn chain_to_reader(analysis: &Analysis, p: usize, i: usize) -> Option<Vec<usize>> {
    let n = analysis.reads.len();
    let mut came_from: Vec<Option<usize>> = vec![None; n];
    let mut seen = vec![false; n];
    seen[p] = true;
    let mut queue = VecDeque::from([p]);
    while let Some(q) = queue.pop_front() {
        if q != p && reads_itself(analysis, q, i).is_some() {
            let mut chain = vec![q];
            let mut at = q;
            while let Some(previous) = came_from[at] {
                chain.push(previous);
                at = previous;
            }
            chain.reverse();
            return Some(chain);
        }
        for edge in analysis.edges(q) {
            if !seen[edge.to] {
                seen[edge.to] = true;
                came_from[edge.to] = Some(q);
                queue.push_back(edge.to);
            }
        }
    }
    None
}

/// The statements through which principal `p` reads secret `i`: its identity policies' and the
/// secret's resource policy's.
fn direct_paths(analysis: &Analysis, p: usize, i: usize) -> Vec<PolicyPath> {
    let store = analysis.store();
    let engine = analysis.engine;
    let principal = &store.principals[p];
    let mut paths: Vec<PolicyPath> = principal
        .identity
        .iter()
        .flat_map(|&(id, holder)| {
            store.policies[id]
                .statements
                .iter()
                .map(move |&s| (s, holder))
        })
        .filter(|&(s, _)| {
            let stmt = store.stmt(s);
            stmt.effect() == Effect::Allow
                && stmt.covers(Act::GetSecretValue)
                && engine.scalar(s, p) != Tri::No
                && engine.resource_bits(s, Target::Secret, p).get(i) != Tri::No
        })
        .map(|(s, holder)| path(store, s, &store.holders[holder].arn))
        .collect();
    if let Some(policy) = store.secrets[i].policy {
        let secret = store.secret_universe.arn(i);
        for &s in &store.policies[policy].statements {
            let stmt = store.stmt(s);
            let names = stmt.statement.principals.as_ref().is_some_and(|set| {
                !set.negated
                    && set.entries.iter().any(|e| {
                        *e == PrincipalRef::Anyone
                            || matches!(e, PrincipalRef::Arn(arn) if arn == principal.arn())
                    })
            });
            if stmt.effect() == Effect::Allow && stmt.covers(Act::GetSecretValue) && names {
                paths.push(path(store, s, secret));
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// The routes by which principal `p` gives itself reads (not those that make it someone else).
fn own_escalations(analysis: &Analysis, p: usize) -> Vec<Escalation> {
    analysis.escalations[p]
        .routes
        .iter()
        .filter(|r| matches!(r.kind, "self_policy" | "join_group" | "secret_policy"))
        .filter_map(|r| {
            Some(Escalation {
                kind: r.kind.to_owned(),
                actions: r.actions.iter().map(|a| a.display()).collect(),
                target: r.target.clone(),
                access: access(r.access)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot(value: serde_json::Value) -> Snapshot {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn each_reader_comes_with_its_route() {
        let account = "123456789012";
        let arn = |kind: &str, name: &str| format!("arn:aws:iam::{account}:{kind}/{name}");
        let secret =
            format!("arn:aws:secretsmanager:us-east-1:{account}:secret:prod/openai-AbCdEf");
        let read = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret}});
        let s = snapshot(json!({
            "schema_version": 2, "collected_at": "2026-05-10T00:00:00Z",
            "collector": {"tool": "test", "version": "0", "regions": ["us-east-1"]},
            "account": {"id": account},
            "users": [
                {"name": "dev", "arn": arn("user", "dev"), "created": "2025-01-01T00:00:00Z", "mfa_active": false,
                 "inline_policies": [{"name": "hop", "document": {"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("role", "app")}}}]},
                {"name": "self", "arn": arn("user", "self"), "created": "2025-01-01T00:00:00Z", "mfa_active": false,
                 "inline_policies": [{"name": "grow", "document": {"Statement": {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn("user", "self")}}}]},
            ],
            "roles": [{"name": "app", "arn": arn("role", "app"),
                "assume_role_policy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": account}, "Action": "sts:AssumeRole"}},
                "inline_policies": [{"name": "read", "document": read}]}],
            "secrets": [{"arn": secret, "name": "prod/openai", "region": "us-east-1", "rotation": {"enabled": false},
                "resource_policy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}}}],
        }));
        let mut listed = Vec::new();
        let as_of = "2026-05-10T00:00:00Z".parse().unwrap();
        each(&s, as_of, &|_| true, |secret| {
            listed.push(secret);
            Ok::<_, ()>(())
        })
        .unwrap();
        let readers = &listed[0].readers;
        let route = |who: &str| readers.iter().find(|r| r.principal == who).unwrap();
        assert_eq!(route(&arn("role", "app")).via, "identity_policy");
        assert_eq!(route(&arn("role", "app")).paths[0].policy, "read");
        let dev = route(&arn("user", "dev"));
        assert_eq!(
            (dev.via.as_str(), dev.chain.clone()),
            ("role", vec![arn("role", "app")])
        );
        let grower = route(&arn("user", "self"));
        assert_eq!(grower.via, "escalation");
        assert_eq!(grower.escalations[0].actions, ["iam:PutUserPolicy"]);
        assert_eq!(listed[0].outside[0].accounts, ["999988887777"]);
        assert!(listed[0].outside_account && !listed[0].public);
    }
}
