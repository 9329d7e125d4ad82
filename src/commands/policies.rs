//! The policies a command works on, and the config checked against them.

use std::path::Path;
use std::time::Duration;

use crate::cli::{PolicyArgs, PolicyLimitArgs};
use crate::config::Config;
use crate::policy::{self, Limits, PolicySet, SourceFile};

use super::error::Error;

/// The built-in pack (unless left out) and the files below the user's policy directories.
pub fn sources(args: &PolicyArgs) -> Result<Vec<SourceFile>, Error> {
    let mut sources = if args.no_builtin {
        Vec::new()
    } else {
        policy::builtin_sources()
    };
    sources.extend(policy::read_dirs(&args.dirs)?);
    Ok(sources)
}

pub fn load(args: &PolicyArgs) -> Result<PolicySet, Error> {
    Ok(PolicySet::load(&sources(args)?)?.with_limits(limits(&args.limits)))
}

pub fn limits(args: &PolicyLimitArgs) -> Limits {
    Limits {
        timeout: Duration::from_secs(args.policy_timeout),
        memory_bytes: args.policy_memory * 1024 * 1024,
        max_findings: args.max_findings,
    }
}

/// The config named by `--config` (or `./keyward.yaml`), its rule ids checked against `policies`.
pub fn config(path: Option<&Path>, policies: &PolicySet) -> Result<Config, Error> {
    Ok(crate::config::load(path, |id| policies.rule(id).is_some())?)
}
