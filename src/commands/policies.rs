//! The policies a command works on, and the config checked against them.

use std::path::Path;

use crate::cli::PolicyArgs;
use crate::config::Config;
use crate::policy::{self, PolicySet, SourceFile};

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
    Ok(PolicySet::load(&sources(args)?)?)
}

/// The config named by `--config` (or `./keyward.yaml`), its rule ids checked against `policies`.
pub fn config(path: Option<&Path>, policies: &PolicySet) -> Result<Config, Error> {
    Ok(crate::config::load(path, |id| policies.rule(id).is_some())?)
}
