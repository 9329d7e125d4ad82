//! `keyward snapshot`: one file, or with several accounts one file per account in a directory,
//! each written as soon as its collection ends.

use crate::cli::SnapshotArgs;
use crate::snapshot::{CollectionError, Snapshot};
use crate::text::terminal_safe;

use super::error::{Error, exit};

/// Gaps printed one per line; past this many, only how many more there are.
const MAX_GAPS_LISTED: usize = 20;

pub fn run(args: &SnapshotArgs) -> Result<i32, Error> {
    let many = args.collect.org.is_multi_account();
    if many {
        super::files::create_dir(&args.output)?;
    }
    // The gaps, described as each snapshot arrives: the snapshots themselves are let go.
    let mut gaps: Vec<String> = Vec::new();
    let written = super::collect::collect(&args.collect, |snapshot| {
        gaps.extend(
            snapshot
                .collection_errors
                .iter()
                .filter(|e| !e.sections.is_empty() || e.is_region_discovery())
                .map(|e| describe(&snapshot, e)),
        );
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
        terminal_safe(&args.output.display().to_string())
    ));
    if gaps.is_empty() {
        return Ok(exit::CLEAN);
    }
    explain_incomplete(&gaps);
    Ok(exit::INCOMPLETE)
}

/// Exit code 3 says "incomplete"; these lines say what is missing and what it means.
fn explain_incomplete(gaps: &[String]) {
    for gap in gaps.iter().take(MAX_GAPS_LISTED) {
        super::console::warning(&terminal_safe(gap));
    }
    if gaps.len() > MAX_GAPS_LISTED {
        super::console::warning(&format!(
            "{} more collection errors: the snapshot's `collection_errors` lists them all",
            gaps.len() - MAX_GAPS_LISTED
        ));
    }
    super::console::warning(&format!(
        "the snapshot is incomplete (exit code 3): {} call{} failed, and the rules that need \
         what {} left out will report it as not evaluated",
        gaps.len(),
        if gaps.len() == 1 { "" } else { "s" },
        if gaps.len() == 1 { "it" } else { "they" },
    ));
}

/// `123456789012 eu-west-1: secretsmanager ListSecrets failed (access_denied): … [sections]`.
fn describe(snapshot: &Snapshot, error: &CollectionError) -> String {
    let scope = [error.region.as_deref(), error.resource.as_deref()]
        .into_iter()
        .flatten()
        .fold(snapshot.account.id.clone(), |scope, part| {
            format!("{scope} {part}")
        });
    let sections: Vec<String> = if error.is_region_discovery() {
        crate::snapshot::REGION_DISCOVERY_SECTIONS
            .iter()
            .map(|s| s.name())
            .collect()
    } else {
        error.sections.iter().map(|s| s.name()).collect()
    };
    format!(
        "{scope}: {} {} failed ({}): {} [{}]",
        error.service,
        error.operation,
        error.kind.name(),
        error.message,
        sections.join(", ")
    )
}
