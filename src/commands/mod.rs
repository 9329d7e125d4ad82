//! One function per subcommand; each returns the process exit code or an error (exit 2).

mod collect;
mod diff;
mod policy_test;
mod rules;
mod scan;

use std::io::Write;
use std::path::Path;

use crate::cli::{Cli, Command, PolicyArgs, PolicyCommand};
use crate::error::{Error, exit};
use crate::policy::{self, PolicySet, SourceFile};

pub fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Scan(args) => scan::run(&args),
        Command::Snapshot(args) => snapshot_command(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Policy(PolicyCommand::Test(args)) => policy_test::run(&args),
        Command::Schema => {
            let schema = crate::snapshot::json_schema();
            write_output(
                None,
                &(serde_json::to_string_pretty(&schema).expect("json") + "\n"),
            )?;
            Ok(exit::CLEAN)
        }
    }
}

/// `keyward snapshot`: one file, or with several accounts one file per account in a directory.
fn snapshot_command(args: &crate::cli::SnapshotArgs) -> Result<i32, Error> {
    let snapshots = collect::collect(&args.collect)?;
    if args.collect.org.is_multi_account() {
        crate::snapshot::save_all(&snapshots, &args.output)?;
    } else {
        crate::snapshot::save(&snapshots[0], &args.output)?;
    }
    eprintln!(
        "keyward: wrote {} snapshot{} to {}",
        snapshots.len(),
        if snapshots.len() == 1 { "" } else { "s" },
        args.output.display()
    );
    let incomplete = snapshots
        .iter()
        .any(|s| s.collection_errors.iter().any(|e| !e.sections.is_empty()));
    Ok(if incomplete {
        exit::INCOMPLETE
    } else {
        exit::CLEAN
    })
}

/// The policy sources a command works on: the built-in pack (unless left out) and the user's.
fn policy_sources(args: &PolicyArgs) -> Result<Vec<SourceFile>, Error> {
    let mut sources = if args.no_builtin {
        Vec::new()
    } else {
        policy::builtin_sources()
    };
    sources.extend(policy::read_dirs(&args.dirs)?);
    Ok(sources)
}

fn load_policies(args: &PolicyArgs) -> Result<PolicySet, Error> {
    Ok(PolicySet::load(&policy_sources(args)?)?)
}

/// Writes a report to the file given, or to standard output.
fn write_output(path: Option<&Path>, text: &str) -> Result<(), Error> {
    match path {
        Some(path) => std::fs::write(path, text).map_err(|source| Error::Output {
            path: path.to_owned(),
            source,
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`keyward … | head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}
