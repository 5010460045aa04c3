//! The request being evaluated: who (principal), what (action), on what (resource), and
//! the request context (condition keys), whose values can be known, absent or unknown.

use rustc_hash::FxHashMap;

use super::catalog::{catalog, ActionId};

/// How keys missing from a [`Context`] are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// A key not in the context is absent from the request; AWS's missing-key rules apply.
    #[default]
    Strict,
    /// A key not in the context is unknown: decisions depending on it are `conditional`.
    Discovery,
}

impl Mode {
    /// Parses `strict` / `discovery` (any case).
    pub fn parse(s: &str) -> Option<Mode> {
        match s.to_ascii_lowercase().as_str() {
            "strict" => Some(Mode::Strict),
            "discovery" => Some(Mode::Discovery),
            _ => None,
        }
    }
}

/// What the evaluator knows about one context key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    /// The key is in the request with these values (one for single-valued keys).
    Known(Vec<String>),
    /// The key is certainly not in the request.
    Absent,
    /// The key may or may not be in the request, with any value.
    Unknown,
}

/// A value looked up in a [`Context`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Present, with these values.
    Values(&'a [String]),
    /// Not in the request.
    Absent,
    /// Not known.
    Unknown,
}

/// The request context: condition keys (case-insensitive) to values.
#[derive(Clone, Debug, Default)]
pub struct Context {
    entries: FxHashMap<String, ContextValue>,
    mode: Mode,
}

impl Context {
    /// An empty context; keys not set later follow `mode`.
    pub fn new(mode: Mode) -> Context {
        Context {
            entries: FxHashMap::default(),
            mode,
        }
    }

    /// How keys that were not set are treated.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.entries.insert(
            key.to_ascii_lowercase(),
            ContextValue::Known(vec![value.into()]),
        );
        self
    }

    /// Sets a multi-valued key (`aws:TagKeys`, `aws:PrincipalOrgPaths`).
    pub fn set_many(&mut self, key: &str, values: Vec<String>) -> &mut Self {
        self.entries
            .insert(key.to_ascii_lowercase(), ContextValue::Known(values));
        self
    }

    /// Marks a key as certainly absent (even in discovery mode).
    pub fn set_absent(&mut self, key: &str) -> &mut Self {
        self.entries
            .insert(key.to_ascii_lowercase(), ContextValue::Absent);
        self
    }

    /// Marks a key as unknown (even in strict mode).
    pub fn set_unknown(&mut self, key: &str) -> &mut Self {
        self.entries
            .insert(key.to_ascii_lowercase(), ContextValue::Unknown);
        self
    }

    /// Removes a key (it then follows the mode).
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_ascii_lowercase());
    }

    /// Looks up a key that is already lowercase (as compiled policies store them).
    #[inline]
    pub fn get_lower(&self, lower_key: &str) -> Lookup<'_> {
        match self.entries.get(lower_key) {
            Some(ContextValue::Known(v)) => Lookup::Values(v),
            Some(ContextValue::Absent) => Lookup::Absent,
            Some(ContextValue::Unknown) => Lookup::Unknown,
            None => match self.mode {
                Mode::Strict => Lookup::Absent,
                Mode::Discovery => Lookup::Unknown,
            },
        }
    }

    /// Looks up a key in any case.
    pub fn get(&self, key: &str) -> Lookup<'_> {
        self.get_lower(&key.to_ascii_lowercase())
    }

    /// The explicitly set keys and their values.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// An action named in a request: interned when the catalogue knows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Action {
    /// Catalogue id, when known.
    pub id: Option<ActionId>,
    /// `service:name`, lowercased.
    pub key: String,
}

impl Action {
    /// Interns `service:Name` (any case).
    pub fn new(name: &str) -> Action {
        let key = name.to_ascii_lowercase();
        Action {
            id: catalog().lookup(&key),
            key,
        }
    }

    /// An action from a catalogue id.
    pub fn from_id(id: ActionId) -> Action {
        Action {
            id: Some(id),
            key: catalog().action(id).key.clone(),
        }
    }

    /// The service prefix, lowercased.
    pub fn service(&self) -> &str {
        self.key
            .split_once(':')
            .map_or(self.key.as_str(), |(s, _)| s)
    }

    /// The action name, lowercased.
    pub fn name(&self) -> &str {
        self.key.split_once(':').map_or("", |(_, n)| n)
    }
}

/// What kind of caller a request comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role acting as itself (as named in policies; sessions are `AssumedRole`).
    Role,
    /// A role session `arn:aws:sts::ACCT:assumed-role/NAME/SESSION`.
    AssumedRole {
        /// The role name (without path).
        role_name: String,
    },
    /// A federated user session `arn:aws:sts::ACCT:federated-user/NAME`.
    FederatedUser,
    /// The account root user `arn:aws:iam::ACCT:root`.
    Root,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// A web-identity or SAML identity provider (`arn:aws:iam::ACCT:oidc-provider/...`,
    /// `cognito-identity.amazonaws.com`) calling `AssumeRoleWith*`.
    IdentityProvider,
    /// An unauthenticated caller.
    Anonymous,
}

/// The caller of a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principal {
    /// ARN or service name as given (`anonymous` for anonymous callers).
    pub arn: String,
    /// The principal's account, when it has one.
    pub account: Option<String>,
    /// Kind of caller.
    pub kind: PrincipalKind,
    /// Whether this is a service-linked role (path `/aws-service-role/`), which SCPs and
    /// RCPs do not restrict.
    pub service_linked: bool,
}

impl Principal {
    /// Classifies a principal ARN, service principal or `anonymous`.
    pub fn parse(arn: &str) -> Principal {
        let mut p = Principal {
            arn: arn.to_owned(),
            account: None,
            kind: PrincipalKind::Anonymous,
            service_linked: false,
        };
        if arn == "anonymous" || arn == "*" {
            return p;
        }
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() == 6 && parts[0] == "arn" {
            p.account = Some(parts[4].to_owned()).filter(|a| !a.is_empty());
            let res = parts[5];
            p.kind = match (parts[2], res) {
                ("iam", "root") => PrincipalKind::Root,
                ("iam", r) if r.starts_with("user/") => PrincipalKind::User,
                ("iam", r) if r.starts_with("role/") => {
                    p.service_linked = r.starts_with("role/aws-service-role/");
                    PrincipalKind::Role
                }
                ("iam", r)
                    if r.starts_with("oidc-provider/") || r.starts_with("saml-provider/") =>
                {
                    PrincipalKind::IdentityProvider
                }
                ("sts", r) if r.starts_with("assumed-role/") => {
                    let role_name = r["assumed-role/".len()..]
                        .split('/')
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    PrincipalKind::AssumedRole { role_name }
                }
                ("sts", r) if r.starts_with("federated-user/") => PrincipalKind::FederatedUser,
                _ => PrincipalKind::User,
            };
        } else if arn.contains('.') {
            p.kind = if arn.starts_with("cognito-identity.") || !arn.ends_with(".amazonaws.com") {
                PrincipalKind::IdentityProvider
            } else {
                PrincipalKind::Service
            };
        }
        p
    }

    /// Whether this is an IAM identity of an account (user, role, session, root), i.e. a
    /// caller whose own account's policies (identity, SCP, boundary) are evaluated.
    pub fn is_iam(&self) -> bool {
        matches!(
            self.kind,
            PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::AssumedRole { .. }
                | PrincipalKind::FederatedUser
                | PrincipalKind::Root
        )
    }
}

/// A request to evaluate.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The caller.
    pub principal: &'a Principal,
    /// The action.
    pub action: &'a Action,
    /// The resource ARN (`*` for actions without resource types). A resource containing
    /// `*`/`?` (other than exactly `*`) asks "is the action allowed on some resource
    /// under this pattern".
    pub resource: &'a str,
    /// The account owning the resource; `None` means the principal's own account.
    pub resource_account: Option<&'a str>,
    /// The request context.
    pub context: &'a Context,
}

impl Request<'_> {
    /// Whether principal and resource are in the same account.
    pub fn same_account(&self) -> bool {
        match (self.resource_account, self.principal.account.as_deref()) {
            (None, _) => true,
            (Some(r), Some(p)) => r == p,
            (Some(_), None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_kinds() {
        let s = Principal::parse("arn:aws:sts::111111111111:assumed-role/dev/s1");
        assert_eq!(
            s.kind,
            PrincipalKind::AssumedRole {
                role_name: "dev".into()
            }
        );
        assert_eq!(s.account.as_deref(), Some("111111111111"));
        assert!(
            Principal::parse("arn:aws:iam::1:role/aws-service-role/ssm.amazonaws.com/X")
                .service_linked
        );
        assert_eq!(
            Principal::parse("sns.amazonaws.com").kind,
            PrincipalKind::Service
        );
        assert_eq!(Principal::parse("anonymous").kind, PrincipalKind::Anonymous);
        assert_eq!(
            Principal::parse("arn:aws:iam::1:root").kind,
            PrincipalKind::Root
        );
        assert_eq!(
            Principal::parse("arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X")
                .kind,
            PrincipalKind::IdentityProvider
        );
    }

    #[test]
    fn context_modes() {
        let mut c = Context::new(Mode::Discovery);
        c.set("AWS:SourceIp", "10.0.0.1").set_absent("aws:x");
        assert_eq!(
            c.get("aws:sourceip"),
            Lookup::Values(&["10.0.0.1".to_string()])
        );
        assert_eq!(c.get("aws:x"), Lookup::Absent);
        assert_eq!(c.get("aws:y"), Lookup::Unknown);
        assert_eq!(Context::new(Mode::Strict).get("aws:y"), Lookup::Absent);
    }
}
