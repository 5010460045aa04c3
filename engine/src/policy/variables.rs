//! Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"):
//! `${aws:username}`, `${aws:PrincipalTag/team}`, defaults `${aws:username, 'x'}`, and
//! the escapes `${*}`, `${?}`, `${$}` for literal `*`, `?` and `$`. Only documents with
//! `Version: 2012-10-17` resolve them; in older ones `${...}` is plain text.

use super::context::{Context, Lookup};
use super::glob::Tok;

/// One piece of a value containing policy variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Piece {
    /// Text as written: in wildcard contexts `*` and `?` are wildcards.
    Text(String),
    /// A literal character from an escape (`${*}` is a literal `*`).
    Escaped(u8),
    /// A variable: context key (lowercased) and optional default.
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A value with at least one variable or escape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// Outcome of resolving a template against a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Every variable had a value (or a default).
    Done,
    /// A variable has no value and no default: the value matches nothing.
    MatchesNothing,
    /// A variable's value is unknown.
    Unknown,
}

impl Template {
    /// Parses `text`; `None` when it has no `${...}` (use the plain text instead).
    pub fn parse(text: &str) -> Option<Template> {
        if !text.contains("${") {
            return None;
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut text_buf = String::new();
        while let Some(start) = rest.find("${") {
            text_buf.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                text_buf.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let inner = &after[..end];
            let piece = match inner {
                "*" => Some(Piece::Escaped(b'*')),
                "?" => Some(Piece::Escaped(b'?')),
                "$" => Some(Piece::Escaped(b'$')),
                _ => parse_var(inner),
            };
            match piece {
                Some(p) => {
                    if !text_buf.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text_buf)));
                    }
                    pieces.push(p);
                }
                None => text_buf.push_str(&rest[start..start + 2 + end + 1]),
            }
            rest = &after[end + 1..];
        }
        text_buf.push_str(rest);
        if !text_buf.is_empty() {
            pieces.push(Piece::Text(text_buf));
        }
        if pieces.iter().all(|p| matches!(p, Piece::Text(_))) {
            return None;
        }
        Some(Template { pieces })
    }

    /// The context keys (lowercased) this template reads.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Resolves into wildcard tokens (text wildcards stay wildcards, values are literal).
    pub(crate) fn resolve_glob(&self, ctx: &Context, out: &mut Vec<Tok>) -> Resolved {
        out.clear();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.extend(t.bytes().map(|b| match b {
                    b'*' => Tok::Star,
                    b'?' => Tok::One,
                    _ => Tok::Lit(b),
                })),
                Piece::Escaped(b) => out.push(Tok::Lit(*b)),
                Piece::Var { key, default } => match value_of(ctx, key, default.as_deref()) {
                    Ok(v) => out.extend(v.bytes().map(Tok::Lit)),
                    Err(r) => return r,
                },
            }
        }
        Resolved::Done
    }

    /// Resolves into plain text.
    pub(crate) fn resolve_text(&self, ctx: &Context, out: &mut String) -> Resolved {
        out.clear();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Escaped(b) => out.push(*b as char),
                Piece::Var { key, default } => match value_of(ctx, key, default.as_deref()) {
                    Ok(v) => out.push_str(v),
                    Err(r) => return r,
                },
            }
        }
        Resolved::Done
    }
}

fn value_of<'a>(
    ctx: &'a Context,
    key: &str,
    default: Option<&'a str>,
) -> Result<&'a str, Resolved> {
    match ctx.get_lower(key) {
        Lookup::Values([v]) => Ok(v.as_str()),
        // Multi-valued keys cannot be used as variables: no single value to substitute.
        Lookup::Values(_) | Lookup::Absent => default.ok_or(Resolved::MatchesNothing),
        Lookup::Unknown => Err(Resolved::Unknown),
    }
}

fn parse_var(inner: &str) -> Option<Piece> {
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let d = d.strip_prefix('\'')?.strip_suffix('\'')?;
            (k.trim(), Some(d.to_owned()))
        }
        None => (inner.trim(), None),
    };
    let valid = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'$' && b != b'{' && b != b'}');
    valid.then(|| Piece::Var {
        key: key.to_ascii_lowercase(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::Mode;

    // IAM User Guide, "IAM policy elements: Variables and tags": defaults, escapes, and
    // "if the variable has no value the policy matches nothing".
    #[test]
    fn resolution_table() {
        let mut ctx = Context::new(Mode::Strict);
        ctx.set("aws:username", "alice");
        let cases: &[(&str, Option<&str>)] = &[
            ("home/${aws:username}/*", Some("home/alice/*")),
            ("t/${aws:PrincipalTag/team, 'none'}", Some("t/none")),
            ("a${*}b${?}c${$}", Some("a*b?c$")),
            ("x/${aws:userid}", None),
        ];
        for (t, want) in cases {
            let tpl = Template::parse(t).unwrap();
            let mut s = String::new();
            let r = tpl.resolve_text(&ctx, &mut s);
            match want {
                Some(w) => assert_eq!((r, s.as_str()), (Resolved::Done, *w)),
                None => assert_eq!(r, Resolved::MatchesNothing),
            }
        }
        assert!(Template::parse("plain*").is_none());
        assert!(Template::parse("${unclosed").is_none());
        let tpl = Template::parse("${aws:username}").unwrap();
        assert_eq!(
            tpl.resolve_text(&Context::new(Mode::Discovery), &mut String::new()),
            Resolved::Unknown
        );
        let mut toks = Vec::new();
        Template::parse("a${*}*")
            .unwrap()
            .resolve_glob(&ctx, &mut toks);
        assert_eq!(toks, vec![Tok::Lit(b'a'), Tok::Lit(b'*'), Tok::Star]);
    }
}
