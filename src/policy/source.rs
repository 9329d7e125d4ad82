//! Rego sources: the built-in pack embedded at build time, and the user's files.

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// A Rego source file and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// A path for the user's files, `builtin:<path>` for the embedded pack.
    pub origin: String,
    pub text: String,
}

impl SourceFile {
    /// Test files sit beside the rule they test and are only loaded by `keyward policy test`.
    pub fn is_test(&self) -> bool {
        self.origin.ends_with("_test.rego")
    }

    /// Whether the file is one of the embedded pack's.
    pub fn is_builtin(&self) -> bool {
        self.origin.starts_with(BUILTIN_ORIGIN_PREFIX)
    }

    /// An embedded file's path inside the pack (`iam/root_access_keys.rego`).
    pub fn builtin_path(&self) -> Option<&str> {
        self.origin.strip_prefix(BUILTIN_ORIGIN_PREFIX)
    }
}

/// What the origin of an embedded file starts with, e.g. `builtin:iam/root_access_keys.rego`.
pub(super) const BUILTIN_ORIGIN_PREFIX: &str = "builtin:";

/// The embedded built-in pack, rule files and tests alike.
pub fn builtin_sources() -> Vec<SourceFile> {
    BUILTIN_POLICIES
        .iter()
        .map(|(path, text)| SourceFile {
            origin: format!("{BUILTIN_ORIGIN_PREFIX}{path}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// A bare regorus engine with the built-in pack and its tests loaded, for tests that read the
/// Rego tests' helpers (which must agree with what keyward works out before the rules run).
#[cfg(test)]
pub(super) fn engine_with_builtin_sources() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    for file in builtin_sources() {
        engine.add_policy(file.origin, file.text).unwrap();
    }
    engine
}
