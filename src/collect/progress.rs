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
            // Only this line's own escape sequence reaches the terminal: the message names
            // accounts and regions that AWS answered with.
            let message = crate::text::terminal_safe(message);
            let _ = write!(stderr, "\r\x1b[2Kkeyward: {message}");
            let _ = stderr.flush();
        }
    }

    pub fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
