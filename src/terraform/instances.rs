//! The resource instances of a plan or a state, flattened out of their modules: the planned
//! ones (after apply, with what is unknown until then), the prior ones (before), and what the
//! plan does to each.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::snapshot::PlanAction;

use super::document::{Module, ResourceChange, ShowJson, Values};

/// One resource instance.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The full address, e.g. `module.app["a"].aws_iam_user.ci[0]`.
    pub address: String,
    /// The module instance, e.g. `module.app["a"]`; "" for the root module.
    pub module: String,
    pub managed: bool,
    pub resource_type: String,
    pub name: String,
    /// The `count` index or `for_each` key.
    pub index: Option<Value>,
    /// The known values (attributes absent or null where unknown).
    pub values: Value,
    /// `after_unknown`: `true` where a value is known only after apply.
    pub unknown: Value,
    pub action: PlanAction,
}

impl Instance {
    /// The address without the module, e.g. `aws_iam_user.ci` (data sources `data.…`).
    pub fn config_address(&self) -> String {
        if self.managed {
            format!("{}.{}", self.resource_type, self.name)
        } else {
            format!("data.{}.{}", self.resource_type, self.name)
        }
    }

    /// Whether an attribute is known only after apply.
    pub fn is_unknown(&self, attribute: &str) -> bool {
        self.unknown.get(attribute).is_some_and(any_unknown)
    }

    /// A known, non-null attribute value.
    pub fn known(&self, attribute: &str) -> Option<&Value> {
        if self.is_unknown(attribute) {
            return None;
        }
        self.values.get(attribute).filter(|v| !v.is_null())
    }

    pub fn known_str(&self, attribute: &str) -> Option<&str> {
        self.known(attribute).and_then(Value::as_str)
    }
}

/// Whether an `after_unknown` value marks anything unknown.
pub fn any_unknown(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(any_unknown),
        Value::Object(fields) => fields.values().any(any_unknown),
        _ => false,
    }
}

/// The instances of a plan after apply: the planned values, with what `resource_changes` says
/// is unknown and what it does to each, and the data sources Terraform read while planning
/// (they are in `prior_state` only).
pub fn planned(plan: &ShowJson) -> Vec<Instance> {
    let changes: BTreeMap<&str, &ResourceChange> = plan
        .resource_changes
        .iter()
        .filter(|c| c.deposed.is_none())
        .map(|c| (c.address.as_str(), c))
        .collect();
    let mut instances = from_values(plan.planned_values.as_ref());
    for instance in &mut instances {
        if let Some(change) = changes.get(instance.address.as_str()) {
            instance.unknown = change.change.after_unknown.clone();
            instance.action = action(&change.change.actions);
        }
    }
    let read_while_planning: Vec<Instance> = prior(plan)
        .into_iter()
        .filter(|i| !i.managed && !instances.iter().any(|p| p.address == i.address))
        .collect();
    instances.extend(read_while_planning);
    instances
}

/// The instances before the plan: its prior state.
pub fn prior(plan: &ShowJson) -> Vec<Instance> {
    from_values(plan.prior_state.as_ref().and_then(|s| s.values.as_ref()))
}

/// The instances of a state (`terraform show -json` without a plan).
pub fn state(show: &ShowJson) -> Vec<Instance> {
    from_values(show.values.as_ref())
}

/// The managed instances the plan deletes (replaced ones are in the planned values again).
pub fn deleted(plan: &ShowJson) -> Vec<Instance> {
    plan.resource_changes
        .iter()
        .filter(|c| c.deposed.is_none() && c.mode == "managed")
        .filter(|c| action(&c.change.actions) == PlanAction::Delete)
        .map(|c| Instance {
            address: c.address.clone(),
            module: c.module_address.clone().unwrap_or_default(),
            managed: true,
            resource_type: c.resource_type.clone(),
            name: c.name.clone(),
            index: c.index.clone(),
            values: c.change.before.clone(),
            unknown: Value::Null,
            action: PlanAction::Delete,
        })
        .collect()
}

fn action(actions: &[String]) -> PlanAction {
    let has = |name: &str| actions.iter().any(|a| a == name);
    if has("create") && has("delete") {
        PlanAction::Replace
    } else if has("create") {
        PlanAction::Create
    } else if has("delete") {
        PlanAction::Delete
    } else if has("update") {
        PlanAction::Update
    } else {
        PlanAction::NoOp
    }
}

fn from_values(values: Option<&Values>) -> Vec<Instance> {
    let mut instances = Vec::new();
    if let Some(values) = values {
        collect(&values.root_module, &mut instances);
    }
    instances
}

fn collect(module: &Module, into: &mut Vec<Instance>) {
    let module_address = module.address.clone().unwrap_or_default();
    into.extend(module.resources.iter().map(|r| Instance {
        address: r.address.clone(),
        module: module_address.clone(),
        managed: r.mode == "managed",
        resource_type: r.resource_type.clone(),
        name: r.name.clone(),
        index: r.index.clone(),
        values: r.values.clone(),
        unknown: Value::Null,
        action: PlanAction::NoOp,
    }));
    for child in &module.child_modules {
        collect(child, into);
    }
}

/// The module path of a module instance address, keys left out:
/// `module.a["x"].module.b[0]` -> `["a", "b"]`.
pub fn module_path(module: &str) -> Vec<String> {
    let mut path = Vec::new();
    let mut rest = module;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        path.push(after[..end].to_owned());
        rest = skip_key(&after[end..]);
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    path
}

/// Skips a `[…]` key (quoted strings may contain `]` and `.`).
fn skip_key(text: &str) -> &str {
    if !text.starts_with('[') {
        return text;
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return &text[i + 1..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_leave_keys_out() {
        assert_eq!(module_path(""), Vec::<String>::new());
        assert_eq!(module_path("module.a"), ["a"]);
        assert_eq!(module_path(r#"module.a["x.y]"].module.b[0]"#), ["a", "b"]);
    }

    #[test]
    fn unknown_marks_are_found_at_any_depth() {
        assert!(any_unknown(&serde_json::json!({"a": [false, {"b": true}]})));
        assert!(!any_unknown(&serde_json::json!({"a": [false], "b": false})));
    }
}
