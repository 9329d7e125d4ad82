//! The policy engine: the built-in Rego pack plus the user's own, evaluated with regorus.

mod engine;
mod error;
mod input;
pub mod metadata;
mod raw_finding;
pub mod schedule;
mod source;
pub mod testing;

pub use engine::{PolicySet, Rule, read_dirs};
pub use error::PolicyError;
pub use input::{PolicyInput, evaluation_input, third_party_markers};
pub use raw_finding::RawFinding;
pub use source::{SourceFile, builtin_sources};
