//! Wildcards as in IAM: `*` matches any run of characters, `?` any one character.

/// Whether `text` matches `pattern` (`*` and `?` wildcards, case-sensitive).
///
/// Linear-time two-pointer matching with backtracking to the last `*` only, so hostile
/// patterns cannot make it exponential.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn wildcards_match_as_in_iam() {
        assert!(glob_match(
            "arn:aws:secretsmanager:*:*:secret:payments/*",
            "arn:aws:secretsmanager:eu-west-1:1:secret:payments/db-AbC"
        ));
        assert!(!glob_match(
            "arn:aws:secretsmanager:*:*:secret:payments/*",
            "arn:aws:secretsmanager:eu-west-1:1:secret:orders/db"
        ));
        assert!(glob_match("s3:Get?bject", "s3:GetObject"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
        assert!(!glob_match("*a*a*a*a*a*b", &"a".repeat(200)));
    }
}
