//! What each IAM and Secrets Manager resource of a plan says about the account, as facts
//! ("user alice exists", "role app has policy X attached", "secret db rotates every 30 days"),
//! each with a key. Facts of the state before a plan and after it are compared key by key, so
//! that a plan can be applied to a live account: what it removes is taken out, what it adds or
//! changes is put in, and everything it does not manage stays as the account has it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::snapshot::{DataSection, KeyStatus, PasswordPolicy, PlannedResource, RotationRules};

use super::instances::Instance;
use super::names::{PrincipalKind, SecretId};
use super::resolve::Context;

/// One fact about the account a resource states.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    PasswordPolicy(PasswordPolicy),
    User {
        name: String,
        arn: String,
        tags: BTreeMap<String, String>,
    },
    LoginProfile {
        user: String,
    },
    AccessKey {
        user: String,
        /// The key id once it exists; the instance address until then.
        id: Option<String>,
        address: String,
        created: Option<DateTime<Utc>>,
        status: KeyStatus,
    },
    Membership {
        user: String,
        group: String,
    },
    Group {
        name: String,
        arn: String,
    },
    Role {
        name: String,
        arn: String,
        trust: Option<Value>,
        tags: BTreeMap<String, String>,
    },
    /// A customer-managed policy; `document` is `None` while unknown until apply.
    Policy {
        arn: String,
        name: String,
        document: Option<Value>,
    },
    Attachment {
        kind: PrincipalKind,
        principal: String,
        policy_arn: String,
    },
    Inline {
        kind: PrincipalKind,
        principal: String,
        name: String,
        document: Value,
    },
    Secret {
        id: SecretId,
        arn: String,
        description: Option<String>,
        kms_key_id: Option<String>,
        tags: BTreeMap<String, String>,
    },
    Rotation {
        secret: SecretId,
        lambda_arn: Option<String>,
        rules: RotationRules,
    },
    SecretPolicy {
        secret: SecretId,
        document: Value,
    },
    /// Something the plan leaves unknown until apply: the checks that need it are not evaluated.
    Unknown {
        sections: Vec<DataSection>,
        /// The ARN the gap is limited to; `None` for the whole account.
        resource: Option<String>,
        message: String,
    },
}

impl Fact {
    /// What the fact is about: two facts with one key are the same fact, perhaps changed.
    pub fn key(&self) -> String {
        match self {
            Fact::PasswordPolicy(_) => "password-policy".to_owned(),
            Fact::User { name, .. } => format!("user:{name}"),
            Fact::LoginProfile { user } => format!("login-profile:{user}"),
            Fact::AccessKey {
                user, id, address, ..
            } => {
                format!("access-key:{user}:{}", id.as_deref().unwrap_or(address))
            }
            Fact::Membership { user, group } => format!("membership:{user}:{group}"),
            Fact::Group { name, .. } => format!("group:{name}"),
            Fact::Role { name, .. } => format!("role:{name}"),
            Fact::Policy { arn, .. } => format!("policy:{arn}"),
            Fact::Attachment {
                kind,
                principal,
                policy_arn,
            } => {
                format!("attachment:{}:{principal}:{policy_arn}", kind.name())
            }
            Fact::Inline {
                kind,
                principal,
                name,
                ..
            } => {
                format!("inline:{}:{principal}:{name}", kind.name())
            }
            Fact::Secret { id, .. } => format!("secret:{}:{}", id.region, id.name),
            Fact::Rotation { secret, .. } => format!("rotation:{}:{}", secret.region, secret.name),
            Fact::SecretPolicy { secret, .. } => {
                format!("secret-policy:{}:{}", secret.region, secret.name)
            }
            Fact::Unknown {
                resource, message, ..
            } => {
                format!("unknown:{}:{message}", resource.as_deref().unwrap_or(""))
            }
        }
    }

    /// Entities before what refers to them, so that applying facts in this order finds the
    /// user before its key, the secret before its rotation.
    pub fn rank(&self) -> u8 {
        match self {
            Fact::User { .. } | Fact::Group { .. } | Fact::Role { .. } => 0,
            Fact::Policy { .. } | Fact::Secret { .. } | Fact::PasswordPolicy(_) => 1,
            Fact::Unknown { .. } => 3,
            _ => 2,
        }
    }
}

/// The facts of every managed instance of a context, and the planned resources the plan rules
/// read.
pub fn facts(context: &Context) -> (Vec<Fact>, Vec<PlannedResource>) {
    let mut facts = Vec::new();
    let mut resources = Vec::new();
    for instance in context.instances.iter().filter(|i| i.managed) {
        if instance.action == crate::snapshot::PlanAction::Delete {
            continue;
        }
        let reader = Reader { context, instance };
        let (found, subject) = reader.read();
        if let Some(subject) = subject {
            resources.push(PlannedResource {
                address: instance.address.clone(),
                resource_type: instance.resource_type.clone(),
                action: instance.action,
                subject: subject.arn,
                details: reader.details(),
            });
        }
        facts.extend(found);
    }
    (facts, resources)
}

/// The planned resource entry for an instance the plan deletes.
pub fn deleted_resource(context: &Context, instance: &Instance) -> Option<PlannedResource> {
    let reader = Reader { context, instance };
    let (_, subject) = reader.read();
    subject.map(|subject| PlannedResource {
        address: instance.address.clone(),
        resource_type: instance.resource_type.clone(),
        action: instance.action,
        subject: subject.arn,
        details: reader.details(),
    })
}

/// What a resource is about, for the plan rules and for finding locations.
struct Subject {
    arn: Option<String>,
}

struct Reader<'c, 'a> {
    context: &'c Context<'a>,
    instance: &'c Instance,
}

impl Reader<'_, '_> {
    /// The facts of the instance, and its subject when it is a resource keyward reads.
    fn read(&self) -> (Vec<Fact>, Option<Subject>) {
        let i = self.instance;
        let c = self.context;
        match i.resource_type.as_str() {
            "aws_iam_account_password_policy" => {
                let root = format!("arn:{}:iam::{}:root", c.partition, c.account);
                (
                    vec![self.password_policy()],
                    Some(Subject { arn: Some(root) }),
                )
            }
            "aws_iam_user" => {
                let arn = c.iam_arn(i);
                let fact = Fact::User {
                    name: c.name(i),
                    arn: arn.clone(),
                    tags: self.tags(),
                };
                (vec![fact], Some(Subject { arn: Some(arn) }))
            }
            "aws_iam_group" => {
                let arn = c.iam_arn(i);
                let fact = Fact::Group {
                    name: c.name(i),
                    arn: arn.clone(),
                };
                (vec![fact], Some(Subject { arn: Some(arn) }))
            }
            "aws_iam_role" => self.role(),
            "aws_iam_policy" => self.policy(),
            "aws_iam_user_login_profile" => self.of_user(|user| vec![Fact::LoginProfile { user }]),
            "aws_iam_access_key" => self.of_user(|user| {
                vec![Fact::AccessKey {
                    user,
                    id: i.known_str("id").map(str::to_owned),
                    address: i.address.clone(),
                    created: i
                        .known_str("create_date")
                        .and_then(|d| d.parse::<DateTime<Utc>>().ok()),
                    status: match i.known_str("status") {
                        Some("Inactive") => KeyStatus::Inactive,
                        _ => KeyStatus::Active,
                    },
                }]
            }),
            "aws_iam_user_group_membership" => {
                let groups = self.list("groups", "name");
                self.of_user(|user| match groups {
                    Some(groups) => groups
                        .into_iter()
                        .map(|group| Fact::Membership {
                            user: user.clone(),
                            group,
                        })
                        .collect(),
                    None => vec![self.unknown(
                        &[DataSection::IamAuthorization],
                        Some(c.principal_arn(PrincipalKind::User, &user)),
                        "groups",
                    )],
                })
            }
            "aws_iam_group_membership" => self.group_membership(),
            "aws_iam_user_policy" => self.inline(PrincipalKind::User, "user"),
            "aws_iam_group_policy" => self.inline(PrincipalKind::Group, "group"),
            "aws_iam_role_policy" => self.inline(PrincipalKind::Role, "role"),
            "aws_iam_user_policy_attachment" => self.attachment(PrincipalKind::User, "user"),
            "aws_iam_group_policy_attachment" => self.attachment(PrincipalKind::Group, "group"),
            "aws_iam_role_policy_attachment" => self.attachment(PrincipalKind::Role, "role"),
            "aws_iam_policy_attachment" => self.policy_attachment(),
            "aws_secretsmanager_secret" => self.secret(),
            "aws_secretsmanager_secret_rotation" => self.rotation(),
            "aws_secretsmanager_secret_policy" => self.secret_policy(),
            "aws_secretsmanager_secret_version" => self.of_secret("secret_id", |_| Vec::new()),
            _ => (Vec::new(), None),
        }
    }

    /// Facts about the user the instance's `user` names, with the user as subject.
    fn of_user(&self, make: impl FnOnce(String) -> Vec<Fact>) -> (Vec<Fact>, Option<Subject>) {
        match self.context.string(self.instance, "user", "name") {
            Some(user) => {
                let arn = self.context.principal_arn(PrincipalKind::User, &user);
                (make(user), Some(Subject { arn: Some(arn) }))
            }
            None => (
                vec![self.unknown(
                    &[DataSection::IamCredentials, DataSection::IamAuthorization],
                    None,
                    "user",
                )],
                Some(Subject { arn: None }),
            ),
        }
    }

    fn of_secret(
        &self,
        attribute: &str,
        make: impl FnOnce(SecretId) -> Vec<Fact>,
    ) -> (Vec<Fact>, Option<Subject>) {
        match self.secret_id(attribute) {
            Some((id, arn)) => (make(id), Some(Subject { arn: Some(arn) })),
            None => (
                vec![self.unknown(
                    &[DataSection::Secrets, DataSection::SecretResourcePolicies],
                    None,
                    attribute,
                )],
                Some(Subject { arn: None }),
            ),
        }
    }

    /// The secret an attribute names (an ARN or a name), and its ARN.
    fn secret_id(&self, attribute: &str) -> Option<(SecretId, String)> {
        let value = self.context.string(self.instance, attribute, "arn")?;
        let id = match value.strip_prefix("arn:") {
            Some(_) => {
                let parts: Vec<&str> = value.splitn(7, ':').collect();
                let name = parts.get(6)?;
                // The six random characters AWS appends, or the `??????` keyward writes for them.
                let name = name
                    .get(..name.len().checked_sub(7)?)
                    .filter(|_| name.len() > 7)?;
                SecretId {
                    region: (*parts.get(3)?).to_owned(),
                    name: name.to_owned(),
                }
            }
            None => SecretId {
                region: self.context.region(self.instance),
                name: value.clone(),
            },
        };
        let arn = self.context.secret_arn_of(&id, &value);
        Some((id, arn))
    }

    fn password_policy(&self) -> Fact {
        let i = self.instance;
        let fields = [
            "minimum_password_length",
            "require_symbols",
            "require_numbers",
            "require_uppercase_characters",
            "require_lowercase_characters",
            "allow_users_to_change_password",
            "max_password_age",
            "password_reuse_prevention",
            "hard_expiry",
        ];
        // The provider computes the fields a configuration leaves out (AWS's defaults apply);
        // only a field the configuration sets can be unknown in a way that matters.
        let configured = |f: &&&str| self.context.configures(i, f);
        if let Some(field) = fields.iter().filter(configured).find(|f| i.is_unknown(f)) {
            return self.unknown(&[DataSection::IamPasswordPolicy], None, field);
        }
        let number = |name: &str| i.known(name).and_then(Value::as_u64).map(|n| n as u32);
        let flag = |name: &str| i.known(name).and_then(Value::as_bool).unwrap_or(false);
        Fact::PasswordPolicy(PasswordPolicy {
            // The AWS provider's default, and AWS's when a policy sets none.
            minimum_length: number("minimum_password_length").unwrap_or(6),
            require_symbols: flag("require_symbols"),
            require_numbers: flag("require_numbers"),
            require_uppercase: flag("require_uppercase_characters"),
            require_lowercase: flag("require_lowercase_characters"),
            allow_users_to_change: flag("allow_users_to_change_password"),
            max_age_days: number("max_password_age").filter(|&d| d > 0),
            reuse_prevention: number("password_reuse_prevention").filter(|&n| n > 0),
            hard_expiry: flag("hard_expiry"),
        })
    }

    fn role(&self) -> (Vec<Fact>, Option<Subject>) {
        let (i, c) = (self.instance, self.context);
        let name = c.name(i);
        let arn = c.iam_arn(i);
        let mut facts = vec![Fact::Role {
            name: name.clone(),
            arn: arn.clone(),
            trust: i
                .known_str("assume_role_policy")
                .and_then(|t| serde_json::from_str(t).ok()),
            tags: self.tags(),
        }];
        // `inline_policy` and `managed_policy_arns` are read back from AWS whoever set them;
        // they are the role's own only when its configuration sets them (exclusive management).
        if c.configures(i, "inline_policy") {
            match i.known("inline_policy").and_then(Value::as_array) {
                Some(blocks) => facts.extend(blocks.iter().filter_map(|block| {
                    let policy = block.get("policy")?.as_str()?;
                    Some(Fact::Inline {
                        kind: PrincipalKind::Role,
                        principal: name.clone(),
                        name: block.get("name")?.as_str()?.to_owned(),
                        document: serde_json::from_str(policy).ok()?,
                    })
                })),
                None => facts.push(self.unknown(
                    &[DataSection::IamAuthorization],
                    Some(arn.clone()),
                    "inline_policy",
                )),
            }
        }
        if c.configures(i, "managed_policy_arns") {
            match self.list("managed_policy_arns", "arn") {
                Some(arns) => facts.extend(arns.into_iter().map(|policy_arn| Fact::Attachment {
                    kind: PrincipalKind::Role,
                    principal: name.clone(),
                    policy_arn,
                })),
                None => facts.push(self.unknown(
                    &[DataSection::IamAuthorization],
                    Some(arn.clone()),
                    "managed_policy_arns",
                )),
            }
        }
        (facts, Some(Subject { arn: Some(arn) }))
    }

    fn policy(&self) -> (Vec<Fact>, Option<Subject>) {
        let (i, c) = (self.instance, self.context);
        let arn = c.iam_arn(i);
        let document = self.document("policy");
        let mut facts = vec![Fact::Policy {
            arn: arn.clone(),
            name: c.name(i),
            document: document.clone(),
        }];
        if document.is_none() {
            facts.push(self.unknown(
                &[DataSection::IamAuthorization],
                Some(arn.clone()),
                "policy",
            ));
        }
        (facts, Some(Subject { arn: Some(arn) }))
    }

    /// A policy document attribute (JSON text), known or worked out; `None` while unknown.
    fn document(&self, attribute: &str) -> Option<Value> {
        let text = self.context.string(self.instance, attribute, "json")?;
        serde_json::from_str(&text).ok()
    }

    fn inline(&self, kind: PrincipalKind, attribute: &str) -> (Vec<Fact>, Option<Subject>) {
        let (i, c) = (self.instance, self.context);
        let Some(principal) = c.string(i, attribute, "name") else {
            return (
                vec![self.unknown(&[DataSection::IamAuthorization], None, attribute)],
                Some(Subject { arn: None }),
            );
        };
        let arn = c.principal_arn(kind, &principal);
        let fact = match self.document("policy") {
            Some(document) => Fact::Inline {
                kind,
                principal,
                name: c.name(i),
                document,
            },
            None => self.unknown(
                &[DataSection::IamAuthorization],
                Some(arn.clone()),
                "policy",
            ),
        };
        (vec![fact], Some(Subject { arn: Some(arn) }))
    }

    fn attachment(&self, kind: PrincipalKind, attribute: &str) -> (Vec<Fact>, Option<Subject>) {
        let (i, c) = (self.instance, self.context);
        let Some(principal) = c.string(i, attribute, "name") else {
            return (
                vec![self.unknown(&[DataSection::IamAuthorization], None, attribute)],
                Some(Subject { arn: None }),
            );
        };
        let arn = c.principal_arn(kind, &principal);
        let fact = match c.string(i, "policy_arn", "arn") {
            Some(policy_arn) => Fact::Attachment {
                kind,
                principal,
                policy_arn,
            },
            None => self.unknown(
                &[DataSection::IamAuthorization],
                Some(arn.clone()),
                "policy_arn",
            ),
        };
        (vec![fact], Some(Subject { arn: Some(arn) }))
    }

    /// `aws_iam_policy_attachment`: one policy, exclusively attached to lists of principals.
    fn policy_attachment(&self) -> (Vec<Fact>, Option<Subject>) {
        let c = self.context;
        let Some(policy_arn) = c.string(self.instance, "policy_arn", "arn") else {
            return (
                vec![self.unknown(&[DataSection::IamAuthorization], None, "policy_arn")],
                Some(Subject { arn: None }),
            );
        };
        let mut facts = Vec::new();
        for (kind, attribute) in [
            (PrincipalKind::User, "users"),
            (PrincipalKind::Group, "groups"),
            (PrincipalKind::Role, "roles"),
        ] {
            match self.list(attribute, "name") {
                Some(names) => facts.extend(names.into_iter().map(|principal| Fact::Attachment {
                    kind,
                    principal,
                    policy_arn: policy_arn.clone(),
                })),
                None => facts.push(self.unknown(&[DataSection::IamAuthorization], None, attribute)),
            }
        }
        (
            facts,
            Some(Subject {
                arn: Some(policy_arn),
            }),
        )
    }

    fn group_membership(&self) -> (Vec<Fact>, Option<Subject>) {
        let c = self.context;
        let Some(group) = c.string(self.instance, "group", "name") else {
            return (
                vec![self.unknown(&[DataSection::IamAuthorization], None, "group")],
                Some(Subject { arn: None }),
            );
        };
        let arn = c.principal_arn(PrincipalKind::Group, &group);
        let facts = match self.list("users", "name") {
            Some(users) => users
                .into_iter()
                .map(|user| Fact::Membership {
                    user,
                    group: group.clone(),
                })
                .collect(),
            None => {
                vec![self.unknown(&[DataSection::IamAuthorization], Some(arn.clone()), "users")]
            }
        };
        (facts, Some(Subject { arn: Some(arn) }))
    }

    fn secret(&self) -> (Vec<Fact>, Option<Subject>) {
        let (i, c) = (self.instance, self.context);
        let id = SecretId {
            region: c.region(i),
            name: c.name(i),
        };
        let arn = c.secret_arn(i);
        let mut facts = vec![Fact::Secret {
            id: id.clone(),
            arn: arn.clone(),
            description: i.known_str("description").map(str::to_owned),
            kms_key_id: i
                .known_str("kms_key_id")
                .filter(|k| !k.is_empty())
                .map(str::to_owned),
            tags: self.tags(),
        }];
        // The secret's own (deprecated) `policy` argument, when set.
        if c.configures(i, "policy") {
            facts.push(match self.document("policy") {
                Some(document) => Fact::SecretPolicy {
                    secret: id,
                    document,
                },
                None => self.unknown(
                    &[DataSection::SecretResourcePolicies],
                    Some(arn.clone()),
                    "policy",
                ),
            });
        }
        (facts, Some(Subject { arn: Some(arn) }))
    }

    fn rotation(&self) -> (Vec<Fact>, Option<Subject>) {
        let i = self.instance;
        let (mut facts, subject) = self.of_secret("secret_id", |secret| {
            let rules = i
                .values
                .get("rotation_rules")
                .and_then(|r| r.get(0))
                .cloned()
                .unwrap_or(Value::Null);
            vec![Fact::Rotation {
                secret,
                lambda_arn: i.known_str("rotation_lambda_arn").map(str::to_owned),
                rules: RotationRules {
                    automatically_after_days: rules
                        .get("automatically_after_days")
                        .and_then(Value::as_u64)
                        .filter(|&d| d > 0)
                        .map(|d| d as u32),
                    schedule_expression: non_empty(rules.get("schedule_expression")),
                    duration: non_empty(rules.get("duration")),
                },
            }]
        });
        if i.is_unknown("rotation_rules") {
            let arn = subject.as_ref().and_then(|s| s.arn.clone());
            facts = vec![self.unknown(&[DataSection::Secrets], arn, "rotation_rules")];
        }
        (facts, subject)
    }

    fn secret_policy(&self) -> (Vec<Fact>, Option<Subject>) {
        let document = self.document("policy");
        let (facts, subject) = self.of_secret("secret_arn", |secret| match &document {
            Some(document) => vec![Fact::SecretPolicy {
                secret,
                document: document.clone(),
            }],
            None => Vec::new(),
        });
        if document.is_none() {
            let arn = subject.as_ref().and_then(|s| s.arn.clone());
            return (
                vec![self.unknown(&[DataSection::SecretResourcePolicies], arn, "policy")],
                subject,
            );
        }
        (facts, subject)
    }

    /// A list of strings: known, or worked out reference by reference.
    fn list(&self, attribute: &str, target: &str) -> Option<Vec<String>> {
        let value = self.context.list(self.instance, attribute, target)?;
        value
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    fn tags(&self) -> BTreeMap<String, String> {
        self.instance
            .known("tags")
            .and_then(Value::as_object)
            .map(|tags| {
                tags.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn unknown(&self, sections: &[DataSection], resource: Option<String>, attribute: &str) -> Fact {
        Fact::Unknown {
            sections: sections.to_vec(),
            resource,
            message: format!(
                "{}: `{attribute}` is known only after apply",
                self.instance.address
            ),
        }
    }

    /// Known facts about the resource that plan rules read (never a secret value).
    fn details(&self) -> BTreeMap<String, Value> {
        let i = self.instance;
        let mut details = BTreeMap::new();
        match i.resource_type.as_str() {
            "aws_iam_access_key" => {
                details.insert(
                    "pgp_key_set".to_owned(),
                    Value::Bool(i.known_str("pgp_key").is_some_and(|k| !k.is_empty())),
                );
                details.insert(
                    "status".to_owned(),
                    Value::String(i.known_str("status").unwrap_or("Active").to_owned()),
                );
            }
            "aws_iam_user_login_profile" => {
                details.insert(
                    "password_reset_required".to_owned(),
                    i.known("password_reset_required")
                        .cloned()
                        .unwrap_or(Value::Null),
                );
            }
            _ => {}
        }
        details
    }
}

fn non_empty(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
