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
}

/// The embedded built-in pack, rule files and tests alike.
pub fn builtin_sources() -> Vec<SourceFile> {
    BUILTIN_POLICIES
        .iter()
        .map(|(path, text)| SourceFile {
            origin: format!("builtin:{path}"),
            text: (*text).to_owned(),
        })
        .collect()
}
