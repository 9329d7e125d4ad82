//! Effective access: who can really read each secret of an account, worked out with AWS's
//! documented policy evaluation logic (explicit Deny, identity policies, resource policies,
//! permissions boundaries, SCPs and RCPs, conditions), followed through role assumption and
//! the well-known IAM self-escalation routes. `docs/access.md` describes the model and what it
//! leaves out.
//!
//! The answer for every principal is a set over every secret at once (bit sets), built from
//! sets computed once per distinct statement, so the cost grows with principals plus secrets,
//! not with their product.

mod analysis;
mod bits;
mod catalog;
mod condition;
mod document;
mod engine;
mod escalation;
mod outside;
mod pattern;
mod readers;
mod resource_side;
mod source;
mod store;
mod summary;
mod universe;

pub use readers::each as each_secret_readers;
pub use source::summarize_source;
pub use summary::summarize;

#[cfg(test)]
mod tests;
