//! IAM wildcard matching: `*` is any run of characters, `?` exactly one.

use crate::policy::glob::next_char;

/// Whether `text` matches `pattern`; `fold_case` for actions (case-insensitive), not for
/// ARNs. Linear-time two-pointer matching with one backtrack point, no allocation.
///
/// The match walks bytes, but `?` and the backtracking `*` step over whole UTF-8
/// characters: IAM's `?` is one character, and a tag value such as `café` must match
/// `caf?` (a byte-wise `?` would miss that allow).
pub fn glob_match(pattern: &str, text: &str, fold_case: bool) -> bool {
    if fold_case {
        glob_bytes_with::<true>(pattern.as_bytes(), text.as_bytes())
    } else {
        glob_bytes_with::<false>(pattern.as_bytes(), text.as_bytes())
    }
}

/// [`glob_match`] on bytes, case-sensitive.
fn glob_bytes(p: &[u8], t: &[u8]) -> bool {
    glob_bytes_with::<false>(p, t)
}

/// The matcher, monomorphised per case rule: it is the innermost loop of every policy
/// evaluation (actions, ARNs, `StringLike` values). `*` alone and a trailing `*` end the
/// search at once instead of walking the rest of the text.
fn glob_bytes_with<const FOLD: bool>(p: &[u8], t: &[u8]) -> bool {
    if p == b"*" {
        return true;
    }
    let eq = |a: u8, b: u8| {
        if FOLD {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    // `ti` stays on character boundaries: literals match whole characters byte by byte
    // (both sides are UTF-8), and `?` and the star's retries advance by a character.
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'?' {
            pi += 1;
            ti = next_char(t, ti);
        } else if pi < p.len() && p[pi] != b'*' && eq(p[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            if pi + 1 == p.len() {
                // A trailing star eats whatever is left.
                return true;
            }
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            let retry = next_char(t, star_t);
            pi = star_p + 1;
            ti = retry;
            star = Some((star_p, retry));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The definition the byte matcher's shortcuts are tested against: the single-backtrack
/// algorithm over characters, not bytes.
#[cfg(test)]
fn glob_reference(p: &str, t: &str, fold_case: bool) -> bool {
    let p: Vec<char> = p.chars().collect();
    let t: Vec<char> = t.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let eq = |a: char, b: char| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
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
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether `text` may hold a policy variable (`${...}`): a `memchr` for `$` first, so
/// the common answer (no) costs no substring searcher.
pub fn has_variable(text: &str) -> bool {
    text.as_bytes().contains(&b'$') && text.contains("${")
}

/// Whether some string matches both patterns (two globs intersect). Used for abstract
/// "any resource of service S in account A" targets, where a statement's resource
/// pattern only has to *possibly* cover one resource.
pub fn globs_intersect(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    let wild = |c: u8| c == b'*' || c == b'?';
    // Literal heads and tails must agree; trimming them first leaves the DP below only
    // the (usually tiny) middle, and settles most ARN pairs on its own.
    while let (Some(&x), Some(&y)) = (a.first(), b.first()) {
        if wild(x) || wild(y) {
            break;
        }
        if x != y {
            return false;
        }
        (a, b) = (&a[1..], &b[1..]);
    }
    while let (Some(&x), Some(&y)) = (a.last(), b.last()) {
        if wild(x) || wild(y) {
            break;
        }
        if x != y {
            return false;
        }
        (a, b) = (&a[..a.len() - 1], &b[..b.len() - 1]);
    }
    if a == b"*" || b == b"*" {
        // Every pattern matches some string, and `*` matches all of them.
        return true;
    }
    match (a.iter().any(|&c| wild(c)), b.iter().any(|&c| wild(c))) {
        (false, false) => return a == b,
        (true, false) => return glob_bytes(a, b),
        (false, true) => return glob_bytes(b, a),
        (true, true) => {}
    }
    // `*REST` against `LITERAL*` (the shape of a statement like `arn:aws:s3:::*logs*`
    // against a bucket's objects): the leading star eats LITERAL and REST matches some
    // string after it, which the trailing star takes.
    let literal_then_star =
        |p: &[u8]| p.last() == Some(&b'*') && !p[..p.len() - 1].iter().any(|&c| wild(c));
    if (a[0] == b'*' && literal_then_star(b)) || (b[0] == b'*' && literal_then_star(a)) {
        return true;
    }
    intersect_dp(a, b)
}

/// The general case of [`globs_intersect`]: a search over pairs of pattern positions.
fn intersect_dp(a: &[u8], b: &[u8]) -> bool {
    // reachable[i][j]: prefixes a[..i] and b[..j] can produce a common string.
    let width = b.len() + 1;
    let mut reachable = vec![false; (a.len() + 1) * width];
    reachable[0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reachable[i * width + j] {
                continue;
            }
            // A token is a byte, except that a star or a `?` facing a literal takes the
            // literal's whole UTF-8 character (as in `glob_match`).
            let a_star = i < a.len() && a[i] == b'*';
            let b_star = j < b.len() && b[j] == b'*';
            if a_star {
                reachable[(i + 1) * width + j] = true; // star matches nothing
                if j < b.len() {
                    reachable[i * width + next_char(b, j)] = true; // star eats b's next
                }
            }
            if b_star {
                reachable[i * width + j + 1] = true;
                if i < a.len() {
                    reachable[next_char(a, i) * width + j] = true;
                }
            }
            if i < a.len() && j < b.len() && !a_star && !b_star {
                let next = match (a[i], b[j]) {
                    (b'?', b'?') => Some((i + 1, j + 1)),
                    (b'?', _) => Some((i + 1, next_char(b, j))),
                    (_, b'?') => Some((next_char(a, i), j + 1)),
                    (x, y) if x == y => Some((i + 1, j + 1)),
                    _ => None,
                };
                if let Some((i, j)) = next {
                    reachable[i * width + j] = true;
                }
            }
        }
    }
    reachable[a.len() * width + b.len()]
}

/// The literal part of a pattern before its first wildcard.
pub fn literal_prefix(pattern: &str) -> &str {
    match pattern.find(['*', '?']) {
        Some(i) => &pattern[..i],
        None => pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_wildcards() {
        assert!(glob_match("s3:Get*", "s3:GetObject", false));
        assert!(glob_match("S3:get*", "s3:GetObject", true));
        assert!(!glob_match("S3:get*", "s3:GetObject", false));
        assert!(glob_match("*", "", false));
        assert!(glob_match("a?c", "abc", false));
        assert!(!glob_match("a?c", "ac", false));
        assert!(glob_match(
            "arn:aws:s3:::prod-*/*",
            "arn:aws:s3:::prod-x/k/y",
            false
        ));
        assert!(!glob_match(
            "arn:aws:s3:::prod-*",
            "arn:aws:s3:::dev-x",
            false
        ));
        assert!(glob_match("*a*b*", "xxaxxbxx", false));
        assert!(!glob_match("*a*b", "xxaxxbxx", false));
    }

    #[test]
    fn intersects_globs() {
        assert!(globs_intersect("arn:aws:s3:::*", "arn:aws:s3:::prod-*"));
        assert!(globs_intersect("*", "arn:aws:kms:*:1:*"));
        assert!(!globs_intersect("arn:aws:s3:::dev-*", "arn:aws:kms:*:1:*"));
        assert!(globs_intersect(
            "arn:aws:kms:us-east-1:1:key/*",
            "arn:aws:kms:*:1:*"
        ));
        assert!(!globs_intersect(
            "arn:aws:kms:us-east-1:2:key",
            "arn:aws:kms:*:1:*"
        ));
        assert!(globs_intersect("a?c", "*c"));
        // Literal heads and tails are compared before the general search.
        assert!(!globs_intersect("arn:aws:s3:::b/*", "arn:aws:s3:::c/*"));
        assert!(globs_intersect("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*"));
        assert!(globs_intersect("arn:aws:s3:::b/*", "arn:aws:s3:::b/x"));
        assert!(!globs_intersect(
            "arn:aws:s3:::b/*.txt",
            "arn:aws:s3:::b/*.csv"
        ));
        assert!(globs_intersect("a*b*c", "a*c"));
        assert!(!globs_intersect("ab", "a"));
        assert!(globs_intersect("a*", "a"));
        assert!(!globs_intersect("a?", "a"));
        assert!(globs_intersect("?", "*"));
    }

    #[test]
    fn shortcuts_agree_with_the_general_search() {
        // Every pattern of up to four tokens over {a, b, *, ?}, against each other.
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = patterns
                .iter()
                .filter(|p| p.len() == patterns.last().map_or(0, String::len))
                .flat_map(|p| ["a", "b", "*", "?"].map(|c| format!("{p}{c}")))
                .collect();
            patterns.extend(longer);
        }
        assert_eq!(patterns.len(), 341);
        for x in &patterns {
            for y in &patterns {
                assert_eq!(
                    globs_intersect(x, y),
                    intersect_dp(x.as_bytes(), y.as_bytes()),
                    "{x:?} {y:?}"
                );
            }
        }
    }

    #[test]
    fn question_mark_is_one_character() {
        assert!(glob_match("caf?", "café", false));
        assert!(!glob_match("caf??", "café", false));
        assert!(glob_match("?", "日", false));
        assert!(glob_match("*?x", "日x", false));
        assert!(!glob_match("*??x", "日x", false));
        assert!(glob_match("a*?", "aé", false));
        assert!(globs_intersect("?y*", "é*"));
        assert!(globs_intersect("caf?", "café"));
        assert!(!globs_intersect("caf??", "café"));
        assert!(globs_intersect("*??", "é*"));
    }

    #[test]
    fn multibyte_texts_agree_with_the_reference_matcher() {
        // Patterns of up to four tokens over {é, a, *, ?} against texts of up to four
        // letters over {é, 日, a}: `?` and the star's retries step over characters.
        let patterns = words(&["é", "a", "*", "?"], 4);
        let texts = words(&["é", "日", "a"], 4);
        for p in &patterns {
            for t in &texts {
                assert_eq!(
                    glob_match(p, t, false),
                    glob_reference(p, t, false),
                    "{p:?} {t:?}"
                );
            }
        }
    }

    #[test]
    fn intersections_have_a_common_text() {
        // Two patterns of up to three tokens over {é, a, *, ?} intersect exactly when a
        // text of up to six letters over {é, 日, a} matches both: each letter of a
        // shortest common text is taken by a non-star token of one of them.
        let patterns = words(&["é", "a", "*", "?"], 3);
        let texts = words(&["é", "日", "a"], 6);
        for x in &patterns {
            for y in &patterns {
                let common = texts
                    .iter()
                    .any(|t| glob_reference(x, t, false) && glob_reference(y, t, false));
                assert_eq!(globs_intersect(x, y), common, "{x:?} {y:?}");
            }
        }
    }

    /// Every concatenation of up to `length` of `letters`, the empty word first.
    fn words(letters: &[&str], length: usize) -> Vec<String> {
        let mut words = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..length {
            last = last
                .iter()
                .flat_map(|w| letters.iter().map(move |l| format!("{w}{l}")))
                .collect();
            words.extend(last.iter().cloned());
        }
        words
    }

    #[test]
    fn shortcuts_agree_with_the_reference_matcher() {
        // Every pattern of up to four tokens over {a, B, *, ?} against every text of up
        // to four letters over {a, b, A, B}, in both case rules.
        let mut patterns = vec![String::new()];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let last = patterns.last().map_or(0, String::len);
            let longer: Vec<String> = patterns
                .iter()
                .filter(|p| p.len() == last)
                .flat_map(|p| ["a", "B", "*", "?"].map(|c| format!("{p}{c}")))
                .collect();
            patterns.extend(longer);
            let last = texts.last().map_or(0, String::len);
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == last)
                .flat_map(|t| ["a", "b", "A", "B"].map(|c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for p in &patterns {
            for t in &texts {
                for fold in [false, true] {
                    assert_eq!(
                        glob_match(p, t, fold),
                        glob_reference(p, t, fold),
                        "{p:?} {t:?} {fold}"
                    );
                }
            }
        }
    }

    #[test]
    fn finds_variables() {
        assert!(has_variable("arn:aws:s3:::b/${aws:username}/*"));
        assert!(!has_variable("arn:aws:s3:::b/$x/*"));
        assert!(!has_variable("arn:aws:s3:::b/*"));
    }

    #[test]
    fn finds_literal_prefixes() {
        assert_eq!(literal_prefix("arn:aws:s3:::b*"), "arn:aws:s3:::b");
        assert_eq!(literal_prefix("abc"), "abc");
    }
}
