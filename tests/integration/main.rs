//! keyward's integration tests, in one test binary: linking the library and the AWS SDK once
//! instead of once per file, and sharing the helpers in `support/` without unused copies.

mod support;

mod action;
mod cli;
mod faults;
mod live;
mod policy_pack;
mod sarif;
mod standalone;
