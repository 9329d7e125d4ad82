//! The names facts and their resolution share: a kind of principal, a secret by region and
//! name.

/// The kind of principal a policy is attached to or embedded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    User,
    Group,
    Role,
}

impl PrincipalKind {
    pub fn name(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        }
    }
}

/// A secret, by region and name (its ARN's random suffix is unknown until it exists).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretId {
    pub region: String,
    pub name: String,
}
