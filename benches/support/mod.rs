//! What the policy evaluation benchmark needs besides timing: its options, statistics over
//! runs, the facts of the machine, and the tables and JSON it writes.

pub mod machine;
pub mod options;
pub mod report;
pub mod stats;
