//! Policy documents as AWS reads them: `Statement`, `Action`, `Resource`, `Principal` and their
//! `Not` forms, each a single value or a list. A document AWS would reject (not JSON, no
//! `Statement`, an `Effect` other than `Allow` or `Deny`, an unknown condition operator, …) is an
//! error that names what is wrong: the model never guesses what such a document grants.

use serde_json::Value;

use super::pattern;

/// Where a document is used: what it must and must not contain follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Inline or managed policy of a user, group or role.
    Identity,
    /// A managed policy used as a permissions boundary.
    Boundary,
    /// An AWS Organizations service control policy.
    ServiceControl,
    /// An AWS Organizations resource control policy.
    ResourceControl,
    /// A secret's resource policy.
    Resource,
    /// A role's trust policy.
    Trust,
}

impl PolicyKind {
    fn has_principals(self) -> bool {
        matches!(
            self,
            PolicyKind::Resource | PolicyKind::Trust | PolicyKind::ResourceControl
        )
    }

    fn requires_resource(self) -> bool {
        matches!(self, PolicyKind::Identity | PolicyKind::Boundary)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` (or `NotAction`): lower-cased patterns.
#[derive(Debug, Clone)]
pub struct ActionSet {
    pub negated: bool,
    pub patterns: Vec<String>,
}

impl ActionSet {
    /// Whether the element covers an action (given in lower case).
    pub fn matches(&self, action: &str) -> bool {
        self.patterns.iter().any(|p| pattern::matches(p, action)) != self.negated
    }
}

/// `Resource` (or `NotResource`): patterns as written (ARNs compare with case).
#[derive(Debug, Clone)]
pub struct ResourceSet {
    pub negated: bool,
    pub patterns: Vec<String>,
}

impl ResourceSet {
    /// `Resource: "*"`, the element the model meets most.
    pub fn everything() -> ResourceSet {
        ResourceSet {
            negated: false,
            patterns: vec!["*".to_owned()],
        }
    }

    pub fn matches(&self, arn: &str) -> bool {
        self.patterns.iter().any(|p| pattern::matches(p, arn)) != self.negated
    }

    /// `NotResource: "*"`: nothing at all.
    pub fn is_nothing(&self) -> bool {
        self.negated && self.patterns.iter().any(|p| pattern::matches_everything(p))
    }

    /// Whether a pattern uses a policy variable (`${aws:username}`): its match depends on who
    /// asks.
    pub fn uses_variables(&self) -> bool {
        self.patterns.iter().any(|p| p.contains("${"))
    }
}

/// One entry of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalRef {
    /// `"*"` or `{"AWS": "*"}`: any principal of any account, and anonymous callers.
    Anyone,
    /// An account: its id or its root ARN (`arn:aws:iam::111122223333:root`).
    Account(String),
    /// A user, role, role session or federated user ARN.
    Arn(String),
    /// An AWS service, e.g. `lambda.amazonaws.com`.
    Service(String),
    /// An identity provider (OIDC or SAML) for web identity and SAML federation.
    Federated(String),
    /// An S3 canonical user id.
    CanonicalUser(String),
}

/// `Principal` (or `NotPrincipal`).
#[derive(Debug, Clone)]
pub struct PrincipalSet {
    pub negated: bool,
    pub entries: Vec<PrincipalRef>,
}

/// One statement, with the label the reports use for it: its `Sid`, or `#n` (1-based).
#[derive(Debug, Clone)]
pub struct Statement {
    pub label: String,
    pub effect: Effect,
    pub actions: ActionSet,
    /// `None` where the element has no meaning (a trust policy's statements).
    pub resources: Option<ResourceSet>,
    pub principals: Option<PrincipalSet>,
    pub conditions: Vec<Clause>,
}

/// Reads a policy document. The error says what AWS would reject, in words for a report.
pub fn parse(document: &Value, kind: PolicyKind) -> Result<Vec<Statement>, String> {
    let object = match document {
        Value::Object(object) => object,
        Value::String(text) => {
            return Err(format!(
                "the document is not valid JSON: {}",
                first_chars(text, 60)
            ));
        }
        Value::Null => return Err("the document is missing".to_owned()),
        other => {
            return Err(format!(
                "the document is {}, not a JSON object",
                kind_of(other)
            ));
        }
    };
    let statements = match object.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        Some(other) => {
            return Err(format!(
                "`Statement` is {}, not an object or a list",
                kind_of(other)
            ));
        }
        None => return Err("the document has no `Statement`".to_owned()),
    };
    statements
        .into_iter()
        .enumerate()
        .map(|(i, statement)| {
            read_statement(statement, i, kind).map_err(|e| format!("statement #{}: {e}", i + 1))
        })
        .collect()
}

fn read_statement(value: &Value, index: usize, kind: PolicyKind) -> Result<Statement, String> {
    let Value::Object(object) = value else {
        return Err(format!("is {}, not an object", kind_of(value)));
    };
    let effect = match object.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(format!(
                "unknown `Effect` {other}: only Allow and Deny exist"
            ));
        }
        None => return Err("has no `Effect`".to_owned()),
    };
    let label = match object.get("Sid") {
        Some(Value::String(sid)) if !sid.is_empty() => sid.clone(),
        _ => format!("#{}", index + 1),
    };
    let actions = match either(object, "Action", "NotAction")? {
        Some((negated, values)) => ActionSet {
            negated,
            patterns: values
                .into_iter()
                .map(|a| check_action(&a).map(|()| a.to_ascii_lowercase()))
                .collect::<Result<_, _>>()?,
        },
        None => return Err("has neither `Action` nor `NotAction`".to_owned()),
    };
    let resources = match either(object, "Resource", "NotResource")? {
        Some((negated, patterns)) => Some(ResourceSet { negated, patterns }),
        None if kind.requires_resource() => {
            return Err("has neither `Resource` nor `NotResource`".to_owned());
        }
        None if kind == PolicyKind::Trust => None,
        None => Some(ResourceSet::everything()),
    };
    let principals = if kind.has_principals() {
        match principal_element(object)? {
            Some(set) => Some(set),
            None => return Err("has neither `Principal` nor `NotPrincipal`".to_owned()),
        }
    } else {
        None
    };
    let conditions = match object.get("Condition") {
        None => Vec::new(),
        Some(block) => Clause::parse_block(block)?,
    };
    Ok(Statement {
        label,
        effect,
        actions,
        resources,
        principals,
        conditions,
    })
}

/// The element `name` or its negation `not_name` (never both), as strings.
fn either(
    object: &serde_json::Map<String, Value>,
    name: &str,
    not_name: &str,
) -> Result<Option<(bool, Vec<String>)>, String> {
    match (object.get(name), object.get(not_name)) {
        (Some(_), Some(_)) => Err(format!("has both `{name}` and `{not_name}`")),
        (Some(value), None) => strings(value, name).map(|v| Some((false, v))),
        (None, Some(value)) => strings(value, not_name).map(|v| Some((true, v))),
        (None, None) => Ok(None),
    }
}

/// A string or a list of strings.
fn strings(value: &Value, element: &str) -> Result<Vec<String>, String> {
    let item = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(format!(
            "`{element}` holds {}, not a string",
            kind_of(other)
        )),
    };
    match value {
        Value::Array(list) => list.iter().map(item).collect(),
        single => Ok(vec![item(single)?]),
    }
}

/// An action is `*` or `service:name` (with wildcards): IAM rejects anything else.
fn check_action(action: &str) -> Result<(), String> {
    if pattern::matches_everything(action)
        || action
            .split_once(':')
            .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty())
    {
        Ok(())
    } else {
        Err(format!(
            "action {action:?} is not of the form service:action"
        ))
    }
}

fn principal_element(
    object: &serde_json::Map<String, Value>,
) -> Result<Option<PrincipalSet>, String> {
    let (negated, value) = match (object.get("Principal"), object.get("NotPrincipal")) {
        (Some(_), Some(_)) => return Err("has both `Principal` and `NotPrincipal`".to_owned()),
        (Some(value), None) => (false, value),
        (None, Some(value)) => (true, value),
        (None, None) => return Ok(None),
    };
    let entries = match value {
        Value::String(s) if s == "*" => vec![PrincipalRef::Anyone],
        Value::Object(map) => {
            let mut entries = Vec::new();
            for (kind, values) in map {
                for name in strings(values, "Principal")? {
                    entries.push(principal_ref(kind, name)?);
                }
            }
            entries
        }
        other => return Err(format!("`Principal` is {other}, not \"*\" or an object")),
    };
    Ok(Some(PrincipalSet { negated, entries }))
}

fn principal_ref(kind: &str, name: String) -> Result<PrincipalRef, String> {
    Ok(match kind {
        "AWS" if name == "*" => PrincipalRef::Anyone,
        "AWS" if name.len() == 12 && name.bytes().all(|b| b.is_ascii_digit()) => {
            PrincipalRef::Account(name)
        }
        "AWS" => match root_account(&name) {
            Some(account) => PrincipalRef::Account(account.to_owned()),
            None => PrincipalRef::Arn(name),
        },
        "Service" => PrincipalRef::Service(name),
        "Federated" => PrincipalRef::Federated(name),
        "CanonicalUser" => PrincipalRef::CanonicalUser(name),
        other => return Err(format!("unknown principal type {other:?}")),
    })
}

/// The account of a root ARN, `arn:<partition>:iam::<account>:root`.
fn root_account(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, service, _region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (service == "iam" && resource == "root").then_some(account)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn first_chars(text: &str, n: usize) -> String {
    let cut: String = text.chars().take(n).collect();
    if cut.len() < text.len() {
        format!("{cut:?}…")
    } else {
        format!("{cut:?}")
    }
}

// --- Conditions -------------------------------------------------------------------------------

/// A condition operator without its `IfExists` suffix and set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Operator {
    pub fn named(name: &str) -> Option<Operator> {
        use Operator::*;
        Some(match name {
            "StringEquals" => StringEquals,
            "StringNotEquals" => StringNotEquals,
            "StringEqualsIgnoreCase" => StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => StringNotEqualsIgnoreCase,
            "StringLike" => StringLike,
            "StringNotLike" => StringNotLike,
            "NumericEquals" => NumericEquals,
            "NumericNotEquals" => NumericNotEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "DateEquals" => DateEquals,
            "DateNotEquals" => DateNotEquals,
            "DateLessThan" => DateLessThan,
            "DateLessThanEquals" => DateLessThanEquals,
            "DateGreaterThan" => DateGreaterThan,
            "DateGreaterThanEquals" => DateGreaterThanEquals,
            "Bool" => Bool,
            "BinaryEquals" => BinaryEquals,
            "IpAddress" => IpAddress,
            "NotIpAddress" => NotIpAddress,
            "ArnEquals" => ArnEquals,
            "ArnLike" => ArnLike,
            "ArnNotEquals" => ArnNotEquals,
            "ArnNotLike" => ArnNotLike,
            "Null" => Null,
            _ => return None,
        })
    }

    /// The "not" operators: they hold when no value matches, and when the key is absent.
    pub fn is_negated(self) -> bool {
        use Operator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// One operator, key and values of a `Condition` block.
#[derive(Debug, Clone)]
pub struct Clause {
    pub operator: Operator,
    /// The operator as written (`StringNotEqualsIfExists`), for reports.
    pub written: String,
    pub if_exists: bool,
    pub qualifier: Option<SetQualifier>,
    pub key: String,
    pub values: Vec<String>,
}

impl Clause {
    /// Reads a `Condition` block: `{operator: {key: value or values}}`.
    pub fn parse_block(block: &Value) -> Result<Vec<Clause>, String> {
        let Value::Object(operators) = block else {
            return Err("`Condition` is not an object".to_owned());
        };
        let mut clauses = Vec::new();
        for (written, keys) in operators {
            let (qualifier, rest) = match written.split_once(':') {
                Some(("ForAnyValue", rest)) => (Some(SetQualifier::ForAnyValue), rest),
                Some(("ForAllValues", rest)) => (Some(SetQualifier::ForAllValues), rest),
                Some(_) => return Err(format!("unknown condition operator {written:?}")),
                None => (None, written.as_str()),
            };
            let (base, if_exists) = match rest.strip_suffix("IfExists") {
                Some(base) => (base, true),
                None => (rest, false),
            };
            let operator = Operator::named(base)
                .ok_or_else(|| format!("unknown condition operator {written:?}"))?;
            let Value::Object(keys) = keys else {
                return Err(format!("condition {written:?} is not an object of keys"));
            };
            for (key, values) in keys {
                clauses.push(Clause {
                    operator,
                    written: written.clone(),
                    if_exists,
                    qualifier,
                    key: key.clone(),
                    values: condition_values(values).ok_or_else(|| {
                        format!("condition {written:?} {key:?} has an unreadable value")
                    })?,
                });
            }
        }
        Ok(clauses)
    }
}

/// A condition value as strings: AWS accepts strings, numbers and booleans, alone or in a list.
fn condition_values(value: &Value) -> Option<Vec<String>> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(list) => list.iter().map(one).collect(),
        single => one(single).map(|v| vec![v]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(document: Value, kind: PolicyKind) -> Statement {
        let mut statements = parse(&document, kind).unwrap();
        assert_eq!(statements.len(), 1);
        statements.remove(0)
    }

    #[test]
    fn elements_may_be_single_values_or_lists_and_actions_ignore_case() {
        let s = one(
            json!({"Statement": {"Effect": "Allow", "Action": "SecretsManager:Get*", "Resource": "*"}}),
            PolicyKind::Identity,
        );
        assert_eq!(s.label, "#1");
        assert!(s.actions.matches("secretsmanager:getsecretvalue"));
        assert!(s.resources.as_ref().unwrap().matches("arn:aws:s3:::any"));
        let s = one(
            json!({"Statement": [{"Sid": "Read", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": ["arn:aws:s3:::b"]}]}),
            PolicyKind::Identity,
        );
        assert_eq!((s.label.as_str(), s.effect), ("Read", Effect::Deny));
        assert!(s.actions.matches("secretsmanager:getsecretvalue"));
        assert!(!s.actions.matches("iam:createuser"));
        let resources = s.resources.unwrap();
        assert!(resources.matches("arn:aws:s3:::other") && !resources.matches("arn:aws:s3:::b"));
    }

    #[test]
    fn principals_are_read_by_kind() {
        let s = one(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": ["123456789012", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/r", "*"], "Service": "lambda.amazonaws.com"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}}),
            PolicyKind::Resource,
        );
        assert_eq!(
            s.principals.unwrap().entries,
            [
                PrincipalRef::Account("123456789012".into()),
                PrincipalRef::Account("111122223333".into()),
                PrincipalRef::Arn("arn:aws:iam::111122223333:role/r".into()),
                PrincipalRef::Anyone,
                PrincipalRef::Service("lambda.amazonaws.com".into()),
            ]
        );
        let trust = one(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}}),
            PolicyKind::Trust,
        );
        assert!(trust.resources.is_none());
    }

    #[test]
    fn documents_aws_would_reject_are_errors_that_say_why() {
        let cases = [
            (json!("{\"Statement\": ["), "not valid JSON"),
            (json!({"Version": "2012-10-17"}), "no `Statement`"),
            (
                json!({"Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}}),
                "unknown `Effect`",
            ),
            (
                json!({"Statement": {"Action": "*", "Resource": "*"}}),
                "no `Effect`",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Resource": "*"}}),
                "neither `Action`",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Action": "*"}}),
                "neither `Resource`",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Action": "getsecret", "Resource": "*"}}),
                "service:action",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}}),
                "unknown condition operator",
            ),
            (
                json!({"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}}),
                "both `Action` and `NotAction`",
            ),
        ];
        for (document, expected) in cases {
            let error = parse(&document, PolicyKind::Identity).unwrap_err();
            assert!(error.contains(expected), "{document}: {error}");
        }
        let error = parse(
            &json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
            PolicyKind::Resource,
        )
        .unwrap_err();
        assert!(error.contains("neither `Principal`"), "{error}");
    }
}
