//! The effective access of a snapshot read a chunk at a time (`SnapshotSource`). The model
//! needs every user, role and secret at once (who can read a secret depends on every principal),
//! but of each only what decides access: names, ARNs, groups, policies, boundaries, tags,
//! resource policies, deletion. Access keys, MFA devices, console passwords and rotation, most
//! of a large account's users and secrets, are left out while the file is read.

use chrono::{DateTime, Utc};

use super::store::Store;
use super::summary::{of_store, summarize};
use crate::model::access::AccessSummary;
use crate::snapshot::{ChunkError, Secret, Snapshot, SnapshotError, SnapshotSource, User};

/// Users, roles or secrets gathered per chunk while a file is read.
const CHUNK_SIZE: usize = 5_000;

/// The effective access of a snapshot as of a time, its file read once more when it is one
/// (what is gathered from it is let go once the model's store holds what it needs).
pub fn summarize_source(
    source: &SnapshotSource,
    as_of: DateTime<Utc>,
) -> Result<AccessSummary, SnapshotError> {
    Ok(match source {
        SnapshotSource::Whole(snapshot) => summarize(snapshot, as_of),
        SnapshotSource::File { .. } => {
            // The gathered snapshot is dropped at the end of this statement.
            let store = Store::new(&gather(source)?, as_of);
            of_store(&store)
        }
    })
}

/// The header with what the access model reads of every user, role and secret.
fn gather(source: &SnapshotSource) -> Result<Snapshot, SnapshotError> {
    let mut snapshot = source.header().clone();
    source
        .for_each_chunk(CHUNK_SIZE, |chunk| {
            snapshot
                .users
                .extend(chunk.users.iter().map(access_part_of_user));
            snapshot.roles.extend_from_slice(chunk.roles);
            snapshot
                .secrets
                .extend(chunk.secrets.iter().map(access_part_of_secret));
            Ok::<(), std::convert::Infallible>(())
        })
        .map_err(|e| match e {
            ChunkError::Snapshot(e) => e,
            ChunkError::Each(never) => match never {},
        })?;
    Ok(snapshot)
}

/// A user as the access model sees it: no credentials.
fn access_part_of_user(user: &User) -> User {
    User {
        name: user.name.clone(),
        arn: user.arn.clone(),
        created: user.created,
        password: None,
        mfa_active: user.mfa_active,
        mfa_devices: Vec::new(),
        access_keys: Vec::new(),
        groups: user.groups.clone(),
        attached_policies: user.attached_policies.clone(),
        inline_policies: user.inline_policies.clone(),
        permissions_boundary: user.permissions_boundary.clone(),
        tags: user.tags.clone(),
    }
}

/// A secret as the access model sees it: no description, dates of use or rotation.
fn access_part_of_secret(secret: &Secret) -> Secret {
    Secret {
        arn: secret.arn.clone(),
        name: secret.name.clone(),
        region: secret.region.clone(),
        description: None,
        created: None,
        last_changed: None,
        last_accessed: None,
        rotation: Default::default(),
        kms_key_id: None,
        owning_service: None,
        tags: secret.tags.clone(),
        resource_policy: secret.resource_policy.clone(),
        deleted_date: secret.deleted_date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Profile, Shape, generate};

    /// The summary of a snapshot read from its file, as the model sees its users and secrets,
    /// is the summary of the snapshot whole.
    #[test]
    fn a_snapshot_file_read_in_chunks_has_the_access_of_the_whole_snapshot() {
        let as_of = "2026-11-23T00:00:00Z".parse().unwrap();
        for profile in Profile::ALL {
            let snapshot = generate(&Shape::new(300, 300, profile, as_of));
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("account.json");
            std::fs::write(&path, crate::snapshot::to_json(&snapshot)).unwrap();
            let source = SnapshotSource::open(&path).unwrap();
            assert!(matches!(source, SnapshotSource::File { .. }));
            let from_file = summarize_source(&source, as_of).unwrap();
            assert_eq!(from_file, summarize(&snapshot, as_of), "{profile:?}");
            assert!(!from_file.principals.is_empty() && !from_file.secrets.is_empty());
        }
    }
}
