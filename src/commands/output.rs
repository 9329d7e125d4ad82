//! Where a command's main output goes.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::error::Error;
use crate::model::ScanReport;

/// Writes a report to the file given, or to standard output.
pub fn write(path: Option<&Path>, text: &str) -> Result<(), Error> {
    match path {
        Some(path) => super::files::write(path, text.as_bytes()),
        None => {
            super::console::stdout(text);
            Ok(())
        }
    }
}

/// Writes a command's output as `fill` produces it, never as one string: into the file given
/// (whole or not at all, as `write`), or to standard output (`styled`: whether the output may
/// hold colour, see `console::stdout_with`).
pub fn write_with(
    path: Option<&Path>,
    styled: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    match path {
        Some(path) => super::files::write_with(path, |file| {
            let mut out = BufWriter::new(file);
            fill(&mut out)?;
            out.flush()
        }),
        None => {
            super::console::stdout_with(styled, fill);
            Ok(())
        }
    }
}

/// Writes a JSON report as it is serialised, to the file given or to standard output.
pub fn write_json(path: Option<&Path>, report: &ScanReport) -> Result<(), Error> {
    write_with(path, false, |out| crate::report::json::write(report, out))
}
