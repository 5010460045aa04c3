//! `Resource` / `NotResource` patterns, matched the way IAM matches ARNs (IAM User
//! Guide, "IAM JSON policy elements: Resource" and "IAM identifiers: ARNs"):
//!
//! * the six colon-separated parts are matched separately; `*` and `?` work within a
//!   part (partition, service, region and account compare without regard to case);
//! * the resource part starts with a resource type (`role/`, `function:`, `secret:`),
//!   which is matched literally ("you cannot use a wildcard in the portion of the ARN
//!   that specifies the resource type"); the rest (the id) is a case-sensitive pattern
//!   where `*` may span `/` and `:` and policy variables are resolved;
//! * a short pattern (fewer than six parts) is padded with `*` parts in identity,
//!   boundary and session policies; in resource policies only when it has a wildcard; in
//!   SCPs only with a trailing wildcard; never in RCPs.

use super::context::Context;
use super::glob::{intersect_toks, match_toks, Glob, Tok};
use super::parse::PolicyKind;
use super::tri::Tri;
use super::variables::{Resolved, Template};

/// One compiled resource pattern.
#[derive(Clone, Debug)]
pub struct ResourcePattern {
    /// The pattern as written.
    pub raw: String,
    shape: Shape,
}

#[derive(Clone, Debug)]
enum Shape {
    /// `*` (or `**`...): every resource.
    All,
    /// Never matches (a short ARN the policy type does not accept). `invertible`: whether
    /// `NotResource` may count this as "certainly not this resource".
    Nothing { invertible: bool },
    /// An ARN pattern.
    Arn(Box<ArnPattern>),
}

#[derive(Clone, Debug)]
struct ArnPattern {
    /// Partition, service, region, account (case-insensitive globs).
    head: [Glob; 4],
    /// The same four parts as written (for pattern-vs-pattern checks).
    head_raw: [String; 4],
    /// Literal resource-type prefix of the resource part (`role/`, `function:`, or empty).
    product: String,
    /// The rest of the resource part.
    id: Glob,
    /// The whole resource part as written.
    resource_raw: String,
    /// The id with policy variables, when it has any (2012-10-17 documents).
    id_template: Option<Template>,
    /// Padded from a short ARN: a mismatch proves nothing for `NotResource`.
    expanded: bool,
}

impl ResourcePattern {
    /// Compiles a pattern of a policy of `kind`; `variables` when `${...}` resolves.
    pub fn new(raw: &str, kind: PolicyKind, variables: bool) -> ResourcePattern {
        ResourcePattern {
            raw: raw.to_owned(),
            shape: Shape::new(raw, kind, variables),
        }
    }

    /// Whether the pattern uses policy variables.
    pub fn has_variables(&self) -> bool {
        matches!(&self.shape, Shape::Arn(a) if a.id_template.is_some())
    }

    /// Whether this pattern matches every resource.
    pub fn is_match_all(&self) -> bool {
        matches!(self.shape, Shape::All)
    }

    /// Tests a concrete resource (an ARN, or `*` for actions without resource types).
    pub fn matches(&self, resource: &str, ctx: &Context) -> Tri {
        self.test(resource, ctx).0
    }

    /// Like [`matches`](Self::matches), for `NotResource`: a mismatch that does not prove
    /// the resource is outside the pattern (an unresolvable policy variable, a padded short
    /// ARN, a pattern invalid for the policy type) counts as a match, so `NotResource`
    /// does not apply on such grounds.
    pub fn matches_for_exclusion(&self, resource: &str, ctx: &Context) -> Tri {
        match self.test(resource, ctx) {
            (Tri::False, false) => Tri::True,
            (t, _) => t,
        }
    }

    /// The match, and whether a mismatch is conclusive.
    fn test(&self, resource: &str, ctx: &Context) -> (Tri, bool) {
        match &self.shape {
            Shape::All => (Tri::True, true),
            Shape::Nothing { invertible } => (Tri::False, *invertible),
            Shape::Arn(a) => a.matches(resource, ctx),
        }
    }

    /// Tests a resource pattern of the request (holding `*`): with `cover`, whether the
    /// policy pattern covers all of it, otherwise whether the two overlap. Compared part
    /// by part; `?` in the request is literal.
    pub fn matches_pattern(&self, request: &str, ctx: &Context, cover: bool) -> Tri {
        let a = match &self.shape {
            Shape::All => return Tri::True,
            Shape::Nothing { .. } => return Tri::False,
            Shape::Arn(a) => a,
        };
        if request == "*" {
            // Any resource: some instance overlaps every pattern, none is fully covered.
            return Tri::from_bool(!cover);
        }
        let Some(parts) = split_arn(request) else {
            return Tri::False;
        };
        let resource_toks: Vec<Tok> = match &a.id_template {
            None => Glob::new(&a.resource_raw, false).toks().to_vec(),
            Some(t) => {
                let mut buf = Vec::new();
                match t.resolve_glob(ctx, &mut buf) {
                    Resolved::Done => {}
                    Resolved::MatchesNothing => return Tri::False,
                    Resolved::Unknown => return Tri::Unknown,
                }
                let mut toks: Vec<Tok> = a.product.bytes().map(Tok::Lit).collect();
                toks.extend(buf);
                toks
            }
        };
        let policy_parts: [Vec<Tok>; 5] = [
            Glob::new(&a.head_raw[0], false).toks().to_vec(),
            Glob::new(&a.head_raw[1], false).toks().to_vec(),
            Glob::new(&a.head_raw[2], false).toks().to_vec(),
            Glob::new(&a.head_raw[3], false).toks().to_vec(),
            resource_toks,
        ];
        let ok = policy_parts.iter().zip(parts.iter()).all(|(p, r)| {
            if cover {
                match_toks(p, r.as_bytes(), false, true)
            } else {
                intersect_toks(p, &request_toks(r))
            }
        });
        Tri::from_bool(ok)
    }
}

/// A request pattern's tokens: only `*` is a wildcard.
fn request_toks(s: &str) -> Vec<Tok> {
    s.bytes()
        .map(|b| if b == b'*' { Tok::Star } else { Tok::Lit(b) })
        .collect()
}

/// Splits an ARN into partition, service, region, account and resource.
fn split_arn(arn: &str) -> Option<[&str; 5]> {
    let mut it = arn.splitn(6, ':');
    it.next()?;
    Some([it.next()?, it.next()?, it.next()?, it.next()?, it.next()?])
}

impl Shape {
    fn new(raw: &str, kind: PolicyKind, variables: bool) -> Shape {
        if !raw.is_empty() && raw.bytes().all(|b| b == b'*') {
            return Shape::All;
        }
        let mut parts: Vec<&str> = raw.splitn(6, ':').collect();
        let expanded = parts.len() < 6;
        if expanded {
            let last_has_star = parts.last().is_some_and(|p| p.ends_with('*'));
            let any_star = raw.contains('*');
            let accept = match kind {
                PolicyKind::Identity | PolicyKind::Session | PolicyKind::Boundary => true,
                PolicyKind::Resource | PolicyKind::Trust => any_star,
                PolicyKind::Scp => last_has_star,
                PolicyKind::Rcp => false,
            };
            if !accept {
                // Resource policies silently skip such patterns; SCPs and RCPs reject them.
                let invertible = matches!(kind, PolicyKind::Resource | PolicyKind::Trust);
                return Shape::Nothing { invertible };
            }
            while parts.len() < 6 {
                parts.push("*");
            }
        }
        let (partition, service, region, account, resource) =
            (parts[1], parts[2], parts[3], parts[4], parts[5]);
        let product = product_of(service, region, account, resource);
        let id = &resource[product.len()..];
        Shape::Arn(Box::new(ArnPattern {
            head: [partition, service, region, account].map(|p| Glob::new(p, true)),
            head_raw: [partition, service, region, account].map(str::to_owned),
            product: product.to_owned(),
            id: Glob::new(id, false),
            resource_raw: resource.to_owned(),
            id_template: variables.then(|| Template::parse(id)).flatten(),
            expanded,
        }))
    }
}

/// The resource-type prefix of a resource part: up to and including the first `/` or
/// `:` (S3 bucket and object ARNs have none).
fn product_of<'a>(service: &str, region: &str, account: &str, resource: &'a str) -> &'a str {
    if service == "s3" && region.is_empty() && account.is_empty() {
        return "";
    }
    match resource.find(['/', ':']) {
        Some(i) => &resource[..=i],
        None => "",
    }
}

impl ArnPattern {
    /// The match, and whether a mismatch is conclusive.
    fn matches(&self, resource: &str, ctx: &Context) -> (Tri, bool) {
        let conclusive = !self.expanded;
        // Not an ARN (`*` for actions without resource types): certainly not matched.
        let Some(parts) = split_arn(resource) else {
            return (Tri::False, true);
        };
        if !self
            .head
            .iter()
            .zip(parts.iter())
            .all(|(g, p)| g.matches(p))
        {
            return (Tri::False, conclusive);
        }
        let Some(id) = parts[4].strip_prefix(self.product.as_str()) else {
            return (Tri::False, conclusive);
        };
        match &self.id_template {
            None => (Tri::from_bool(self.id.matches(id)), conclusive),
            Some(t) => {
                let mut buf = Vec::new();
                match t.resolve_glob(ctx, &mut buf) {
                    Resolved::Done => (
                        Tri::from_bool(match_toks(&buf, id.as_bytes(), false, false)),
                        conclusive,
                    ),
                    Resolved::MatchesNothing => (Tri::False, false),
                    Resolved::Unknown => (Tri::Unknown, true),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::Mode;

    fn m(pattern: &str, kind: PolicyKind, arn: &str) -> bool {
        ResourcePattern::new(pattern, kind, true).matches(arn, &Context::new(Mode::Strict))
            == Tri::True
    }

    // IAM User Guide, "IAM JSON policy elements: Resource" (wildcards within ARN parts)
    // and "IAM identifiers" (no wildcard in the resource-type portion).
    #[test]
    fn arn_table() {
        use PolicyKind::*;
        let cases: &[(&str, PolicyKind, &str, bool)] = &[
            (
                "arn:aws:s3:::bucket/*",
                Identity,
                "arn:aws:s3:::bucket/a/b:c",
                true,
            ),
            (
                "arn:aws:s3:::bucket/*",
                Identity,
                "arn:aws:s3:::bucket",
                false,
            ),
            (
                "arn:aws:s3:::Bucket/*",
                Identity,
                "arn:aws:s3:::bucket/k",
                false,
            ),
            (
                "arn:aws:iam::*:role/app-*",
                Identity,
                "arn:aws:iam::111111111111:role/app-web",
                true,
            ),
            (
                "arn:aws:iam::111111111111:r?le/admin",
                Identity,
                "arn:aws:iam::111111111111:role/admin",
                false,
            ),
            (
                "arn:aws:iam::111111111111:role*",
                Identity,
                "arn:aws:iam::111111111111:role/admin",
                true,
            ),
            ("arn:aws:s3::?data", Identity, "arn:aws:s3:::data", false),
            (
                "arn:aws:lambda:us-east-1:111111111111:function:*",
                Identity,
                "arn:aws:lambda:us-east-1:111111111111:function:f",
                true,
            ),
            (
                "arn:aws:lambda:*:111111111111:function:f",
                Identity,
                "arn:aws:lambda:us-east-1:111111111111:function:f",
                true,
            ),
            (
                "arn:aws:iam::111111111111",
                Identity,
                "arn:aws:iam::111111111111:role/x",
                true,
            ),
            (
                "arn:aws:iam::111111111111",
                Resource,
                "arn:aws:iam::111111111111:role/x",
                false,
            ),
            (
                "arn:aws:iam::*",
                Resource,
                "arn:aws:iam::111111111111:role/x",
                true,
            ),
            (
                "arn:aws:iam::*",
                Rcp,
                "arn:aws:iam::111111111111:role/x",
                false,
            ),
            ("*", Rcp, "anything", true),
            (
                "ARN:AWS:IAM::111111111111:ROLE/ADMIN",
                Identity,
                "arn:aws:iam::111111111111:role/ADMIN",
                false,
            ),
            (
                "arn:AWS:iam::111111111111:role/ADMIN",
                Identity,
                "arn:aws:iam::111111111111:role/ADMIN",
                true,
            ),
        ];
        for (p, kind, arn, want) in cases {
            assert_eq!(m(p, *kind, arn), *want, "{p} ({kind:?}) vs {arn}");
        }
    }

    #[test]
    fn request_patterns() {
        let ctx = Context::new(Mode::Strict);
        let p = ResourcePattern::new("arn:aws:s3:::b/public/*", PolicyKind::Identity, true);
        assert_eq!(
            p.matches_pattern("arn:aws:s3:::b/*", &ctx, false),
            Tri::True
        );
        assert_eq!(
            p.matches_pattern("arn:aws:s3:::b/*", &ctx, true),
            Tri::False
        );
        let q = ResourcePattern::new("arn:aws:s3:::b/*", PolicyKind::Identity, true);
        assert_eq!(
            q.matches_pattern("arn:aws:s3:::b/x*", &ctx, true),
            Tri::True
        );
        assert_eq!(
            q.matches_pattern("arn:aws:s3:::c/*", &ctx, false),
            Tri::False
        );
    }
}
