//! Policy documents compiled for evaluation: lower-cased action patterns, resource
//! patterns, principals and conditions, parsed once per distinct document.

use super::glob::{glob_match, globs_intersect, has_variable};
use super::tri::Tri;
use serde_json::Value;

/// A parsed policy document.
#[derive(Debug, Clone, Default)]
pub struct CompiledPolicy {
    /// Whether `Version` is 2012-10-17 (policy variables resolve only then).
    pub variables: bool,
    /// The statements in document order.
    pub statements: Vec<Statement>,
}

/// One statement.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    /// `Sid`, when given.
    pub sid: Option<String>,
    /// `Effect: Allow` (else Deny).
    pub allow: bool,
    /// Action patterns, lower case.
    pub actions: Vec<String>,
    /// `NotAction` instead of `Action`.
    pub not_action: bool,
    /// Resource patterns; `None` when the statement has no `Resource` element (trust
    /// policies), which matches the resource it is attached to.
    pub resources: Option<Vec<String>>,
    /// `NotResource` instead of `Resource`.
    pub not_resource: bool,
    /// `Principal` / `NotPrincipal` (resource and trust policies).
    pub principals: Option<Principals>,
    /// `NotPrincipal` instead of `Principal`.
    pub not_principal: bool,
    /// Conditions, ANDed.
    pub conditions: Vec<Condition>,
}

/// The principals a statement names.
#[derive(Debug, Clone, Default)]
pub struct Principals {
    /// `"Principal": "*"` or `{"AWS": "*"}`.
    pub any: bool,
    /// `AWS` entries: account ids, root ARNs, user/role/session ARNs.
    pub aws: Vec<String>,
    /// `Service` entries, lower case.
    pub service: Vec<String>,
    /// `Federated` entries (OIDC/SAML provider ARNs, `cognito-identity.amazonaws.com`).
    pub federated: Vec<String>,
}

/// A condition operator, with its negation and wildcard semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// StringEquals / ArnEquals-like exact comparison.
    Equals { fold_case: bool },
    /// StringLike / ArnLike.
    Like,
    /// Bool.
    Bool,
    /// Null.
    Null,
    /// Numeric, Date, IpAddress, Binary: never resolved (no known key carries them).
    Opaque,
}

/// One (operator, key, values) test.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The operator is negated (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...).
    pub negated: bool,
    /// The `IfExists` suffix.
    pub if_exists: bool,
    /// `ForAllValues:` prefix (empty or absent key matches).
    pub for_all_values: bool,
    /// The key, lower case.
    pub key: String,
    /// The values (ORed).
    pub values: Vec<String>,
}

/// What a condition key is in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Known, with this value.
    Value(&'a str),
    /// Known to be absent from the request.
    Absent,
    /// Not known to the snapshot.
    Unknown,
}

/// The request context seen by conditions and policy variables.
pub trait Context {
    /// The value of a key (given in lower case).
    fn lookup(&self, key: &str) -> Lookup<'_>;
}

/// How the caller relates to a statement's principals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalMatch {
    /// Not named.
    No,
    /// Named through its account (the identity policy must allow too).
    ViaAccount,
    /// Named directly (its ARN, a service, a provider, or `*`).
    Direct,
}

/// Who makes a request, as resource and trust policies see it.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// An IAM user or role.
    Iam {
        /// Its ARN.
        arn: &'a str,
        /// Its account id.
        account: &'a str,
    },
    /// An AWS service principal (`ecs-tasks.amazonaws.com`).
    Service(&'a str),
    /// A federated identity provider ARN (OIDC, SAML).
    Federated(&'a str),
}

/// How a statement's resource patterns are matched.
#[derive(Debug, Clone, Copy)]
pub enum ResourceMatch<'a> {
    /// A concrete ARN.
    Arn(&'a str),
    /// Some resource matching this pattern (an abstract "any resource of S in A"):
    /// allows apply when their pattern may intersect it, denies only when they cover it.
    Abstract(&'a str),
}

/// The effect of one policy on one request.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    /// Statements allowing it (identity policies; resource statements naming the caller
    /// directly).
    pub allow: Tri,
    /// Resource statements allowing it through the caller's account.
    pub allow_via_account: Tri,
    /// Statements denying it.
    pub deny: Tri,
    /// The first statement that allowed it (for explanations).
    pub allow_statement: Option<usize>,
    /// The first statement that denied it (for explanations).
    pub deny_statement: Option<usize>,
}

impl CompiledPolicy {
    /// Parses a policy document. Errors name the JSON path.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let variables = value.get("Version").and_then(Value::as_str) == Some("2012-10-17");
        let statements = match value.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(item @ Value::Object(_)) => vec![item],
            Some(_) => return Err("Statement: expected an object or an array".into()),
            None => Vec::new(),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s).map_err(|e| format!("Statement[{i}].{e}")))
            .collect::<Result<_, _>>()?;
        Ok(CompiledPolicy {
            variables,
            statements,
        })
    }

    /// Evaluates every statement against a request. `action` must be lower case.
    pub fn evaluate(
        &self,
        action: &str,
        resource: ResourceMatch<'_>,
        caller: Option<Caller<'_>>,
        context: &dyn Context,
    ) -> Effects {
        let mut effects = Effects::default();
        for (index, statement) in self.statements.iter().enumerate() {
            if !statement.matches_action(action) {
                continue;
            }
            let principal = match (caller, &statement.principals) {
                (_, None) => PrincipalMatch::Direct,
                // Without a caller (identity policies, SCPs, RCPs) only `"Principal": "*"`
                // applies: RCPs must name everyone that way (RCPFullAWSAccess does).
                (None, Some(_)) if statement.names_everyone() => PrincipalMatch::Direct,
                (None, Some(_)) => continue,
                (Some(caller), Some(principals)) => {
                    let m = principals.matches(caller);
                    match (statement.not_principal, m) {
                        (false, m) => m,
                        (true, PrincipalMatch::No) => PrincipalMatch::Direct,
                        (true, _) => PrincipalMatch::No,
                    }
                }
            };
            if principal == PrincipalMatch::No {
                continue;
            }
            let applies = statement
                .matches_resource(resource, statement.allow, self.variables, context)
                .and(statement.conditions_hold(context));
            if applies.is_no() {
                continue;
            }
            if !statement.allow {
                effects.deny_statement.get_or_insert(index);
                effects.deny = std::mem::take(&mut effects.deny).or(applies);
            } else if principal == PrincipalMatch::ViaAccount {
                effects.allow_statement.get_or_insert(index);
                effects.allow_via_account =
                    std::mem::take(&mut effects.allow_via_account).or(applies);
            } else {
                if applies.is_yes() || effects.allow_statement.is_none() {
                    effects.allow_statement = Some(index);
                }
                effects.allow = std::mem::take(&mut effects.allow).or(applies);
            }
        }
        effects
    }

    /// Whether some Allow statement may grant an action matching `action_pattern` (lower
    /// case) on some resource: a cheap filter before exact evaluation.
    pub fn may_allow(&self, action_pattern: &str) -> bool {
        self.statements.iter().any(|s| {
            s.allow
                && if s.not_action {
                    !s.actions
                        .iter()
                        .any(|a| glob_match(a, action_pattern, true))
                } else if action_pattern.contains(['*', '?']) {
                    s.actions.iter().any(|a| globs_intersect(a, action_pattern))
                } else {
                    s.actions
                        .iter()
                        .any(|a| glob_match(a, action_pattern, true))
                }
        })
    }

    /// Whether any condition of any statement reads a principal-specific key or any
    /// resource pattern uses a policy variable: then principals sharing this document
    /// cannot share evaluation results.
    pub fn is_principal_specific(&self) -> bool {
        let specific = is_principal_specific_key;
        self.statements.iter().any(|s| {
            s.conditions
                .iter()
                .any(|c| specific(&c.key) || c.values.iter().any(|v| v.contains("${")))
                || s.resources
                    .iter()
                    .flatten()
                    .any(|r| self.variables && r.contains("${"))
        })
    }
}

/// Whether a condition key differs between principals of one account with the same
/// policies (account, organization and OU keys do not).
pub fn is_principal_specific_key(key: &str) -> bool {
    matches!(
        key,
        "aws:principalarn"
            | "aws:username"
            | "aws:userid"
            | "aws:principaltype"
            | "aws:sourceidentity"
    ) || key.starts_with("aws:principaltag/")
}

impl Statement {
    /// `"Principal": "*"` (or `{"AWS": "*"}`), not negated.
    pub fn names_everyone(&self) -> bool {
        !self.not_principal && self.principals.as_ref().is_some_and(|p| p.any)
    }

    /// Whether the statement covers the (lower-case) action.
    pub fn matches_action(&self, action: &str) -> bool {
        let listed = self.actions.iter().any(|p| glob_match(p, action, true));
        listed != self.not_action
    }

    pub(super) fn matches_resource(
        &self,
        resource: ResourceMatch<'_>,
        is_allow: bool,
        variables: bool,
        context: &dyn Context,
    ) -> Tri {
        let Some(patterns) = &self.resources else {
            return Tri::Yes;
        };
        let mut result = Tri::No;
        for pattern in patterns {
            let resolved;
            let pattern = if variables && has_variable(pattern) {
                match substitute(pattern, context) {
                    Ok(p) => {
                        resolved = p;
                        resolved.as_str()
                    }
                    Err(key) => {
                        result = result.or(Tri::maybe(&key));
                        continue;
                    }
                }
            } else {
                pattern.as_str()
            };
            let hit = match resource {
                ResourceMatch::Arn(arn) => glob_match(pattern, arn, false),
                // An allow may reach some resource of the abstract set; a deny only
                // removes the set when it covers all of it.
                ResourceMatch::Abstract(set) if is_allow != self.not_resource => {
                    globs_intersect(pattern, set)
                }
                ResourceMatch::Abstract(set) => glob_match(pattern, set, false),
            };
            if hit {
                result = Tri::Yes;
                break;
            }
        }
        if self.not_resource {
            result.negate()
        } else {
            result
        }
    }

    pub(super) fn conditions_hold(&self, context: &dyn Context) -> Tri {
        self.conditions
            .iter()
            .fold(Tri::Yes, |acc, c| acc.and(c.holds(context)))
    }
}

impl Principals {
    /// How a caller relates to these principals.
    pub fn matches(&self, caller: Caller<'_>) -> PrincipalMatch {
        if self.any {
            return PrincipalMatch::Direct;
        }
        match caller {
            Caller::Iam { arn, account } => {
                let mut found = PrincipalMatch::No;
                for entry in &self.aws {
                    if entry == "*" || entry == arn {
                        return PrincipalMatch::Direct;
                    }
                    // `arn:aws:iam::ACCOUNT:root`, compared without building it (this
                    // runs once per trust-policy entry per assume-role request).
                    let root = entry
                        .strip_prefix("arn:aws:iam::")
                        .and_then(|rest| rest.strip_suffix(":root"));
                    if entry == account || root == Some(account) {
                        found = PrincipalMatch::ViaAccount;
                    }
                }
                found
            }
            Caller::Service(service) => {
                if self.service.iter().any(|s| s.eq_ignore_ascii_case(service)) {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::No
                }
            }
            Caller::Federated(provider) => {
                if self.federated.iter().any(|f| f == provider) {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::No
                }
            }
        }
    }
}

impl Condition {
    /// Evaluates the condition in three values.
    pub fn holds(&self, context: &dyn Context) -> Tri {
        let value = match context.lookup(&self.key) {
            Lookup::Unknown => return Tri::maybe(&self.key),
            Lookup::Absent => None,
            Lookup::Value(v) => Some(v),
        };
        if self.operator == Operator::Null {
            let wants_absent = self.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
            let wants_present = self.values.iter().any(|v| v.eq_ignore_ascii_case("false"));
            return Tri::from_bool(if value.is_none() {
                wants_absent
            } else {
                wants_present
            });
        }
        let Some(value) = value else {
            return Tri::from_bool(self.if_exists || self.for_all_values || self.negated);
        };
        if self.operator == Operator::Opaque {
            return Tri::maybe(&self.key);
        }
        let mut any = Tri::No;
        for expected in &self.values {
            let hit = if has_variable(expected) {
                match substitute(expected, context) {
                    Ok(e) => Tri::from_bool(self.compare(&e, value)),
                    Err(key) => Tri::maybe(&key),
                }
            } else {
                Tri::from_bool(self.compare(expected, value))
            };
            any = any.or(hit);
        }
        if self.negated {
            any.negate()
        } else {
            any
        }
    }

    fn compare(&self, expected: &str, actual: &str) -> bool {
        match self.operator {
            Operator::Equals { fold_case: false } => expected == actual,
            Operator::Equals { fold_case: true } | Operator::Bool => {
                expected.eq_ignore_ascii_case(actual)
            }
            Operator::Like => glob_match(expected, actual, false),
            Operator::Null | Operator::Opaque => false,
        }
    }
}

/// Replaces `${key}` policy variables from the context; `Err(key)` when one is unknown.
/// A variable known to be absent makes the pattern match nothing (AWS's rule), which an
/// impossible control character achieves.
fn substitute(pattern: &str, context: &dyn Context) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let inner = &after[..end];
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\''))),
            None => (inner.trim(), None),
        };
        match key {
            "*" | "?" | "$" => out.push_str(key),
            _ => match (context.lookup(&key.to_ascii_lowercase()), default) {
                (Lookup::Value(v), _) => out.push_str(v),
                (_, Some(d)) => out.push_str(d),
                (Lookup::Absent, None) => out.push('\u{0}'),
                (Lookup::Unknown, None) => return Err(key.to_ascii_lowercase()),
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn strings(value: &Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_bool().map(|b| b.to_string()))
                    .or_else(|| v.as_number().map(|n| n.to_string()))
                    .ok_or_else(|| format!("{what}[{i}]: expected a string"))
            })
            .collect(),
        Value::Bool(b) => Ok(vec![b.to_string()]),
        Value::Number(n) => Ok(vec![n.to_string()]),
        _ => Err(format!("{what}: expected a string or an array of strings")),
    }
}

fn parse_statement(value: &Value) -> Result<Statement, String> {
    let object = value.as_object().ok_or("expected an object")?;
    let allow = match object.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        _ => return Err("Effect: expected \"Allow\" or \"Deny\"".into()),
    };
    let (actions, not_action) = match (object.get("Action"), object.get("NotAction")) {
        (Some(a), None) => (strings(a, "Action")?, false),
        (None, Some(a)) => (strings(a, "NotAction")?, true),
        (Some(_), Some(_)) => return Err("Action: both Action and NotAction".into()),
        (None, None) => return Err("Action: missing".into()),
    };
    let (resources, not_resource) = match (object.get("Resource"), object.get("NotResource")) {
        (Some(r), None) => (Some(strings(r, "Resource")?), false),
        (None, Some(r)) => (Some(strings(r, "NotResource")?), true),
        (Some(_), Some(_)) => return Err("Resource: both Resource and NotResource".into()),
        (None, None) => (None, false),
    };
    let (principals, not_principal) = match (object.get("Principal"), object.get("NotPrincipal")) {
        (Some(p), None) => (Some(parse_principals(p)?), false),
        (None, Some(p)) => (Some(parse_principals(p)?), true),
        (Some(_), Some(_)) => return Err("Principal: both Principal and NotPrincipal".into()),
        (None, None) => (None, false),
    };
    let conditions = match object.get("Condition") {
        None => Vec::new(),
        Some(c) => parse_conditions(c)?,
    };
    Ok(Statement {
        sid: object
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_string),
        allow,
        actions: actions.iter().map(|a| a.to_ascii_lowercase()).collect(),
        not_action,
        resources,
        not_resource,
        principals,
        not_principal,
        conditions,
    })
}

fn parse_principals(value: &Value) -> Result<Principals, String> {
    let mut principals = Principals::default();
    match value {
        Value::String(s) if s == "*" => principals.any = true,
        Value::Object(map) => {
            for (kind, entries) in map {
                let entries = strings(entries, &format!("Principal.{kind}"))?;
                match kind.as_str() {
                    "AWS" => {
                        principals.any |= entries.iter().any(|e| e == "*");
                        principals.aws.extend(entries);
                    }
                    "Service" => principals
                        .service
                        .extend(entries.iter().map(|e| e.to_ascii_lowercase())),
                    "Federated" => principals.federated.extend(entries),
                    // CanonicalUser: S3 ACL grantees, never an IAM principal here.
                    _ => {}
                }
            }
        }
        _ => return Err("Principal: expected \"*\" or an object".into()),
    }
    Ok(principals)
}

fn parse_conditions(value: &Value) -> Result<Vec<Condition>, String> {
    let blocks = value.as_object().ok_or("Condition: expected an object")?;
    let mut conditions = Vec::new();
    for (operator_name, tests) in blocks {
        let tests = tests
            .as_object()
            .ok_or_else(|| format!("Condition.{operator_name}: expected an object"))?;
        let (for_all_values, name) = match operator_name.split_once(':') {
            Some((set, name)) => (set.eq_ignore_ascii_case("ForAllValues"), name),
            None => (false, operator_name.as_str()),
        };
        let (name, if_exists) = match name.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (name, false),
        };
        let (operator, negated) = parse_operator(name);
        for (key, values) in tests {
            conditions.push(Condition {
                operator,
                negated,
                if_exists,
                for_all_values,
                key: key.to_ascii_lowercase(),
                values: strings(values, &format!("Condition.{operator_name}.{key}"))?,
            });
        }
    }
    Ok(conditions)
}

fn parse_operator(name: &str) -> (Operator, bool) {
    match name {
        "StringEquals" | "ArnEquals" => (Operator::Equals { fold_case: false }, false),
        "StringNotEquals" | "ArnNotEquals" => (Operator::Equals { fold_case: false }, true),
        "StringEqualsIgnoreCase" => (Operator::Equals { fold_case: true }, false),
        "StringNotEqualsIgnoreCase" => (Operator::Equals { fold_case: true }, true),
        "StringLike" | "ArnLike" => (Operator::Like, false),
        "StringNotLike" | "ArnNotLike" => (Operator::Like, true),
        "Bool" => (Operator::Bool, false),
        "Null" => (Operator::Null, false),
        other => (Operator::Opaque, other.contains("Not")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ctx(&'static [(&'static str, &'static str)]);
    impl Context for Ctx {
        fn lookup(&self, key: &str) -> Lookup<'_> {
            match self.0.iter().find(|(k, _)| *k == key) {
                Some((_, "")) => Lookup::Absent,
                Some((_, v)) => Lookup::Value(v),
                None => Lookup::Unknown,
            }
        }
    }

    fn eval(doc: &str, action: &str, arn: &str, ctx: &Ctx) -> Effects {
        CompiledPolicy::parse(doc)
            .unwrap()
            .evaluate(action, ResourceMatch::Arn(arn), None, ctx)
    }

    #[test]
    fn allow_deny_and_not_action() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::prod/*"}]}"#;
        let ctx = Ctx(&[]);
        let e = eval(doc, "s3:getobject", "arn:aws:s3:::prod/k", &ctx);
        assert!(e.allow.is_yes() && e.deny.is_no());
        let e = eval(doc, "s3:deleteobject", "arn:aws:s3:::prod/k", &ctx);
        assert!(e.deny.is_yes());
        let e = eval(doc, "iam:createuser", "*", &ctx);
        assert!(e.allow.is_no());
    }

    #[test]
    fn unknown_conditions_are_maybe_and_known_ones_resolve() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
            {"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"a"}}}]}"#;
        let ctx = Ctx(&[("aws:principaltag/team", "b")]);
        assert_eq!(
            eval(doc, "s3:getobject", "x", &ctx).allow,
            Tri::maybe("aws:sourceip")
        );
        assert!(eval(doc, "kms:decrypt", "x", &ctx).allow.is_no());
        let ctx = Ctx(&[("aws:principaltag/team", "")]);
        assert!(eval(doc, "kms:decrypt", "x", &ctx).allow.is_no());
    }

    #[test]
    fn policy_variables_resolve() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::1:user/${aws:username}"}]}"#;
        let ctx = Ctx(&[("aws:username", "bob")]);
        assert!(
            eval(doc, "iam:createaccesskey", "arn:aws:iam::1:user/bob", &ctx)
                .allow
                .is_yes()
        );
        assert!(
            eval(doc, "iam:createaccesskey", "arn:aws:iam::1:user/eve", &ctx)
                .allow
                .is_no()
        );
    }

    #[test]
    fn bad_documents_name_the_path() {
        let e = CompiledPolicy::parse(r#"{"Statement":[{"Effect":"Maybe","Action":"*"}]}"#)
            .unwrap_err();
        assert!(e.starts_with("Statement[0].Effect"), "{e}");
    }

    #[test]
    fn principals_match_directly_or_through_the_account() {
        let p = parse_principals(
            &serde_json::json!({"AWS": ["111111111111", "arn:aws:iam::222222222222:role/x"]}),
        )
        .unwrap();
        let caller = |arn, account| Caller::Iam { arn, account };
        assert_eq!(
            p.matches(caller("arn:aws:iam::111111111111:role/y", "111111111111")),
            PrincipalMatch::ViaAccount
        );
        assert_eq!(
            p.matches(caller("arn:aws:iam::222222222222:role/x", "222222222222")),
            PrincipalMatch::Direct
        );
        assert_eq!(
            p.matches(caller("arn:aws:iam::222222222222:role/z", "222222222222")),
            PrincipalMatch::No
        );
    }
}
