//! The JSON that `terraform show -json` (and `tofu show -json`) writes, read as far as keyward
//! needs it, and what a file is when it is not that.
//!
//! The format is documented as "JSON Output Format" in Terraform's docs: `format_version` 1.x,
//! a plan has `planned_values`, `resource_changes`, `prior_state` and `configuration`; the state
//! has `values`. Fields keyward does not read are ignored, so later 1.x versions keep loading.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// A file given as a Terraform plan or state that keyward cannot use.
#[derive(Debug, thiserror::Error)]
pub enum TerraformError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not {expected}: it is {found}\nhint: {hint}")]
    WrongKind {
        path: PathBuf,
        expected: &'static str,
        found: String,
        hint: &'static str,
    },
    #[error("{path}:{line}:{column}: {message}\nhint: {hint}")]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        hint: &'static str,
    },
    #[error("{path}: {message}")]
    Source { path: PathBuf, message: String },
}

/// What a file was given as: what it should be, and how to make one.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    Plan,
    State,
}

impl Purpose {
    fn expected(self) -> &'static str {
        match self {
            Purpose::Plan => "a Terraform plan in JSON",
            Purpose::State => "a Terraform state or plan in JSON",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Purpose::Plan => {
                "write a plan as JSON with `terraform plan -out=tfplan && terraform show -json tfplan > plan.json` (OpenTofu: `tofu show -json`)"
            }
            Purpose::State => {
                "write the state as JSON with `terraform show -json > state.json`, or give a plan (its prior_state is the state)"
            }
        }
    }
}

/// The output of `terraform show -json`: a plan, or the state.
#[derive(Debug, Deserialize)]
pub struct ShowJson {
    /// Checked before anything else is used (`check_format`).
    #[serde(default)]
    format_version: Option<Value>,
    /// Fields of the documents people give by mistake, to say which one a file is.
    #[serde(default)]
    lineage: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    serial: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    schema_version: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    report_version: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub terraform_version: Option<String>,
    /// The state (`terraform show -json` without a plan file).
    #[serde(default)]
    pub values: Option<Values>,
    #[serde(default)]
    pub planned_values: Option<Values>,
    #[serde(default)]
    pub resource_changes: Vec<ResourceChange>,
    #[serde(default)]
    pub prior_state: Option<StateJson>,
    #[serde(default)]
    pub configuration: Option<Configuration>,
    /// Root module input variables, by name: `{"value": …}`.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableValue>,
    /// When the plan was made (Terraform 1.5 and later).
    #[serde(default)]
    pub timestamp: Option<String>,
}

impl ShowJson {
    /// Whether this is a plan (rather than the state).
    pub fn is_plan(&self) -> bool {
        self.planned_values.is_some() || !self.resource_changes.is_empty()
    }
}

#[derive(Debug, Deserialize)]
pub struct StateJson {
    #[serde(default)]
    pub values: Option<Values>,
}

#[derive(Debug, Deserialize)]
pub struct VariableValue {
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Deserialize)]
pub struct Values {
    #[serde(default)]
    pub root_module: Module,
}

#[derive(Debug, Default, Deserialize)]
pub struct Module {
    /// The module instance address, e.g. `module.app["prod"]`; absent for the root module.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub resources: Vec<ResourceValues>,
    #[serde(default)]
    pub child_modules: Vec<Module>,
}

#[derive(Debug, Deserialize)]
pub struct ResourceValues {
    pub address: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    #[serde(default)]
    pub index: Option<Value>,
    #[serde(default)]
    pub values: Value,
}

#[derive(Debug, Deserialize)]
pub struct ResourceChange {
    pub address: String,
    #[serde(default)]
    pub module_address: Option<String>,
    pub mode: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    #[serde(default)]
    pub index: Option<Value>,
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Set for a deposed object (left over by a create-before-destroy replacement).
    #[serde(default)]
    pub deposed: Option<String>,
    pub change: Change,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    pub actions: Vec<String>,
    #[serde(default)]
    pub before: Value,
    /// The same shape as `after` (the planned values), as `after`, `true` where a value is known only after apply.
    #[serde(default)]
    pub after_unknown: Value,
}

#[derive(Debug, Default, Deserialize)]
pub struct Configuration {
    #[serde(default)]
    pub provider_config: BTreeMap<String, ProviderConfig>,
    #[serde(default)]
    pub root_module: ConfigModule,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProviderConfig {
    #[serde(default)]
    pub expressions: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigModule {
    #[serde(default)]
    pub resources: Vec<ConfigResource>,
    #[serde(default)]
    pub module_calls: BTreeMap<String, ModuleCall>,
    #[serde(default)]
    pub outputs: BTreeMap<String, ConfigOutput>,
}

#[derive(Debug, Deserialize)]
pub struct ModuleCall {
    #[serde(default)]
    pub module: ConfigModule,
}

#[derive(Debug, Deserialize)]
pub struct ConfigOutput {
    #[serde(default)]
    pub expression: Value,
}

#[derive(Debug, Deserialize)]
pub struct ConfigResource {
    /// The address inside its module, e.g. `aws_iam_user.ci`.
    pub address: String,
    #[serde(default)]
    pub provider_config_key: Option<String>,
    /// Attribute name -> `{"constant_value": …}` or `{"references": [...]}`; blocks are lists
    /// of such objects.
    #[serde(default)]
    pub expressions: BTreeMap<String, Value>,
}

/// What a file given as a plan or a state is.
pub enum Kind {
    Plan(Box<ShowJson>),
    State(Box<ShowJson>),
}

/// Reads a file written by `terraform show -json`; anything else is an error that says what
/// the file is instead.
pub fn read(path: &Path, purpose: Purpose) -> Result<Kind, TerraformError> {
    let bytes = std::fs::read(path).map_err(|source| TerraformError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(path, bytes, purpose)
}

/// Tells what the bytes of a file are and reads a plan or state from them; `path` only names
/// the file in errors.
pub fn parse(path: &Path, bytes: Vec<u8>, purpose: Purpose) -> Result<Kind, TerraformError> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => return Err(not_json(path, &error.into_bytes(), purpose)),
    };
    if !text.trim_start().starts_with('{') {
        let found = if text.trim_start().starts_with('[') {
            "JSON that is not an object, not the output of `terraform show -json`"
        } else {
            return Err(not_json(path, text.as_bytes(), purpose));
        };
        return Err(TerraformError::WrongKind {
            path: path.to_owned(),
            expected: purpose.expected(),
            found: found.to_owned(),
            hint: purpose.hint(),
        });
    }
    // One typed pass over the text (a large plan is megabytes of JSON), then the checks.
    let show: ShowJson =
        serde_json::from_str(&text).map_err(|error| TerraformError::Malformed {
            path: path.to_owned(),
            line: error.line(),
            column: error.column(),
            message: crate::snapshot::parser_message(&error.to_string()),
            hint: purpose.hint(),
        })?;
    check_format(path, &show, purpose)?;
    Ok(if show.is_plan() {
        Kind::Plan(Box::new(show))
    } else {
        Kind::State(Box::new(show))
    })
}

/// A file that is not even JSON: a binary plan, HCL, or something else.
fn not_json(path: &Path, bytes: &[u8], purpose: Purpose) -> TerraformError {
    let found = if bytes.starts_with(b"PK") {
        "a binary plan file (a zip archive), not its JSON".to_owned()
    } else if std::str::from_utf8(bytes).is_ok_and(looks_like_hcl) {
        "Terraform configuration (HCL), not the output of `terraform show -json`".to_owned()
    } else {
        "not JSON".to_owned()
    };
    TerraformError::WrongKind {
        path: path.to_owned(),
        expected: purpose.expected(),
        found,
        hint: purpose.hint(),
    }
}

fn looks_like_hcl(text: &str) -> bool {
    hcl::edit::parser::parse_body(text).is_ok_and(|body| !body.is_empty())
}

/// Tells apart the JSON documents people give by mistake, and refuses a format version keyward
/// does not know.
fn check_format(path: &Path, show: &ShowJson, purpose: Purpose) -> Result<(), TerraformError> {
    let wrong = |found: &str| TerraformError::WrongKind {
        path: path.to_owned(),
        expected: purpose.expected(),
        found: found.to_owned(),
        hint: purpose.hint(),
    };
    let Some(format) = &show.format_version else {
        return Err(wrong(if show.lineage.is_some() && show.serial.is_some() {
            "a raw state file (terraform.tfstate), not the output of `terraform show -json`"
        } else if show.schema_version.is_some() {
            "a keyward snapshot (give it to --snapshot)"
        } else if show.report_version.is_some() {
            "a keyward report"
        } else {
            "JSON without `format_version`, not the output of `terraform show -json`"
        }));
    };
    let version = format.as_str().unwrap_or_default();
    if version.split('.').next() != Some("1") {
        return Err(TerraformError::WrongKind {
            path: path.to_owned(),
            expected: "in a format keyward can read",
            found: format!("format_version {format}, and keyward reads the JSON output format 1.x"),
            hint: "keyward reads `terraform show -json` of Terraform 1.x and OpenTofu; upgrade keyward for a newer format",
        });
    }
    Ok(())
}
