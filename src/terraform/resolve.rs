//! Values known only after apply, worked out where they can be: through the references the
//! plan's `configuration` records for each expression, to the instance they name, and from
//! that instance's known attributes to the one asked for (an IAM ARN follows from the path and
//! the name; a policy document from the data source's statements). What cannot be worked out
//! stays unknown, and the checks that need it are *not evaluated*.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::document::{ConfigModule, ConfigResource, Configuration, ShowJson};
use super::instances::{Instance, module_path};

/// The instances of one side of a plan (before or after), with the configuration and account
/// facts needed to work out their unknown values.
pub struct Context<'a> {
    pub instances: Vec<Instance>,
    by_resource: HashMap<(String, String), Vec<usize>>,
    /// `(resource type, name)` -> ARN of the users, groups, roles and secrets of the plan.
    arns_by_name: HashMap<(String, String), String>,
    configuration: Option<&'a Configuration>,
    plan: &'a ShowJson,
    pub account: String,
    pub partition: String,
    default_region: String,
}

impl<'a> Context<'a> {
    pub fn new(
        plan: &'a ShowJson,
        instances: Vec<Instance>,
        account: &str,
        partition: &str,
        default_region: &str,
    ) -> Context<'a> {
        let mut by_resource: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, instance) in instances.iter().enumerate() {
            by_resource
                .entry((instance.module.clone(), instance.config_address()))
                .or_default()
                .push(i);
        }
        let mut context = Context {
            instances,
            by_resource,
            arns_by_name: HashMap::new(),
            configuration: plan.configuration.as_ref(),
            plan,
            account: account.to_owned(),
            partition: partition.to_owned(),
            default_region: default_region.to_owned(),
        };
        let arns: HashMap<(String, String), String> = context
            .instances
            .iter()
            .filter(|i| i.managed)
            .filter_map(|i| {
                let arn = match i.resource_type.as_str() {
                    "aws_iam_user" | "aws_iam_group" | "aws_iam_role" => context.iam_arn(i),
                    "aws_secretsmanager_secret" => context.secret_arn(i),
                    _ => return None,
                };
                Some(((i.resource_type.clone(), context.name(i)), arn))
            })
            .collect();
        context.arns_by_name = arns;
        context
    }

    /// The ARN of a user, group or role by name: the plan's own, else the one its name and the
    /// default path `/` give.
    pub fn principal_arn(&self, kind: super::names::PrincipalKind, name: &str) -> String {
        let resource_type = format!("aws_iam_{}", kind.name());
        self.arns_by_name
            .get(&(resource_type, name.to_owned()))
            .cloned()
            .unwrap_or_else(|| {
                format!(
                    "arn:{}:iam::{}:{}/{name}",
                    self.partition,
                    self.account,
                    kind.name()
                )
            })
    }

    /// The ARN of a secret named by ARN or by name.
    pub fn secret_arn_of(&self, id: &super::names::SecretId, given: &str) -> String {
        if given.starts_with("arn:") {
            return given.to_owned();
        }
        self.arns_by_name
            .get(&("aws_secretsmanager_secret".to_owned(), id.name.clone()))
            .cloned()
            .unwrap_or_else(|| {
                format!(
                    "arn:{}:secretsmanager:{}:{}:secret:{}-??????",
                    self.partition, id.region, self.account, id.name
                )
            })
    }

    /// Whether the instance's configuration sets an attribute (or block).
    pub fn configures(&self, instance: &Instance, attribute: &str) -> bool {
        self.config_resource(instance)
            .is_some_and(|r| r.expressions.contains_key(attribute))
    }

    /// A list attribute: known, or worked out reference by reference (each reference one
    /// element). `None` when an element cannot be worked out.
    pub fn list(&self, instance: &Instance, attribute: &str, target: &str) -> Option<Vec<Value>> {
        if let Some(value) = instance.known(attribute) {
            return value.as_array().cloned();
        }
        if !instance.is_unknown(attribute) {
            return Some(Vec::new());
        }
        let references = self.references(instance, &[attribute])?;
        self.each_reference(instance, &references, target)
    }

    /// One value per reference that names a resource or module output (duplicates of one
    /// target, `aws_x.y` beside `aws_x.y.arn`, once). `None` if any cannot be followed, or if
    /// the expression refers to something else too (a variable, a local value).
    fn each_reference(
        &self,
        instance: &Instance,
        references: &[String],
        target: &str,
    ) -> Option<Vec<Value>> {
        let mut values: Vec<Value> = Vec::new();
        let index_references: Vec<String> = references
            .iter()
            .filter(|r| is_index_reference(r))
            .cloned()
            .collect();
        for reference in references {
            if Reference::parse(reference).is_none() {
                if is_index_reference(reference) || self.is_prefix_of_other(reference, references) {
                    continue;
                }
                return None;
            }
            if self.is_prefix_of_other(reference, references) {
                continue;
            }
            let mut one = vec![reference.clone()];
            one.extend(index_references.iter().cloned());
            let value = self.follow(instance, &instance.module, &one, target)?;
            if !values.contains(&value) {
                values.push(value);
            }
        }
        Some(values)
    }

    /// Whether a reference is the prefix of a longer one in the list (Terraform lists
    /// `aws_x.y.arn`, `aws_x.y` and `aws_x` for one use).
    fn is_prefix_of_other(&self, reference: &str, references: &[String]) -> bool {
        references.iter().any(|other| {
            other
                .strip_prefix(reference)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
    }

    /// An attribute's value: known in the plan, or worked out from the reference its
    /// expression makes. `target_attribute` is read from the instance referenced when the
    /// reference names none (`aws_iam_user.ci[count.index].name` is recorded as
    /// `aws_iam_user.ci`).
    pub fn value(
        &self,
        instance: &Instance,
        attribute: &str,
        target_attribute: &str,
    ) -> Option<Value> {
        if let Some(value) = instance.known(attribute) {
            return Some(value.clone());
        }
        if !instance.is_unknown(attribute) {
            return None; // null in the configuration: nothing to resolve
        }
        let references = self.references(instance, &[attribute])?;
        self.follow(instance, &instance.module, &references, target_attribute)
    }

    /// A string attribute, as `value`.
    pub fn string(&self, instance: &Instance, attribute: &str, target: &str) -> Option<String> {
        self.value(instance, attribute, target)
            .and_then(|v| v.as_str().map(str::to_owned))
    }

    /// The references of an expression of the instance's configuration, found by a path of
    /// attribute names and block indexes (`["statement", "0", "resources"]`).
    fn references(&self, instance: &Instance, path: &[&str]) -> Option<Vec<String>> {
        let mut expression = self.config_resource(instance)?.expressions.get(path[0])?;
        for step in &path[1..] {
            expression = match step.parse::<usize>() {
                Ok(i) => expression.get(i)?,
                Err(_) => expression.get(*step)?,
            };
        }
        let references = expression.get("references")?.as_array()?;
        Some(
            references
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect(),
        )
    }

    /// The configuration block an instance comes from.
    fn config_resource(&self, instance: &Instance) -> Option<&'a ConfigResource> {
        let module = self.config_module(&instance.module)?;
        let address = instance.config_address();
        module.resources.iter().find(|r| r.address == address)
    }

    fn config_module(&self, module: &str) -> Option<&'a ConfigModule> {
        let mut config = &self.configuration?.root_module;
        for name in module_path(module) {
            config = &config.module_calls.get(&name)?.module;
        }
        Some(config)
    }

    /// Follows the first reference that names a resource, a data source or a module output.
    fn follow(
        &self,
        from: &Instance,
        module: &str,
        references: &[String],
        target_attribute: &str,
    ) -> Option<Value> {
        let by_index = references
            .iter()
            .any(|r| r == "count.index" || r.starts_with("each."));
        let reference = references.iter().find_map(|r| Reference::parse(r))?;
        match reference {
            Reference::Resource {
                address,
                key,
                attribute,
            } => {
                let target =
                    self.target(module, &address, key.as_ref(), by_index.then_some(from))?;
                self.attribute(target, attribute.as_deref().unwrap_or(target_attribute))
            }
            Reference::ModuleOutput { call, key, output } => {
                let instance_module = module_instance(module, &call, key.as_ref());
                let call_config = self.config_module(module)?.module_calls.get(&call)?;
                let output = call_config.module.outputs.get(&output)?;
                let inner: Vec<String> = output
                    .expression
                    .get("references")?
                    .as_array()?
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect();
                self.follow(from, &instance_module, &inner, target_attribute)
            }
        }
    }

    /// The instance a reference names inside a module instance.
    fn target(
        &self,
        module: &str,
        address: &str,
        key: Option<&Value>,
        same_index_as: Option<&Instance>,
    ) -> Option<&Instance> {
        let candidates = self
            .by_resource
            .get(&(module.to_owned(), address.to_owned()))?;
        let instances = candidates.iter().map(|&i| &self.instances[i]);
        if let Some(key) = key {
            return instances.clone().find(|i| i.index.as_ref() == Some(key));
        }
        if candidates.len() == 1 {
            return Some(&self.instances[candidates[0]]);
        }
        let index = same_index_as?.index.as_ref()?;
        instances.clone().find(|i| i.index.as_ref() == Some(index))
    }

    /// An attribute of an instance: known, or worked out from what is known of it.
    pub fn attribute(&self, instance: &Instance, attribute: &str) -> Option<Value> {
        if let Some(value) = instance.known(attribute) {
            return Some(value.clone());
        }
        let derived = match (instance.resource_type.as_str(), attribute) {
            ("aws_iam_user" | "aws_iam_group" | "aws_iam_role", "name" | "id") => {
                Some(self.name(instance))
            }
            ("aws_iam_policy", "name") => Some(self.name(instance)),
            ("aws_iam_user" | "aws_iam_group" | "aws_iam_role" | "aws_iam_policy", "arn")
            | ("aws_iam_policy", "id") => Some(self.iam_arn(instance)),
            ("aws_secretsmanager_secret", "arn" | "id") => Some(self.secret_arn(instance)),
            ("aws_secretsmanager_secret", "name") => Some(self.name(instance)),
            ("aws_iam_policy_document", "json" | "minified_json") => self
                .policy_document(instance)
                .map(|document| document.to_string()),
            _ => None,
        };
        derived.map(Value::String)
    }

    /// The name of a user, group, role, policy or secret; `<address>` when it is known only
    /// after apply (`name_prefix`), so that the resource and what refers to it still meet.
    pub fn name(&self, instance: &Instance) -> String {
        instance
            .known_str("name")
            .map_or_else(|| format!("<{}>", instance.address), str::to_owned)
    }

    /// The IAM path, `/` by default.
    pub fn path(&self, instance: &Instance) -> String {
        instance.known_str("path").unwrap_or("/").to_owned()
    }

    /// The ARN of an IAM user, group, role or customer-managed policy, which follows from its
    /// path and name.
    pub fn iam_arn(&self, instance: &Instance) -> String {
        if let Some(arn) = instance.known_str("arn") {
            return arn.to_owned();
        }
        let kind = instance
            .resource_type
            .strip_prefix("aws_iam_")
            .unwrap_or("resource");
        format!(
            "arn:{}:iam::{}:{kind}{}{}",
            self.partition,
            self.account,
            self.path(instance),
            self.name(instance)
        )
    }

    /// A secret's ARN. AWS appends six random characters to the name on creation, so a secret
    /// the plan creates is named with `-??????`, the IAM pattern for exactly that secret.
    pub fn secret_arn(&self, instance: &Instance) -> String {
        instance.known_str("arn").map_or_else(
            || {
                format!(
                    "arn:{}:secretsmanager:{}:{}:secret:{}-??????",
                    self.partition,
                    self.region(instance),
                    self.account,
                    self.name(instance)
                )
            },
            str::to_owned,
        )
    }

    /// The region of a regional resource: from its ARN when known, else from its provider's
    /// `region` (a constant or a root variable).
    pub fn region(&self, instance: &Instance) -> String {
        if let Some(region) = instance
            .known_str("arn")
            .and_then(|arn| arn.split(':').nth(3))
            .filter(|r| !r.is_empty())
        {
            return region.to_owned();
        }
        self.provider_region(instance)
            .unwrap_or_else(|| self.default_region.clone())
    }

    fn provider_region(&self, instance: &Instance) -> Option<String> {
        let key = self
            .config_resource(instance)
            .and_then(|r| r.provider_config_key.clone())
            .unwrap_or_else(|| "aws".to_owned());
        self.region_of_provider(&key)
    }

    /// The region of the root module's default `aws` provider.
    pub fn root_provider_region(&self) -> Option<String> {
        self.region_of_provider("aws")
    }

    fn region_of_provider(&self, key: &str) -> Option<String> {
        // Child modules' provider keys are written `module.x:aws` by some versions.
        let key = key.rsplit(':').next().unwrap_or("aws");
        let region = self
            .configuration?
            .provider_config
            .get(key)?
            .expressions
            .get("region")?;
        if let Some(constant) = region.get("constant_value").and_then(Value::as_str) {
            return Some(constant.to_owned());
        }
        let reference = region.get("references")?.as_array()?.first()?.as_str()?;
        let variable = reference.strip_prefix("var.")?;
        self.plan
            .variables
            .get(variable)?
            .value
            .as_str()
            .map(str::to_owned)
    }

    /// The document of an `aws_iam_policy_document` data source: its `json` when known, else
    /// built from its statements, with unknown resources and principals worked out from the
    /// references that name them. `None` when something it needs stays unknown.
    pub fn policy_document(&self, instance: &Instance) -> Option<Value> {
        if let Some(json) = instance.known_str("json") {
            return serde_json::from_str(json).ok();
        }
        let merged = [
            "source_policy_documents",
            "override_policy_documents",
            "source_json",
            "override_json",
        ];
        if merged
            .iter()
            .any(|a| instance.is_unknown(a) || instance.known(a).is_some_and(is_non_empty))
        {
            return None; // merging documents is Terraform's to do; keyward does not redo it
        }
        let statements = instance.values.get("statement")?.as_array()?;
        let unknown = instance.unknown.get("statement");
        let built: Option<Vec<Value>> = statements
            .iter()
            .enumerate()
            .map(|(i, statement)| {
                let unknown = unknown.and_then(|u| u.get(i)).unwrap_or(&Value::Null);
                self.statement(instance, i, statement, unknown)
            })
            .collect();
        let version = instance.known_str("version").unwrap_or("2012-10-17");
        Some(json!({"Version": version, "Statement": built?}))
    }

    fn statement(
        &self,
        instance: &Instance,
        index: usize,
        statement: &Value,
        unknown: &Value,
    ) -> Option<Value> {
        let mut out = Map::new();
        let field = |name: &str| -> Option<Option<Value>> {
            let is_unknown = unknown.get(name).is_some_and(super::instances::any_unknown);
            if !is_unknown {
                return Some(statement.get(name).filter(|v| is_non_empty(v)).cloned());
            }
            // Only a list of references, each to a resource's ARN, can be worked out.
            let index = index.to_string();
            let references = self.references(instance, &["statement", &index, name])?;
            let values = self.each_reference(instance, &references, "arn")?;
            Some(Some(Value::Array(values)))
        };
        if let Some(sid) = statement
            .get("sid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            out.insert("Sid".to_owned(), json!(sid));
        }
        let effect = statement
            .get("effect")
            .and_then(Value::as_str)
            .unwrap_or("Allow");
        out.insert("Effect".to_owned(), json!(effect));
        for (name, key) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(value) = field(name)? {
                out.insert(key.to_owned(), value);
            }
        }
        for (name, key) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            if unknown.get(name).is_some_and(super::instances::any_unknown) {
                return None;
            }
            if let Some(principals) = principal_map(statement.get(name)) {
                out.insert(key.to_owned(), principals);
            }
        }
        if unknown
            .get("condition")
            .is_some_and(super::instances::any_unknown)
        {
            return None;
        }
        if let Some(conditions) = condition_map(statement.get("condition")) {
            out.insert("Condition".to_owned(), conditions);
        }
        Some(Value::Object(out))
    }
}

/// `count.index`, `each.key`, `each.value`: which instance, not a value of its own.
fn is_index_reference(reference: &str) -> bool {
    reference == "count.index" || reference.starts_with("each.")
}

fn is_non_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(items) => !items.is_empty(),
        Value::String(text) => !text.is_empty(),
        _ => true,
    }
}

/// `principals { type = "AWS", identifiers = [...] }` blocks as a policy's `Principal`.
fn principal_map(blocks: Option<&Value>) -> Option<Value> {
    let blocks = blocks?.as_array().filter(|b| !b.is_empty())?;
    let mut principals = Map::new();
    for block in blocks {
        let kind = block.get("type")?.as_str()?;
        let identifiers = block.get("identifiers")?.as_array()?;
        if kind == "*" {
            return Some(json!("*"));
        }
        let entry = principals
            .entry(kind.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.extend(identifiers.iter().cloned());
        }
    }
    Some(Value::Object(principals))
}

/// `condition { test, variable, values }` blocks as a policy's `Condition`.
fn condition_map(blocks: Option<&Value>) -> Option<Value> {
    let blocks = blocks?.as_array().filter(|b| !b.is_empty())?;
    let mut conditions = Map::new();
    for block in blocks {
        let test = block.get("test")?.as_str()?;
        let variable = block.get("variable")?.as_str()?;
        let values = block.get("values")?.clone();
        if let Value::Object(by_variable) = conditions
            .entry(test.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
        {
            by_variable.insert(variable.to_owned(), values);
        }
    }
    Some(Value::Object(conditions))
}

/// A reference keyward can follow.
#[derive(Debug, PartialEq)]
enum Reference {
    /// `aws_iam_user.ci`, `aws_iam_user.ci[0].name`, `data.aws_iam_policy_document.x.json`.
    Resource {
        address: String,
        key: Option<Value>,
        attribute: Option<String>,
    },
    /// `module.secrets["db"].arn`.
    ModuleOutput {
        call: String,
        key: Option<Value>,
        output: String,
    },
}

impl Reference {
    fn parse(text: &str) -> Option<Reference> {
        let (head, key, tail) = split_key(text);
        let parts: Vec<&str> = head.split('.').collect();
        let tail_parts: Vec<&str> = tail.split('.').filter(|s| !s.is_empty()).collect();
        match parts.as_slice() {
            ["module", call] => Some(Reference::ModuleOutput {
                call: (*call).to_owned(),
                key,
                output: (*tail_parts.first()?).to_owned(),
            }),
            ["module", call, output] if key.is_none() => Some(Reference::ModuleOutput {
                call: (*call).to_owned(),
                key: None,
                output: (*output).to_owned(),
            }),
            ["data", kind, name, rest @ ..] => Some(Reference::Resource {
                address: format!("data.{kind}.{name}"),
                key,
                attribute: rest.first().or(tail_parts.first()).map(|s| (*s).to_owned()),
            }),
            [kind, name, rest @ ..] if kind.starts_with("aws_") => Some(Reference::Resource {
                address: format!("{kind}.{name}"),
                key,
                attribute: rest.first().or(tail_parts.first()).map(|s| (*s).to_owned()),
            }),
            _ => None,
        }
    }
}

/// Splits `a.b["k"].c` into `a.b`, the key, and `.c`.
fn split_key(text: &str) -> (&str, Option<Value>, &str) {
    let Some(open) = text.find('[') else {
        return (text, None, "");
    };
    let Some(close) = text[open..].find(']').map(|i| open + i) else {
        return (text, None, "");
    };
    let inner = &text[open + 1..close];
    let key = serde_json::from_str::<Value>(inner).ok();
    (&text[..open], key, &text[close + 1..])
}

/// The address of a module call's instance inside a module instance.
fn module_instance(parent: &str, call: &str, key: Option<&Value>) -> String {
    let key = key.map_or_else(String::new, |k| format!("[{k}]"));
    if parent.is_empty() {
        format!("module.{call}{key}")
    } else {
        format!("{parent}.module.{call}{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_parsed() {
        assert_eq!(
            Reference::parse("aws_iam_user.ci"),
            Some(Reference::Resource {
                address: "aws_iam_user.ci".to_owned(),
                key: None,
                attribute: None
            })
        );
        assert_eq!(
            Reference::parse("aws_iam_user.ci[0].name"),
            Some(Reference::Resource {
                address: "aws_iam_user.ci".to_owned(),
                key: Some(json!(0)),
                attribute: Some("name".to_owned())
            })
        );
        assert_eq!(
            Reference::parse("data.aws_iam_policy_document.readers[0].json"),
            Some(Reference::Resource {
                address: "data.aws_iam_policy_document.readers".to_owned(),
                key: Some(json!(0)),
                attribute: Some("json".to_owned())
            })
        );
        assert_eq!(
            Reference::parse(r#"module.secrets["prod/db"].arn"#),
            Some(Reference::ModuleOutput {
                call: "secrets".to_owned(),
                key: Some(json!("prod/db")),
                output: "arn".to_owned()
            })
        );
        assert_eq!(Reference::parse("var.region"), None);
        assert_eq!(Reference::parse("each.key"), None);
        assert_eq!(Reference::parse("local.arn"), None);
    }

    #[test]
    fn module_instances_nest() {
        assert_eq!(module_instance("", "a", None), "module.a");
        assert_eq!(
            module_instance("module.a[0]", "b", Some(&json!("k"))),
            r#"module.a[0].module.b["k"]"#
        );
    }
}
