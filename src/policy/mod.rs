//! The policy engine: the built-in Rego pack plus the user's own, evaluated with regorus.

pub mod controls;
mod engine;
mod error;
mod input;
mod key_identity;
mod limits;
pub mod memory;
pub mod metadata;
mod raw_finding;
mod recursion;
mod regorus_value;
pub mod schedule;
mod secret_history;
mod source;
pub mod testing;

pub use controls::builtin_catalogue;
pub use engine::{PolicySet, Rule, read_dirs};
pub use error::PolicyError;
pub use input::{PolicyInput, evaluation_input, third_party_markers};
pub use limits::Limits;
pub use raw_finding::RawFinding;
pub use source::{SourceFile, builtin_sources};
