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

/// Writes a JSON report to a file as it is serialised, never as one string.
pub fn write_json(path: &Path, report: &ScanReport) -> Result<(), Error> {
    super::files::write_with(path, |file| {
        let mut out = BufWriter::new(file);
        crate::report::json::write(report, &mut out)?;
        out.flush()
    })
}
