//! `keyward snapshot`: one file, or with several accounts one file per account in a directory,
//! each written as soon as its collection ends.

use crate::cli::SnapshotArgs;

use super::error::{Error, exit};

pub fn run(args: &SnapshotArgs) -> Result<i32, Error> {
    let many = args.collect.org.is_multi_account();
    if many {
        super::files::create_dir(&args.output)?;
    }
    let mut incomplete = false;
    let written = super::collect::collect(&args.collect, |snapshot| {
        incomplete |= snapshot
            .collection_errors
            .iter()
            .any(|e| !e.sections.is_empty());
        if many {
            super::files::save_snapshot_in(&snapshot, &args.output)
        } else {
            super::files::save_snapshot(&snapshot, &args.output)
        }
    })?;
    super::console::note(&format!(
        "wrote {} snapshot{} to {}",
        written,
        if written == 1 { "" } else { "s" },
        crate::text::terminal_safe(&args.output.display().to_string())
    ));
    Ok(if incomplete {
        exit::INCOMPLETE
    } else {
        exit::CLEAN
    })
}
