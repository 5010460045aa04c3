//! IAM wildcard patterns: `*` matches any run of characters (including none), `?`
//! matches exactly one character. Used for actions (case-insensitive), resource ARNs
//! and `StringLike`/`ArnLike` values (case-sensitive).
//!
//! Matching runs over bytes with the classic single-backtrack algorithm, which is exact
//! for patterns made only of literals, `*` and `?`, and never allocates.

/// One element of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    /// A literal byte (already lowercased for case-insensitive patterns).
    Lit(u8),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A compiled wildcard pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Glob {
    toks: Box<[Tok]>,
    case_insensitive: bool,
    has_wildcards: bool,
}

impl Glob {
    /// Compiles `pattern`, reading `*` and `?` as wildcards.
    pub fn new(pattern: &str, case_insensitive: bool) -> Glob {
        let toks: Vec<Tok> = pattern
            .bytes()
            .map(|b| match b {
                b'*' => Tok::Star,
                b'?' => Tok::One,
                _ if case_insensitive => Tok::Lit(b.to_ascii_lowercase()),
                _ => Tok::Lit(b),
            })
            .collect();
        Glob::from_toks(toks, case_insensitive)
    }

    pub(crate) fn from_toks(toks: Vec<Tok>, case_insensitive: bool) -> Glob {
        let has_wildcards = toks.iter().any(|t| !matches!(t, Tok::Lit(_)));
        Glob {
            toks: toks.into_boxed_slice(),
            case_insensitive,
            has_wildcards,
        }
    }

    /// Whether the pattern contains `*` or `?`.
    pub fn has_wildcards(&self) -> bool {
        self.has_wildcards
    }

    /// Whether the pattern is exactly `*` (matches everything).
    pub fn is_match_all(&self) -> bool {
        self.toks.len() == 1 && self.toks[0] == Tok::Star
    }

    /// The literal prefix before the first wildcard (lowercased if case-insensitive).
    pub fn literal_prefix(&self) -> String {
        self.toks
            .iter()
            .map_while(|t| match t {
                Tok::Lit(b) => Some(*b as char),
                _ => None,
            })
            .collect()
    }

    /// Whether `text` matches the whole pattern.
    #[inline]
    pub fn matches(&self, text: &str) -> bool {
        match_toks(&self.toks, text.as_bytes(), self.case_insensitive, false)
    }

    /// Whether every string matched by the pattern `text` (itself holding `*`/`?`) is
    /// matched by `self`. Sufficient test: the wildcards of `text` may only be absorbed by
    /// a `*` of `self`.
    pub fn covers(&self, text: &str) -> bool {
        match_toks(&self.toks, text.as_bytes(), self.case_insensitive, true)
    }

    /// Whether some string is matched by both `self` and the pattern `other`.
    pub fn intersects(&self, other: &str) -> bool {
        let other = Glob::new(other, self.case_insensitive);
        intersect_toks(&self.toks, &other.toks)
    }

    pub(crate) fn toks(&self) -> &[Tok] {
        &self.toks
    }
}

/// The position after the UTF-8 character starting at `i` (ASCII: `i + 1`): how `?`
/// and a star's retries step, here and in the graph's matcher (`graph::authz::glob`).
#[inline]
pub(crate) fn next_char(s: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < s.len() && (s[i] & 0xC0) == 0x80 {
        i += 1;
    }
    i
}

/// The token after the character starting at token `i`: literals are bytes, and a
/// multi-byte character's continuation bytes belong to it.
fn next_tok_char(toks: &[Tok], i: usize) -> usize {
    let mut next = i + 1;
    while matches!(toks.get(next), Some(Tok::Lit(b)) if b & 0xC0 == 0x80) {
        next += 1;
    }
    next
}

/// Matches `s` against `p`. With `text_is_pattern`, a `*`/`?` in `s` can only be consumed
/// by a `*` of `p` (containment test).
pub(crate) fn match_toks(
    p: &[Tok],
    s: &[u8],
    case_insensitive: bool,
    text_is_pattern: bool,
) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            let c = s[si];
            let wild = text_is_pattern && (c == b'*' || c == b'?');
            match p[pi] {
                Tok::Star => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                Tok::One if !wild => {
                    pi += 1;
                    si = next_char(s, si);
                    continue;
                }
                Tok::Lit(l) if !wild => {
                    let c = if case_insensitive {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    };
                    if l == c {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                let ns = next_char(s, ss);
                star = Some((sp, ns));
                pi = sp + 1;
                si = ns;
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|t| *t == Tok::Star)
}

/// Whether two patterns have a common instance (dynamic programming over positions).
pub(crate) fn intersect_toks(a: &[Tok], b: &[Tok]) -> bool {
    let (n, m) = (a.len(), b.len());
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let k = i * (m + 1) + j;
        if seen[k] {
            continue;
        }
        seen[k] = true;
        if i == n && j == m {
            return true;
        }
        let ta = a.get(i).copied();
        let tb = b.get(j).copied();
        // A star or a `?` facing a literal takes the literal's whole UTF-8 character.
        if ta == Some(Tok::Star) {
            stack.push((i + 1, j));
            if j < m {
                stack.push((i, next_tok_char(b, j)));
            }
        }
        if tb == Some(Tok::Star) {
            stack.push((i, j + 1));
            if i < n {
                stack.push((next_tok_char(a, i), j));
            }
        }
        if let (Some(x), Some(y)) = (ta, tb) {
            let next = match (x, y) {
                (Tok::Lit(p), Tok::Lit(q)) => (p == q).then_some((i + 1, j + 1)),
                (Tok::Star, _) | (_, Tok::Star) => None,
                (Tok::One, Tok::Lit(_)) => Some((i + 1, next_tok_char(b, j))),
                (Tok::Lit(_), Tok::One) => Some((next_tok_char(a, i), j + 1)),
                (Tok::One, Tok::One) => Some((i + 1, j + 1)),
            };
            if let Some(next) = next {
                stack.push(next);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::Glob;

    // AWS IAM User Guide, "IAM JSON policy elements: Resource" (wildcards in ARNs) and
    // "IAM JSON policy elements: Action" (case-insensitive action names).
    #[test]
    fn table() {
        let cases: &[(&str, bool, &str, bool)] = &[
            (
                "arn:aws:s3:::bucket/*",
                false,
                "arn:aws:s3:::bucket/a/b/c",
                true,
            ),
            ("arn:aws:s3:::bucket/*", false, "arn:aws:s3:::bucket", false),
            (
                "arn:aws:s3:::logs-202?/*",
                false,
                "arn:aws:s3:::logs-2024/x",
                true,
            ),
            (
                "arn:aws:s3:::logs-202?/*",
                false,
                "arn:aws:s3:::logs-20245/x",
                false,
            ),
            (
                "arn:aws:s3:::bucket/*",
                false,
                "arn:aws:s3:::Bucket/k",
                false,
            ),
            ("s3:get*", true, "S3:GetObject", true),
            ("s3:getobjec?", true, "s3:GetObject", true),
            ("*", true, "", true),
            ("a*b*c", false, "aXbYbZc", true),
            ("a*b*c", false, "aXbYbZ", false),
            ("", false, "", true),
            ("?", false, "é", true),
            ("*x", false, "ééx", true),
        ];
        for (p, ci, t, want) in cases {
            assert_eq!(Glob::new(p, *ci).matches(t), *want, "{p} vs {t}");
        }
    }

    #[test]
    fn covers_and_intersects() {
        let g = Glob::new("arn:aws:s3:::b/*", false);
        assert!(g.covers("arn:aws:s3:::b/x*"));
        assert!(!Glob::new("a?b", false).covers("a*b"));
        assert!(!Glob::new("arn:aws:s3:::b/public/*", false).covers("arn:aws:s3:::b/*"));
        assert!(Glob::new("arn:aws:s3:::b/public/*", false).intersects("arn:aws:s3:::b/*"));
        assert!(!Glob::new("arn:aws:s3:::c/*", false).intersects("arn:aws:s3:::b/*"));
        assert!(Glob::new("a?c", false).intersects("*c"));
        assert!(!Glob::new("a?c", false).intersects("abd"));
        // `?` and stars take whole characters of a multi-byte literal.
        assert!(Glob::new("?y*", false).intersects("é*"));
        assert!(Glob::new("caf?", false).intersects("café"));
        assert!(!Glob::new("caf??", false).intersects("café"));
        assert!(Glob::new("*?", false).intersects("日"));
        assert!(!Glob::new("*??", false).intersects("日"));
    }
}
