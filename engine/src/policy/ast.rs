//! The typed syntax tree of an IAM policy document, exactly as written (no catalogue
//! lookups, no wildcard compilation: see [`crate::policy::compile`] for that).

/// Policy language version (`Version` element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2012-10-17`: policy variables are resolved.
    V2012_10_17,
    /// `2008-10-17`, or no `Version` element: `${...}` is literal text.
    V2008_10_17,
}

impl Version {
    /// Whether `${...}` policy variables are resolved in this version.
    pub fn resolves_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// `Effect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// `Allow` or `Deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Whether an element lists what it matches (`Action`) or what it excludes
/// (`NotAction`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listed<T> {
    /// `Action` / `Resource` / `Principal`: matches what is listed.
    Only(T),
    /// `NotAction` / `NotResource` / `NotPrincipal`: matches everything else.
    AllExcept(T),
}

impl<T> Listed<T> {
    /// The listed values.
    pub fn values(&self) -> &T {
        match self {
            Listed::Only(v) | Listed::AllExcept(v) => v,
        }
    }

    /// Whether this is the `Not...` form.
    pub fn is_negated(&self) -> bool {
        matches!(self, Listed::AllExcept(_))
    }
}

/// The value of `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrincipalSpec {
    /// `"Principal": "*"`.
    pub wildcard: bool,
    /// `AWS`: account ids, account root ARNs, user / role / assumed-role ARNs, `*`.
    pub aws: Vec<String>,
    /// `Service`: service principals such as `lambda.amazonaws.com`.
    pub service: Vec<String>,
    /// `Federated`: OIDC / SAML provider ARNs, `cognito-identity.amazonaws.com`, ...
    pub federated: Vec<String>,
    /// `CanonicalUser`: S3 canonical user ids.
    pub canonical_user: Vec<String>,
}

/// One `Condition` entry: `"Operator": {"key": [values]}`, split per key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionEntry {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    /// The condition key as written (keys are case-insensitive).
    pub key: String,
    /// The values, converted to strings (JSON booleans and numbers become their text).
    pub values: Vec<String>,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// Position in the `Statement` array (0 for a single statement object).
    pub index: usize,
    /// `Sid`, when given.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub action: Listed<Vec<String>>,
    /// `Resource` or `NotResource`; `None` when absent (trust policies).
    pub resource: Option<Listed<Vec<String>>>,
    /// `Principal` or `NotPrincipal`; `None` when absent (identity-based policies).
    pub principal: Option<Listed<PrincipalSpec>>,
    /// `Condition`, flattened to one entry per (operator, key), in document order.
    pub conditions: Vec<ConditionEntry>,
}

/// A whole policy document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocument {
    /// `Version` (missing behaves as 2008-10-17).
    pub version: Version,
    /// Whether a `Version` element was present.
    pub version_given: bool,
    /// `Id`, when given.
    pub id: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}
