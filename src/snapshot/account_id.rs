//! AWS account ids: twelve ASCII digits. An id read from a file or an API names files
//! (`<account>.json`), directories and SARIF categories, so it is checked wherever it enters
//! keyward; an id that is anything else (`../../x`, an absolute path) is refused.

/// Checks that `id` is an AWS account id; the error says what it is instead, quoted safely.
pub fn check_account_id(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(format!(
        "{} is not an AWS account id (12 digits)",
        crate::text::quoted(id)
    ))
}

/// The 1-based line of the first occurrence of `value` in `text` (1 when absent): where an
/// error about a value found after parsing points, as neither parser keeps positions.
pub fn line_of(text: &str, value: &str) -> usize {
    if value.is_empty() {
        return 1;
    }
    text.find(value)
        .map_or(1, |offset| text[..offset].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_twelve_ascii_digits_are_an_account_id() {
        assert!(check_account_id("123456789012").is_ok());
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "../../x",
            "/etc/passwd",
            "12345678901a",
            "١٢٣٤٥٦٧٨٩٠١٢", // Arabic-Indic digits are digits, but not ASCII ones
            "123456789012\n",
        ] {
            assert!(check_account_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_error_quotes_the_id_without_its_control_characters() {
        let message = check_account_id("../x\n::error::y").unwrap_err();
        assert!(!message.contains('\n'), "{message}");
        assert!(message.contains("../x"), "{message}");
    }

    #[test]
    fn values_are_located_by_line() {
        assert_eq!(line_of("a\nb\n  \"id\": \"x\"\n", "\"x\""), 3);
        assert_eq!(line_of("a\nb\n", "zzz"), 1);
    }
}
