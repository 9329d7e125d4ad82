//! Where a command's main output goes.

use std::path::Path;

use super::error::Error;

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
