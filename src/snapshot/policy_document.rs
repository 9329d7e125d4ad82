//! The shape of the IAM policy documents a snapshot holds (managed and inline policies, role
//! trust policies, secrets' resource policies). They are kept as AWS returns them, as JSON
//! values the types do not constrain; the rules read their fields with Rego builtins that fail
//! on a value of the wrong type (`lower` of a number), and a failing built-in rule stops the
//! scan. AWS only ever returns the grammar below, so a document outside it was forged or
//! damaged: it is refused when the snapshot loads, naming the field. A document that is a string
//! is text the collector could not read as JSON: it loads, and the access model reports it as a
//! policy AWS would reject (its checks not evaluated, naming it).
//!
//! The grammar, as far as rules read it: a document is an object; `Statement` is a statement
//! or a list of them; a statement is an object whose `Sid` and `Effect` are strings, whose
//! `Action`, `NotAction`, `Resource` and `NotResource` are a string or a list of strings, whose
//! `Principal` and `NotPrincipal` are `"*"` or an object of strings and lists of strings, and
//! whose `Condition` is an object.

use serde_json::Value;

use super::model::Snapshot;

/// The first document of the snapshot outside the grammar: the field's path and what it should
/// be, and a text near it to find its line by.
pub fn first_malformed_document(snapshot: &Snapshot) -> Option<(String, String, String)> {
    let mut documents: Vec<(String, &Value, &str)> = Vec::new();
    for (i, policy) in snapshot.policies.iter().enumerate() {
        documents.push((
            format!("policies[{i}].document"),
            &policy.document,
            &policy.arn,
        ));
    }
    let principals = [
        (
            "users",
            snapshot
                .users
                .iter()
                .map(|u| (&u.arn, &u.inline_policies))
                .collect::<Vec<_>>(),
        ),
        (
            "groups",
            snapshot
                .groups
                .iter()
                .map(|g| (&g.arn, &g.inline_policies))
                .collect(),
        ),
        (
            "roles",
            snapshot
                .roles
                .iter()
                .map(|r| (&r.arn, &r.inline_policies))
                .collect(),
        ),
    ];
    for (kind, list) in &principals {
        for (i, (arn, inline)) in list.iter().enumerate() {
            for (j, policy) in inline.iter().enumerate() {
                documents.push((
                    format!("{kind}[{i}].inline_policies[{j}].document"),
                    &policy.document,
                    arn.as_str(),
                ));
            }
        }
    }
    for (i, role) in snapshot.roles.iter().enumerate() {
        if let Some(trust) = &role.assume_role_policy {
            documents.push((format!("roles[{i}].assume_role_policy"), trust, &role.arn));
        }
    }
    for (i, secret) in snapshot.secrets.iter().enumerate() {
        if let Some(policy) = &secret.resource_policy {
            documents.push((format!("secrets[{i}].resource_policy"), policy, &secret.arn));
        }
    }
    documents.into_iter().find_map(|(path, document, near)| {
        check_document(document, &path).map(|(path, expected)| (path, expected, near.to_owned()))
    })
}

/// Where a document leaves the grammar, and what was expected there.
fn check_document(document: &Value, path: &str) -> Option<(String, String)> {
    if document.is_null() {
        return None; // no document: the rules skip it
    }
    if document.is_string() {
        // Text that is not JSON, kept as the collector found it: the access model reports the
        // policy as one AWS would reject, and the checks that read it as not evaluated.
        return None;
    }
    let Value::Object(fields) = document else {
        return Some((path.to_owned(), "an object".to_owned()));
    };
    let statements = match fields.get("Statement") {
        None => return None,
        Some(Value::Array(statements)) => statements.iter().collect(),
        Some(statement) => vec![statement],
    };
    statements
        .into_iter()
        .enumerate()
        .find_map(|(i, statement)| check_statement(statement, &format!("{path}.Statement[{i}]")))
}

fn check_statement(statement: &Value, path: &str) -> Option<(String, String)> {
    let Value::Object(fields) = statement else {
        return Some((path.to_owned(), "an object".to_owned()));
    };
    let expect = |field: &str, ok: fn(&Value) -> bool, what: &str| {
        fields
            .get(field)
            .filter(|value| !ok(value))
            .map(|_| (format!("{path}.{field}"), what.to_owned()))
    };
    let string_or_list = "a string or a list of strings";
    expect("Sid", Value::is_string, "a string")
        .or_else(|| expect("Effect", Value::is_string, "a string"))
        .or_else(|| expect("Action", is_strings, string_or_list))
        .or_else(|| expect("NotAction", is_strings, string_or_list))
        .or_else(|| expect("Resource", is_strings, string_or_list))
        .or_else(|| expect("NotResource", is_strings, string_or_list))
        .or_else(|| {
            expect(
                "Principal",
                is_principal,
                "\"*\" or an object of strings and lists of strings",
            )
        })
        .or_else(|| {
            expect(
                "NotPrincipal",
                is_principal,
                "\"*\" or an object of strings and lists of strings",
            )
        })
        .or_else(|| expect("Condition", Value::is_object, "an object"))
}

fn is_strings(value: &Value) -> bool {
    match value {
        Value::String(_) => true,
        Value::Array(items) => items.iter().all(Value::is_string),
        _ => false,
    }
}

fn is_principal(value: &Value) -> bool {
    match value {
        Value::String(text) => text == "*",
        Value::Object(fields) => fields.values().all(is_strings),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn documents_as_aws_returns_them_pass() {
        for document in [
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
            json!({"Statement": [{"Sid": "a", "Effect": "Deny", "NotAction": ["s3:*"], "NotResource": "arn:x", "Condition": {"Bool": {"aws:SecureTransport": false}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::1:root"], "Service": "x"}, "Action": "sts:AssumeRole"}]}),
            json!({"Statement": [{"Effect": "Allow", "NotPrincipal": "*"}]}),
            json!(null),
            json!({"Version": "2012-10-17"}),
            json!("{\"Statement\": [ {\"Effect\": \"Allow\""),
        ] {
            assert_eq!(check_document(&document, "d"), None, "{document}");
        }
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named() {
        let cases = [
            (json!([1]), "d", "an object"),
            (
                json!({"Statement": [{"Effect": "Allow"}, 5]}),
                "d.Statement[1]",
                "an object",
            ),
            (
                json!({"Statement": {"Action": 1e300}}),
                "d.Statement[0].Action",
                "a string or a list of strings",
            ),
            (
                json!({"Statement": {"Resource": ["a", {"b": 1}]}}),
                "d.Statement[0].Resource",
                "a string or a list of strings",
            ),
            (
                json!({"Statement": {"Principal": {"AWS": 12}}}),
                "d.Statement[0].Principal",
                "\"*\" or an object of strings and lists of strings",
            ),
            (
                json!({"Statement": {"Principal": "someone"}}),
                "d.Statement[0].Principal",
                "\"*\" or an object of strings and lists of strings",
            ),
            (
                json!({"Statement": {"Condition": [1]}}),
                "d.Statement[0].Condition",
                "an object",
            ),
            (
                json!({"Statement": {"Effect": true}}),
                "d.Statement[0].Effect",
                "a string",
            ),
        ];
        for (document, path, expected) in cases {
            assert_eq!(
                check_document(&document, "d"),
                Some((path.to_owned(), expected.to_owned())),
                "{document}"
            );
        }
    }
}
