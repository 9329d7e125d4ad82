//! A JSON snapshot read a part at a time, so that a large one is never whole in memory: users,
//! roles and secrets are nearly all of a large account (a snapshot of 334,000 users is about
//! 200 MB of JSON and several times that as typed values). The rest of the snapshot, the
//! *header* (account, root, password policy, groups, managed policies, collection errors), is
//! read first and held; the three lists are then read again from the file, a chunk of elements
//! at a time, each chunk checked as `parse` checks a whole snapshot before it is handed on.

use std::io::Read;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use super::detective::Detective;
use super::model::{
    Account, CollectionError, Collector, Group, ManagedPolicy, Organization, PasswordPolicy, Role,
    RootUser, Secret, Snapshot, TerraformPlan, Timestamp, User,
};

/// Some of the users, roles and secrets of a snapshot (a chunk holds elements of one list, the
/// others empty, when it comes from a file).
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub users: &'a [User],
    pub roles: &'a [Role],
    pub secrets: &'a [Secret],
}

impl<'a> Chunk<'a> {
    /// A snapshot's lists, `size` elements at a time: users first, then roles, then secrets.
    pub fn all_of(snapshot: &'a Snapshot, size: usize) -> impl Iterator<Item = Chunk<'a>> {
        let size = size.max(1);
        let users = snapshot.users.chunks(size).map(User::chunk);
        let roles = snapshot.roles.chunks(size).map(Role::chunk);
        let secrets = snapshot.secrets.chunks(size).map(Secret::chunk);
        users.chain(roles).chain(secrets)
    }

    /// All of a snapshot's lists at once.
    pub fn whole(snapshot: &'a Snapshot) -> Chunk<'a> {
        Chunk {
            users: &snapshot.users,
            roles: &snapshot.roles,
            secrets: &snapshot.secrets,
        }
    }

    pub const EMPTY: Chunk<'static> = Chunk {
        users: &[],
        roles: &[],
        secrets: &[],
    };
}

/// Reads everything but the users, roles and secrets (they are skipped, not built).
pub fn read_header(reader: impl Read) -> Result<Snapshot, serde_json::Error> {
    let header: Header = serde_json::from_reader(reader)?;
    Ok(header.into())
}

/// Why reading the lists stopped: the file is not what `parse` accepts (malformed JSON, or a
/// chunk that `parse` would refuse), or the caller's function failed.
#[derive(Debug)]
pub enum ListsError<E> {
    Refused,
    Each(E),
}

/// What a chunk's check found (the reading stops either way).
enum Stop<E> {
    Invalid,
    Each(E),
}

/// Reads the users, roles and secrets, handing them to `each` a chunk of at most `size` at a
/// time, in the file's order; everything else in the file is skipped. Each chunk is first
/// checked as `parse` checks a snapshot (policy documents, time range) in a snapshot made of
/// `header`'s account and collection and the chunk alone: one outside them stops the reading
/// with `ListsError::Invalid` (the caller reads the file whole for the exact message and line).
/// Stops at the first error.
pub fn read_lists<E>(
    reader: impl Read,
    size: usize,
    header: &Snapshot,
    mut each: impl FnMut(Chunk<'_>) -> Result<(), E>,
) -> Result<(), ListsError<E>> {
    let mut failure = None;
    let template = Snapshot {
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        secrets: Vec::new(),
        root: None,
        password_policy: None,
        organization: None,
        detective: None,
        collection_errors: Vec::new(),
        terraform: None,
        ..header.clone()
    };
    let visitor = ListsVisitor {
        size: size.max(1),
        template: &template,
        each: &mut each,
        failure: &mut failure,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let read = serde::Deserializer::deserialize_map(&mut deserializer, visitor)
        .and_then(|()| deserializer.end());
    match (failure, read) {
        (Some(Stop::Each(error)), _) => Err(ListsError::Each(error)),
        (Some(Stop::Invalid), _) | (None, Err(_)) => Err(ListsError::Refused),
        (None, Ok(())) => Ok(()),
    }
}

/// The snapshot without its three large lists, which are skipped. Its fields and their serde
/// attributes are `Snapshot`'s; `From<Header>` names every field of `Snapshot`, so a field added
/// there stops the build here until it is added too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(expecting = "a keyward snapshot")]
struct Header {
    schema_version: u32,
    collected_at: Timestamp,
    collector: Collector,
    account: Account,
    #[serde(default)]
    root: Option<RootUser>,
    #[serde(default)]
    password_policy: Option<PasswordPolicy>,
    #[serde(default)]
    users: Skipped,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    roles: Skipped,
    #[serde(default)]
    policies: Vec<ManagedPolicy>,
    #[serde(default)]
    secrets: Skipped,
    #[serde(default)]
    organization: Option<Organization>,
    #[serde(default)]
    detective: Option<Detective>,
    #[serde(default)]
    collection_errors: Vec<CollectionError>,
    #[serde(default)]
    terraform: Option<TerraformPlan>,
}

impl From<Header> for Snapshot {
    fn from(header: Header) -> Snapshot {
        let Header {
            schema_version,
            collected_at,
            collector,
            account,
            root,
            password_policy,
            users: Skipped,
            groups,
            roles: Skipped,
            policies,
            secrets: Skipped,
            organization,
            detective,
            collection_errors,
            terraform,
        } = header;
        Snapshot {
            schema_version,
            collected_at,
            collector,
            account,
            root,
            password_policy,
            users: Vec::new(),
            groups,
            roles: Vec::new(),
            policies,
            secrets: Vec::new(),
            organization,
            detective,
            collection_errors,
            terraform,
        }
    }
}

/// A value read over and dropped (the second pass reads and checks it).
#[derive(Default)]
struct Skipped;

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Skipped)
    }
}

/// The top-level object of the second pass: the three lists read in chunks, the rest skipped.
struct ListsVisitor<'f, F, E> {
    size: usize,
    template: &'f Snapshot,
    each: &'f mut F,
    failure: &'f mut Option<Stop<E>>,
}

impl<'de, F, E> Visitor<'de> for ListsVisitor<'_, F, E>
where
    F: FnMut(Chunk<'_>) -> Result<(), E>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a keyward snapshot")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ListsVisitor {
            size,
            template,
            each,
            failure,
        } = self;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "users" => map.next_value_seed(ListSeed::<F, E, User> {
                    size,
                    template,
                    each: &mut *each,
                    failure: &mut *failure,
                    element: PhantomData,
                })?,
                "roles" => map.next_value_seed(ListSeed::<F, E, Role> {
                    size,
                    template,
                    each: &mut *each,
                    failure: &mut *failure,
                    element: PhantomData,
                })?,
                "secrets" => map.next_value_seed(ListSeed::<F, E, Secret> {
                    size,
                    template,
                    each: &mut *each,
                    failure: &mut *failure,
                    element: PhantomData,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Users, roles or secrets: one of the lists read in chunks.
trait Listed: DeserializeOwned + Sized {
    /// A snapshot of `template`'s account and collection holding `items` in this list.
    fn into_part(items: Vec<Self>, template: &Snapshot) -> Snapshot;
    /// The items of a part made by `into_part`.
    fn out_of_part(part: Snapshot) -> Vec<Self>;
    fn chunk(items: &[Self]) -> Chunk<'_>;
}

/// `Listed` for the type of one of the snapshot's lists, named by its field.
macro_rules! listed {
    ($item:ty, $field:ident) => {
        impl Listed for $item {
            fn into_part($field: Vec<$item>, template: &Snapshot) -> Snapshot {
                Snapshot {
                    $field,
                    ..template.clone()
                }
            }
            fn out_of_part(part: Snapshot) -> Vec<$item> {
                part.$field
            }
            fn chunk($field: &[$item]) -> Chunk<'_> {
                Chunk {
                    $field,
                    ..Chunk::EMPTY
                }
            }
        }
    };
}

listed!(User, users);
listed!(Role, roles);
listed!(Secret, secrets);

/// Whether a part holds nothing `parse` would refuse: its policy documents follow the grammar
/// AWS returns and its timestamps are in range.
fn part_is_valid(part: &Snapshot) -> bool {
    super::policy_document::first_malformed_document(part).is_none()
        && super::time_range::first_time_out_of_range(part).is_none()
}

/// One list, read element by element, checked and handed on a chunk at a time.
struct ListSeed<'f, F, E, T> {
    size: usize,
    template: &'f Snapshot,
    each: &'f mut F,
    failure: &'f mut Option<Stop<E>>,
    element: PhantomData<T>,
}

impl<'de, F, E, T> DeserializeSeed<'de> for ListSeed<'_, F, E, T>
where
    F: FnMut(Chunk<'_>) -> Result<(), E>,
    T: Listed,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F, E, T> Visitor<'de> for ListSeed<'_, F, E, T>
where
    F: FnMut(Chunk<'_>) -> Result<(), E>,
    T: Listed,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut chunk: Vec<T> = Vec::with_capacity(self.size);
        loop {
            let element = seq.next_element::<T>()?;
            let last = element.is_none();
            chunk.extend(element);
            if chunk.len() == self.size || (last && !chunk.is_empty()) {
                let part = T::into_part(std::mem::take(&mut chunk), self.template);
                if !part_is_valid(&part) {
                    *self.failure = Some(Stop::Invalid);
                    return Err(de::Error::custom("a chunk that parse refuses"));
                }
                chunk = T::out_of_part(part);
                if let Err(error) = (self.each)(T::chunk(&chunk)) {
                    *self.failure = Some(Stop::Each(error));
                    return Err(de::Error::custom("stopped by the caller"));
                }
                chunk.clear();
            }
            if last {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> (String, Snapshot) {
        let text = include_str!("../../fixtures/incident.json").to_owned();
        let snapshot = serde_json::from_str(&text).unwrap();
        (text, snapshot)
    }

    fn names(chunk: &Chunk) -> Vec<String> {
        let users = chunk.users.iter().map(|u| u.arn.clone());
        let roles = chunk.roles.iter().map(|r| r.arn.clone());
        let secrets = chunk.secrets.iter().map(|s| s.arn.clone());
        users.chain(roles).chain(secrets).collect()
    }

    #[test]
    fn the_header_is_the_snapshot_without_its_lists() {
        let (text, whole) = incident();
        let header = read_header(text.as_bytes()).unwrap();
        let mut expected = whole.clone();
        expected.users.clear();
        expected.roles.clear();
        expected.secrets.clear();
        assert_eq!(
            serde_json::to_value(&header).unwrap(),
            serde_json::to_value(&expected).unwrap()
        );
        assert!(!whole.users.is_empty() && !whole.secrets.is_empty());
    }

    #[test]
    fn the_lists_come_in_chunks_in_the_files_order() {
        let (text, whole) = incident();
        for size in [1, 2, 1000] {
            let mut read = Vec::new();
            read_lists(text.as_bytes(), size, &whole, |chunk| {
                assert!(names(&chunk).len() <= size);
                read.push(names(&chunk));
                Ok::<_, ()>(())
            })
            .unwrap();
            let expected: Vec<Vec<String>> =
                Chunk::all_of(&whole, size).map(|c| names(&c)).collect();
            assert_eq!(read, expected, "chunks of {size}");
        }
    }

    #[test]
    fn an_error_of_the_caller_stops_the_reading() {
        let (text, whole) = incident();
        let mut calls = 0;
        let result = read_lists(text.as_bytes(), 1, &whole, |_| {
            calls += 1;
            Err("enough")
        });
        assert!(matches!(result, Err(ListsError::Each("enough"))));
        assert_eq!(calls, 1);
    }

    /// A chunk `parse` would refuse (a timestamp out of range, a policy document outside
    /// AWS's grammar) stops the reading before it is handed on, as malformed JSON does.
    #[test]
    fn a_chunk_that_parse_refuses_is_never_handed_on() {
        let (text, whole) = incident();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["secrets"][0]["created"] = "1066-10-14T00:00:00Z".into();
        let late = value.to_string();
        value = serde_json::from_str(&text).unwrap();
        value["users"][0]["inline_policies"] = serde_json::json!([{"name": "p", "document": {"Statement": [{"Effect": "Allow", "Action": 7}]}}]);
        let odd = value.to_string();
        let broken = text.replace("\"users\": [", "\"users\": [}");
        // (text, which list holds what is refused)
        for (text, refused) in [(late, "secrets"), (odd, "users"), (broken, "users")] {
            let mut handed = Vec::new();
            let result = read_lists(text.as_bytes(), 1000, &whole, |chunk| {
                handed.extend(
                    [
                        ("users", chunk.users.len()),
                        ("roles", chunk.roles.len()),
                        ("secrets", chunk.secrets.len()),
                    ]
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(list, _)| list),
                );
                Ok::<_, ()>(())
            });
            assert!(matches!(result, Err(ListsError::Refused)), "{refused}");
            assert!(!handed.contains(&refused), "{refused}: {handed:?}");
        }
    }
}
