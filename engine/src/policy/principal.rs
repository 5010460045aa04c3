//! `Principal` / `NotPrincipal` matching (IAM User Guide, "AWS JSON policy elements:
//! Principal" and "...: NotPrincipal").

use super::ast::PrincipalSpec;
use super::context::{Principal, PrincipalKind};

/// How a `Principal` element matched the caller. The kind matters for the decision:
/// naming an account only delegates to that account's identity policies, naming the
/// caller's user or session ARN also bypasses its permissions boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Not matched.
    None,
    /// The caller's account was named (`123456789012` or `arn:aws:iam::123456789012:root`).
    Account,
    /// Everyone (`"*"`, `{"AWS": "*"}`), or matched through `NotPrincipal`.
    Wildcard,
    /// The role of the caller's session was named (role ARN).
    Role,
    /// The caller itself was named: its user, session, root, service or provider id.
    Exact,
}

/// A compiled `Principal` / `NotPrincipal`.
#[derive(Clone, Debug)]
pub struct PrincipalMatcher {
    negated: bool,
    spec: PrincipalSpec,
    any: bool,
    accounts: Vec<String>,
}

impl PrincipalMatcher {
    /// Compiles a principal element.
    pub fn new(spec: &PrincipalSpec, negated: bool) -> PrincipalMatcher {
        let any = spec.wildcard || spec.aws.iter().any(|a| a == "*");
        let accounts = spec
            .aws
            .iter()
            .filter_map(|a| {
                if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
                    return Some(a.clone());
                }
                let parts: Vec<&str> = a.splitn(6, ':').collect();
                (parts.len() == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[5] == "root")
                    .then(|| parts[4].to_owned())
            })
            .collect();
        PrincipalMatcher {
            negated,
            spec: spec.clone(),
            any,
            accounts,
        }
    }

    /// Whether this is `NotPrincipal`.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The element as written.
    pub fn spec(&self) -> &PrincipalSpec {
        &self.spec
    }

    /// Whether the element names everyone (`"*"` / `{"AWS": "*"}`).
    pub fn is_wildcard(&self) -> bool {
        self.any
    }

    /// Account ids named (bare or as root ARNs).
    pub fn accounts(&self) -> &[String] {
        &self.accounts
    }

    /// How the caller matches. For `NotPrincipal`, the statement applies (as
    /// [`PrincipalMatch::Wildcard`]) unless the caller is named exactly, through its
    /// role, or by `*`; naming only the caller's account does not exempt it.
    pub fn matches(&self, p: &Principal) -> PrincipalMatch {
        let m = self.positive(p);
        if !self.negated {
            return m;
        }
        match m {
            PrincipalMatch::None | PrincipalMatch::Account => PrincipalMatch::Wildcard,
            _ => PrincipalMatch::None,
        }
    }

    fn positive(&self, p: &Principal) -> PrincipalMatch {
        let mut best = PrincipalMatch::None;
        match p.kind {
            PrincipalKind::Service => {
                if self.spec.service.iter().any(|s| s == &p.arn) {
                    return PrincipalMatch::Exact;
                }
            }
            PrincipalKind::IdentityProvider => {
                if self.spec.federated.iter().any(|s| s == &p.arn) {
                    return PrincipalMatch::Exact;
                }
            }
            PrincipalKind::Anonymous => {}
            _ => {
                if self.spec.aws.iter().any(|a| a == &p.arn) {
                    return PrincipalMatch::Exact;
                }
                if let PrincipalKind::AssumedRole { role_name } = &p.kind {
                    if self
                        .spec
                        .aws
                        .iter()
                        .any(|a| names_role(a, p.account.as_deref(), role_name))
                    {
                        best = PrincipalMatch::Role;
                    }
                }
                if best == PrincipalMatch::None
                    && p.account
                        .as_ref()
                        .is_some_and(|acct| self.accounts.iter().any(|a| a == acct))
                {
                    best = if p.kind == PrincipalKind::Root {
                        PrincipalMatch::Exact
                    } else {
                        PrincipalMatch::Account
                    };
                }
            }
        }
        if best == PrincipalMatch::None && self.matches_everyone(p) {
            best = PrincipalMatch::Wildcard;
        }
        best
    }

    fn matches_everyone(&self, p: &Principal) -> bool {
        // `{"AWS": "*"}` is documented as equivalent to `"*"`.
        self.any || (p.kind == PrincipalKind::Anonymous && self.spec.wildcard)
    }
}

/// Whether `arn` is the ARN of role `role_name` (any path) in `account`.
fn names_role(arn: &str, account: Option<&str>, role_name: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "iam"
        && Some(parts[4]) == account
        && parts[5].starts_with("role/")
        && parts[5].rsplit('/').next() == Some(role_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(aws: &[&str]) -> PrincipalSpec {
        PrincipalSpec {
            aws: aws.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    // IAM User Guide, "AWS JSON policy elements: Principal": account ids, root ARNs,
    // role ARNs (match the role's sessions), session ARNs, "*".
    #[test]
    fn principal_table() {
        use PrincipalMatch::*;
        let session = Principal::parse("arn:aws:sts::111111111111:assumed-role/dev/s1");
        let user = Principal::parse("arn:aws:iam::111111111111:user/alice");
        let cases: &[(&[&str], &Principal, PrincipalMatch)] = &[
            (&["111111111111"], &user, Account),
            (&["arn:aws:iam::111111111111:root"], &session, Account),
            (&["arn:aws:iam::111111111111:role/path/dev"], &session, Role),
            (
                &["arn:aws:sts::111111111111:assumed-role/dev/s1"],
                &session,
                Exact,
            ),
            (&["arn:aws:iam::111111111111:user/alice"], &user, Exact),
            (&["arn:aws:iam::111111111111:user/bob"], &user, None),
            (&["222222222222"], &user, None),
            (&["*"], &user, Wildcard),
        ];
        for (aws, p, want) in cases {
            assert_eq!(
                PrincipalMatcher::new(&spec(aws), false).matches(p),
                *want,
                "{aws:?} {}",
                p.arn
            );
        }
    }

    // IAM User Guide, "AWS JSON policy elements: NotPrincipal": only the listed
    // principals are exempt; listing the account does not exempt its other principals.
    #[test]
    fn not_principal() {
        let m = PrincipalMatcher::new(
            &spec(&[
                "arn:aws:iam::111111111111:role/admin",
                "arn:aws:iam::111111111111:root",
            ]),
            true,
        );
        let alice = Principal::parse("arn:aws:iam::111111111111:user/alice");
        let admin = Principal::parse("arn:aws:sts::111111111111:assumed-role/admin/s");
        assert_eq!(m.matches(&alice), PrincipalMatch::Wildcard);
        assert_eq!(m.matches(&admin), PrincipalMatch::None);
        let svc = PrincipalMatcher::new(
            &PrincipalSpec {
                service: vec!["sns.amazonaws.com".into()],
                ..Default::default()
            },
            false,
        );
        assert_eq!(
            svc.matches(&Principal::parse("sns.amazonaws.com")),
            PrincipalMatch::Exact
        );
        assert_eq!(svc.matches(&alice), PrincipalMatch::None);
        let star = PrincipalMatcher::new(
            &PrincipalSpec {
                wildcard: true,
                ..Default::default()
            },
            false,
        );
        assert_eq!(
            star.matches(&Principal::parse("anonymous")),
            PrincipalMatch::Wildcard
        );
    }
}
