//! Wildcards as in IAM: `*` matches any run of characters, `?` any one character.

/// Whether `text` matches `pattern` (`*` and `?` wildcards, case-sensitive): the
/// engine's matcher, so a CI rule's patterns read exactly as policy patterns do.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    blastgraph_engine::graph::authz::glob::glob_match(pattern, text, false)
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
        assert!(glob_match("team-?", "team-é"));
    }
}
