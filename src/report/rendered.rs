//! What a renderer returns.

/// A rendered report, and anything the renderer had to leave out (printed on stderr).
pub struct Rendered {
    pub text: String,
    pub warnings: Vec<String>,
}

impl Rendered {
    /// A report rendered whole.
    pub(super) fn complete(text: String) -> Rendered {
        Rendered {
            text,
            warnings: Vec::new(),
        }
    }
}

/// A report that cannot be rendered in the format asked for.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReportError(pub String);
