//! A one-line progress display on stderr while an account is collected.

use std::io::{IsTerminal, Write};

/// A one-line progress display on stderr, for terminals only.
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn new(wanted: bool) -> Progress {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
        }
    }

    pub fn update(&self, message: &str) {
        if self.enabled {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2Kkeyward: {message}");
            let _ = stderr.flush();
        }
    }

    pub fn finish(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}
