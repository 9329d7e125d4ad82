//! Where in the `.tf` files a resource is defined: the line of its `resource` (or `data`)
//! block, found by parsing the configuration with hcl-rs (hcl-edit keeps each block's byte
//! span). Module-aware: a resource in a module is looked up in the module's directory, a local
//! `source` path or the directory `terraform init` recorded in `.terraform/modules/modules.json`;
//! a resource of a module from outside the repository points at the `module` block that calls it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hcl::edit::Span;
use hcl::edit::structure::{Block, Body};
use serde::Deserialize;

use crate::model::{FileLocation, Finding, ScanReport};
use crate::snapshot::PlannedResource;

use super::document::TerraformError;
use super::instances::module_path;

/// The blocks of one module directory.
#[derive(Debug, Default)]
struct ModuleSource {
    /// `resource.TYPE.NAME` / `data.TYPE.NAME` / `module.NAME` -> its location.
    blocks: HashMap<String, FileLocation>,
    /// Module call name -> its `source` string.
    sources: HashMap<String, String>,
}

/// The resources of a plan or state, each with the file and line that defines it.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// Subject ARN -> (address, resource type, location), in plan order.
    by_subject: HashMap<String, Vec<(String, String, FileLocation)>>,
}

impl SourceMap {
    /// Finds where each resource is defined under `dir` (the root module).
    pub fn new(resources: &[PlannedResource], dir: &Path) -> Result<SourceMap, TerraformError> {
        let mut finder = Finder {
            root: normalize(dir),
            installed: installed_modules(dir),
            modules: HashMap::new(),
        };
        let mut map = SourceMap::default();
        for resource in resources {
            let Some(subject) = &resource.subject else {
                continue;
            };
            if let Some(location) = finder.locate(&resource.address)? {
                map.by_subject.entry(subject.clone()).or_default().push((
                    resource.address.clone(),
                    resource.resource_type.clone(),
                    location,
                ));
            }
        }
        Ok(map)
    }

    /// Puts each finding on a resource Terraform defines on that resource's line.
    pub fn locate(&self, report: &mut ScanReport) {
        for account in &mut report.accounts {
            for finding in account
                .findings
                .iter_mut()
                .chain(account.fixed_by_plan.iter_mut())
            {
                if finding.location.is_none() {
                    finding.location = self.location(finding).map(Box::new);
                }
            }
        }
    }

    /// The block a finding is about: the one its evidence names (`address`, as plan rules
    /// write it), else the resource that defines the ARN (the user, not its access key), else
    /// the first that configures it.
    fn location(&self, finding: &Finding) -> Option<FileLocation> {
        let candidates = self.by_subject.get(&finding.resource)?;
        let evidence = finding.evidence.to_map();
        let address = evidence.get("address").and_then(|a| a.as_str());
        candidates
            .iter()
            .find(|(candidate, _, _)| Some(candidate.as_str()) == address)
            .or_else(|| {
                candidates
                    .iter()
                    .find(|(_, kind, _)| DEFINING.contains(&kind.as_str()))
            })
            .or_else(|| candidates.first())
            .map(|(_, _, location)| location.clone())
    }
}

/// Resource types that define the entity their ARN names.
const DEFINING: &[&str] = &[
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_secretsmanager_secret",
    "aws_iam_account_password_policy",
];

struct Finder {
    root: PathBuf,
    /// Module key (`a.b`) -> directory, from `.terraform/modules/modules.json`.
    installed: HashMap<String, PathBuf>,
    modules: HashMap<PathBuf, ModuleSource>,
}

impl Finder {
    /// The location of an instance address: its block, or the `module` block through which
    /// a module from outside the repository brings it.
    fn locate(&mut self, address: &str) -> Result<Option<FileLocation>, TerraformError> {
        let (module, resource) = split_address(address);
        let path = module_path(&module);
        let mut dir = self.root.clone();
        for (depth, name) in path.iter().enumerate() {
            let source = self.module(&dir)?;
            let call = source.blocks.get(&format!("module.{name}")).cloned();
            let local = source
                .sources
                .get(name)
                .filter(|s| s.starts_with("./") || s.starts_with("../"))
                .cloned();
            let next = match &local {
                Some(local) => Some(dir.join(local)),
                None => self.installed.get(&path[..=depth].join(".")).cloned(),
            };
            match next {
                Some(next) if local.is_some() => dir = normalize(&next),
                // A module from a registry or git: its code is not the repository's to change,
                // the call is.
                _ => return Ok(call),
            }
        }
        Ok(self.module(&dir)?.blocks.get(&resource).cloned())
    }

    fn module(&mut self, dir: &Path) -> Result<&ModuleSource, TerraformError> {
        if !self.modules.contains_key(dir) {
            let source = read_module(dir)?;
            self.modules.insert(dir.to_owned(), source);
        }
        Ok(&self.modules[dir])
    }
}

/// A path with `.` and `dir/..` taken out, as written (not resolved on disk), so that reports
/// show `modules/secret/main.tf` rather than `./././modules/secret/main.tf`.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// `module.a["k"].aws_iam_user.x[0]` -> (`module.a["k"]`, `resource.aws_iam_user.x`).
fn split_address(address: &str) -> (String, String) {
    let mut module = String::new();
    let mut rest = address;
    while rest.starts_with("module.") {
        let after = &rest["module.".len()..];
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let mut end = "module.".len() + name_end;
        if rest[end..].starts_with('[') {
            end += key_length(&rest[end..]);
        }
        if !module.is_empty() {
            module.push('.');
        }
        module.push_str(&rest[..end]);
        rest = rest[end..].strip_prefix('.').unwrap_or("");
    }
    let without_key = rest.split('[').next().unwrap_or(rest);
    let resource = if without_key.starts_with("data.") {
        without_key.to_owned()
    } else {
        format!("resource.{without_key}")
    };
    (module, resource)
}

/// The length of a `[…]` key at the start of `text`, quoted `]` included.
fn key_length(text: &str) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return i + 1,
            _ => {}
        }
    }
    text.len()
}

/// Every `resource`, `data` and `module` block of the `.tf` files of one directory.
fn read_module(dir: &Path) -> Result<ModuleSource, TerraformError> {
    let mut source = ModuleSource::default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(source); // not checked out here: findings keep their resource location
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| TerraformError::Io {
            path: file.clone(),
            source,
        })?;
        let body = hcl::edit::parser::parse_body(&text).map_err(|e| TerraformError::Source {
            path: file.clone(),
            message: format!("cannot parse it as HCL: {e}"),
        })?;
        collect_blocks(&body, &text, &file, &mut source);
    }
    Ok(source)
}

fn collect_blocks(body: &Body, text: &str, file: &Path, into: &mut ModuleSource) {
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        let key = match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => format!("resource.{kind}.{name}"),
            ("data", [kind, name]) => format!("data.{kind}.{name}"),
            ("module", [name]) => {
                if let Some(source) = module_source(block) {
                    into.sources.insert((*name).to_owned(), source);
                }
                format!("module.{name}")
            }
            _ => continue,
        };
        let line = block
            .span()
            .map_or(1, |span| text[..span.start].matches('\n').count() + 1);
        into.blocks.insert(
            key,
            FileLocation {
                path: normalize(file).display().to_string(),
                line,
            },
        );
    }
}

fn module_source(block: &Block) -> Option<String> {
    let attribute = block.body.get_attribute("source")?;
    attribute.value.as_str().map(str::to_owned)
}

/// `.terraform/modules/modules.json`, written by `terraform init`: module key -> directory.
fn installed_modules(root: &Path) -> HashMap<String, PathBuf> {
    #[derive(Deserialize)]
    struct Manifest {
        #[serde(rename = "Modules", default)]
        modules: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        #[serde(rename = "Key")]
        key: String,
        #[serde(rename = "Dir")]
        dir: String,
    }
    let manifest = std::fs::read_to_string(root.join(".terraform/modules/modules.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Manifest>(&text).ok());
    let by_key: BTreeMap<String, PathBuf> = manifest
        .map(|m| {
            m.modules
                .into_iter()
                .map(|e| (e.key, root.join(e.dir)))
                .collect()
        })
        .unwrap_or_default();
    by_key.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_module_and_block() {
        assert_eq!(
            split_address(r#"module.a["x.y"].module.b[0].aws_iam_user.u["k"]"#),
            (
                r#"module.a["x.y"].module.b[0]"#.to_owned(),
                "resource.aws_iam_user.u".to_owned()
            )
        );
        assert_eq!(
            split_address("data.aws_iam_policy_document.d"),
            (String::new(), "data.aws_iam_policy_document.d".to_owned())
        );
    }

    #[test]
    fn paths_are_normalized_as_written() {
        assert_eq!(
            normalize(Path::new("./././modules/x")),
            PathBuf::from("modules/x")
        );
        assert_eq!(
            normalize(Path::new("infra/./a/../modules/x")),
            PathBuf::from("infra/modules/x")
        );
        assert_eq!(normalize(Path::new("../up/x")), PathBuf::from("../up/x"));
        assert_eq!(normalize(Path::new(".")), PathBuf::from("."));
    }
}
