//! `keyward snapshot`: one file, or with several accounts one file per account in a directory.

use crate::cli::SnapshotArgs;

use super::error::{Error, exit};

pub fn run(args: &SnapshotArgs) -> Result<i32, Error> {
    let snapshots = super::collect::collect(&args.collect)?;
    if args.collect.org.is_multi_account() {
        super::files::save_snapshots(&snapshots, &args.output)?;
    } else {
        super::files::save_snapshot(&snapshots[0], &args.output)?;
    }
    super::console::note(&format!(
        "wrote {} snapshot{} to {}",
        snapshots.len(),
        if snapshots.len() == 1 { "" } else { "s" },
        crate::text::terminal_safe(&args.output.display().to_string())
    ));
    let incomplete = snapshots
        .iter()
        .any(|s| s.collection_errors.iter().any(|e| !e.sections.is_empty()));
    Ok(if incomplete {
        exit::INCOMPLETE
    } else {
        exit::CLEAN
    })
}
