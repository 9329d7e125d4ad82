//! The policies a command works on, and the config checked against them.

use std::path::Path;
use std::time::Duration;

use crate::cli::{PolicyArgs, PolicyLimitArgs};
use crate::config::Config;
use crate::policy::{self, Limits, PolicySet, SourceFile};

use super::error::Error;
use crate::text::terminal_safe;

/// The built-in pack (unless left out) and the files below the user's policy directories. A
/// directory that is a checkout of the built-in pack (`keyward policy test policies` in this
/// repository) takes the embedded copy's place: loading both would run every rule and test
/// twice, in one namespace.
pub fn sources(args: &PolicyArgs) -> Result<Vec<SourceFile>, Error> {
    let builtin = policy::builtin_sources();
    let checkout = args
        .dirs
        .iter()
        .find(|dir| is_builtin_checkout(dir, &builtin));
    if let (Some(dir), false) = (checkout, args.no_builtin) {
        super::console::note(&format!(
            "{} is a copy of the built-in pack: it is loaded instead of the embedded one",
            terminal_safe(&dir.display().to_string())
        ));
    }
    let mut sources = if args.no_builtin || checkout.is_some() {
        Vec::new()
    } else {
        builtin
    };
    sources.extend(policy::read_dirs(&args.dirs)?);
    Ok(sources)
}

/// Whether `dir` holds a file at the path of each of the built-in pack's files.
fn is_builtin_checkout(dir: &Path, builtin: &[SourceFile]) -> bool {
    builtin
        .iter()
        .filter_map(SourceFile::builtin_path)
        .all(|path| dir.join(path).is_file())
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
