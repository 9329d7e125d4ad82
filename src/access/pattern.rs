//! IAM's wildcards: `*` matches any run of characters (across `:` and `/`), `?` any one
//! character. Action names compare without regard to case, resource ARNs with it.

/// Whether `pattern` matches `text`, byte for byte (both already in the case they compare in).
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // Two pointers with backtracking to the last `*`: linear for the patterns IAM allows.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The literal text before a pattern's first wildcard: every match starts with it.
pub fn literal_prefix(pattern: &str) -> &str {
    let end = pattern.find(['*', '?']).unwrap_or(pattern.len());
    &pattern[..end]
}

/// Whether a pattern has no wildcard.
pub fn is_literal(pattern: &str) -> bool {
    !pattern.contains(['*', '?'])
}

/// Whether a pattern matches every text (`*`, `**`).
pub fn matches_everything(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.bytes().all(|c| c == b'*')
}

/// The account field of an ARN (`arn:aws:iam::111122223333:role/x` → `111122223333`); empty
/// for a service without accounts in its ARNs.
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?.split(':').nth(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_span_separators_and_question_marks_take_one_character() {
        assert!(matches("*", ""));
        assert!(matches(
            "arn:aws:secretsmanager:*:secret:*",
            "arn:aws:secretsmanager:us-east-1:1:secret:x"
        ));
        assert!(matches("s3:get*", "s3:getobject"));
        assert!(matches("s3:get?bject", "s3:getobject"));
        assert!(!matches("s3:get?bject", "s3:getbject"));
        assert!(matches("*object", "s3:putobject"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
        assert!(
            !matches("secret:app/*", "secret:App/x"),
            "resources compare with case"
        );
        assert_eq!(literal_prefix("arn:aws:s3:::b-?/*"), "arn:aws:s3:::b-");
        assert!(matches_everything("**") && !matches_everything("*a"));
        assert_eq!(
            arn_account("arn:aws:iam::111122223333:role/x"),
            Some("111122223333")
        );
        assert_eq!(arn_account("arn:aws:s3:::bucket"), Some(""));
        assert_eq!(arn_account("111122223333"), None);
    }
}
