//! Report formats. Each reads the finished scan result; none evaluates anything.

/// Width for terminal tables: $COLUMNS when set, else 80 (the target for readable output).
pub fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|&w: &usize| w >= 40)
        .unwrap_or(80)
}
