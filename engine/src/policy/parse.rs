//! Parser from JSON (or URL-encoded JSON) text to the typed [`PolicyDocument`].
//!
//! AWS's grammar: IAM User Guide, "IAM JSON policy element reference" and "Grammar of
//! the IAM JSON policy language". Every error names the JSON path and what was expected.

use serde_json::{Map, Value};

use super::ast::{
    ConditionEntry, Effect, Listed, PolicyDocument, PrincipalSpec, Statement, Version,
};
use super::error::PolicyError;

/// Where a policy is attached; decides which elements are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Identity-based policy of a user, group or role (no `Principal`).
    Identity,
    /// Resource-based policy (bucket, queue, key, secret ...; `Principal` required).
    Resource,
    /// Role trust policy (a resource policy on the role; `Principal` required).
    Trust,
    /// Permissions boundary (no `Principal`).
    Boundary,
    /// Session policy passed to `AssumeRole*` / `GetFederationToken` (no `Principal`).
    Session,
    /// Service control policy (no `Principal`).
    Scp,
    /// Resource control policy (`Principal` required).
    Rcp,
}

impl PolicyKind {
    /// Whether statements of this kind carry a `Principal` / `NotPrincipal`.
    pub fn has_principal(self) -> bool {
        matches!(
            self,
            PolicyKind::Resource | PolicyKind::Trust | PolicyKind::Rcp
        )
    }
}

/// Parses a policy document from JSON text, or from URL-encoded JSON text (as IAM's
/// `GetAccountAuthorizationDetails` and `GetRolePolicy` return it).
pub fn parse_policy(text: &str, kind: PolicyKind) -> Result<PolicyDocument, PolicyError> {
    let value = decode_json(text)?;
    parse_policy_value(&value, kind)
}

/// Decodes JSON text, falling back to percent-decoding when the text is not JSON.
pub fn decode_json(text: &str) -> Result<Value, PolicyError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            let trimmed = text.trim_start();
            if !trimmed.starts_with('%') {
                return Err(PolicyError::new(
                    "",
                    "a JSON policy document",
                    format!("invalid JSON ({first})"),
                ));
            }
            let plus_as_space = trimmed.replace('+', " ");
            let decoded = percent_encoding::percent_decode_str(&plus_as_space)
                .decode_utf8()
                .map_err(|e| PolicyError::new("", "URL-encoded UTF-8 JSON", e.to_string()))?;
            serde_json::from_str::<Value>(&decoded).map_err(|e| {
                PolicyError::new(
                    "",
                    "a JSON policy document after URL decoding",
                    format!("invalid JSON ({e})"),
                )
            })
        }
    }
}

/// Parses an already decoded JSON value. A JSON string holding a document is accepted too.
pub fn parse_policy_value(value: &Value, kind: PolicyKind) -> Result<PolicyDocument, PolicyError> {
    if let Value::String(s) = value {
        return parse_policy(s, kind);
    }
    let obj = value
        .as_object()
        .ok_or_else(|| PolicyError::new("", "a JSON object", describe(value)))?;
    let mut version = Version::V2008_10_17;
    let mut version_given = false;
    let mut id = None;
    let mut statements = None;
    for (key, v) in obj {
        match key.as_str() {
            "Version" => {
                version_given = true;
                version = match v.as_str() {
                    Some("2012-10-17") => Version::V2012_10_17,
                    Some("2008-10-17") => Version::V2008_10_17,
                    _ => {
                        return Err(PolicyError::new(
                            "Version",
                            "\"2012-10-17\" or \"2008-10-17\"",
                            describe(v),
                        ))
                    }
                };
            }
            "Id" => id = Some(string(v, "Id")?),
            "Statement" => statements = Some(v),
            other => {
                return Err(PolicyError::new(
                    other,
                    "only Version, Id and Statement at the top level",
                    "an unknown element",
                ))
            }
        }
    }
    let statements =
        statements.ok_or_else(|| PolicyError::new("Statement", "a Statement element", "none"))?;
    let statements = match statements {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, s)| parse_statement(s, i, &format!("Statement[{i}]"), kind))
            .collect::<Result<Vec<_>, _>>()?,
        Value::Object(_) => vec![parse_statement(statements, 0, "Statement", kind)?],
        other => {
            return Err(PolicyError::new(
                "Statement",
                "an object or an array of objects",
                describe(other),
            ))
        }
    };
    Ok(PolicyDocument {
        version,
        version_given,
        id,
        statements,
    })
}

fn parse_statement(
    value: &Value,
    index: usize,
    path: &str,
    kind: PolicyKind,
) -> Result<Statement, PolicyError> {
    let obj = value
        .as_object()
        .ok_or_else(|| PolicyError::new(path, "a statement object", describe(value)))?;
    let mut sid = None;
    let mut effect = None;
    let mut action = None;
    let mut resource = None;
    let mut principal = None;
    let mut conditions = Vec::new();
    for (key, v) in obj {
        let at = format!("{path}.{key}");
        match key.as_str() {
            "Sid" => sid = Some(string(v, &at)?),
            "Effect" => {
                effect = Some(match v.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => return Err(PolicyError::new(at, "\"Allow\" or \"Deny\"", describe(v))),
                })
            }
            "Action" | "NotAction" => {
                exclusive(&action, path, "Action", "NotAction")?;
                let list = strings(v, &at)?;
                for (i, a) in list.iter().enumerate() {
                    check_action(a, &format!("{at}[{i}]"))?;
                }
                action = Some(if key == "Action" { Listed::Only(list) } else { Listed::AllExcept(list) });
            }
            "Resource" | "NotResource" => {
                exclusive(&resource, path, "Resource", "NotResource")?;
                let list = strings(v, &at)?;
                resource = Some(if key == "Resource" { Listed::Only(list) } else { Listed::AllExcept(list) });
            }
            "Principal" | "NotPrincipal" => {
                exclusive(&principal, path, "Principal", "NotPrincipal")?;
                if !kind.has_principal() {
                    return Err(PolicyError::new(at, format!("no {key} in a {kind:?} policy"), "a principal element"));
                }
                let spec = parse_principal(v, &at)?;
                principal = Some(if key == "Principal" { Listed::Only(spec) } else { Listed::AllExcept(spec) });
            }
            "Condition" => conditions = parse_conditions(v, &at)?,
            other => {
                return Err(PolicyError::new(
                    format!("{path}.{other}"),
                    "one of Sid, Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition",
                    "an unknown element",
                ))
            }
        }
    }
    let effect = effect
        .ok_or_else(|| PolicyError::new(format!("{path}.Effect"), "an Effect element", "none"))?;
    let action = action.ok_or_else(|| {
        PolicyError::new(
            format!("{path}.Action"),
            "an Action or NotAction element",
            "none",
        )
    })?;
    if kind.has_principal() && principal.is_none() {
        return Err(PolicyError::new(
            format!("{path}.Principal"),
            "a Principal or NotPrincipal element",
            "none",
        ));
    }
    Ok(Statement {
        index,
        sid,
        effect,
        action,
        resource,
        principal,
        conditions,
    })
}

fn exclusive<T>(seen: &Option<T>, path: &str, a: &str, b: &str) -> Result<(), PolicyError> {
    if seen.is_some() {
        return Err(PolicyError::new(
            path,
            format!("either {a} or {b}, not both"),
            "both",
        ));
    }
    Ok(())
}

fn check_action(a: &str, path: &str) -> Result<(), PolicyError> {
    if a == "*" {
        return Ok(());
    }
    match a.split_once(':') {
        Some((svc, name)) if !svc.is_empty() && !name.is_empty() && !name.contains(':') => Ok(()),
        _ => Err(PolicyError::new(
            path,
            "an action like \"service:Name\" or \"*\"",
            format!("{a:?}"),
        )),
    }
}

fn parse_principal(value: &Value, path: &str) -> Result<PrincipalSpec, PolicyError> {
    let mut spec = PrincipalSpec::default();
    match value {
        Value::String(s) if s == "*" => spec.wildcard = true,
        Value::Object(map) => {
            for (key, v) in map {
                let at = format!("{path}.{key}");
                let list = strings(v, &at)?;
                match key.as_str() {
                    "AWS" => spec.aws = list,
                    "Service" => spec.service = list,
                    "Federated" => spec.federated = list,
                    "CanonicalUser" => spec.canonical_user = list,
                    _ => {
                        return Err(PolicyError::new(
                            at,
                            "one of AWS, Service, Federated, CanonicalUser",
                            "an unknown principal type",
                        ))
                    }
                }
            }
        }
        other => {
            return Err(PolicyError::new(
                path,
                "\"*\" or an object such as {\"AWS\": ...}",
                describe(other),
            ))
        }
    }
    Ok(spec)
}

fn parse_conditions(value: &Value, path: &str) -> Result<Vec<ConditionEntry>, PolicyError> {
    let ops: &Map<String, Value> = value.as_object().ok_or_else(|| {
        PolicyError::new(path, "an object of condition operators", describe(value))
    })?;
    let mut out = Vec::new();
    for (op, block) in ops {
        let at = format!("{path}.{op}");
        super::condition::Operator::parse(op)
            .map_err(|expected| PolicyError::new(&at, expected, format!("{op:?}")))?;
        let keys = block
            .as_object()
            .ok_or_else(|| PolicyError::new(&at, "an object of condition keys", describe(block)))?;
        for (key, vals) in keys {
            let values = condition_values(vals, &format!("{at}.{key}"))?;
            out.push(ConditionEntry {
                operator: op.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value, p: &str| -> Result<String, PolicyError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(PolicyError::new(
                p,
                "a string, number or boolean",
                describe(other),
            )),
        }
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| scalar(v, &format!("{path}[{i}]")))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}

fn string(v: &Value, path: &str) -> Result<String, PolicyError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| PolicyError::new(path, "a string", describe(v)))
}

fn strings(v: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .enumerate()
            .map(|(i, x)| string(x, &format!("{path}[{i}]")))
            .collect(),
        Value::Array(_) => Err(PolicyError::new(
            path,
            "a string or a non-empty array of strings",
            "an empty array",
        )),
        other => Err(PolicyError::new(
            path,
            "a string or an array of strings",
            describe(other),
        )),
    }
}

/// A short description of a JSON value for error messages.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) if s.len() > 40 => format!(
            "string {:?}...",
            &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)]
        ),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str, kind: PolicyKind) -> PolicyError {
        parse_policy(text, kind).expect_err("should be rejected")
    }

    // IAM User Guide, "IAM JSON policy element reference": element grammar.
    #[test]
    fn rejects_bad_documents_with_paths() {
        let cases: &[(&str, PolicyKind, &str)] = &[
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Permit","Action":"*"}]}"#,
                PolicyKind::Identity,
                "Statement[2].Effect",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*"}}"#,
                PolicyKind::Identity,
                "Statement",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":5}}"#,
                PolicyKind::Identity,
                "Statement.Action",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"s3"}}"#,
                PolicyKind::Identity,
                "Statement.Action[0]",
            ),
            (
                r#"{"Version":"2020-01-01","Statement":[]}"#,
                PolicyKind::Identity,
                "Version",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":"*"}}"#,
                PolicyKind::Identity,
                "Statement.Principal",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
                PolicyKind::Resource,
                "Statement.Principal",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}}"#,
                PolicyKind::Identity,
                "Statement.Condition.StringEqualz",
            ),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"a":{"x":1}}}}}"#,
                PolicyKind::Identity,
                "Statement.Condition.StringEquals.a",
            ),
            (r#"[1,2]"#, PolicyKind::Identity, ""),
            (
                r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":{"Bogus":"x"}}}"#,
                PolicyKind::Trust,
                "Statement.Principal.Bogus",
            ),
        ];
        for (text, kind, path) in cases {
            assert_eq!(err(text, *kind).path, *path, "{text}");
        }
    }

    #[test]
    fn accepts_forms() {
        let doc = parse_policy(
            r#"{"Statement":{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::x","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"k":[1,2]}}}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(doc.version, Version::V2008_10_17);
        assert!(!doc.version_given);
        let s = &doc.statements[0];
        assert_eq!(s.sid.as_deref(), Some("A"));
        assert!(s.action.is_negated());
        assert_eq!(s.conditions[0].values, vec!["false"]);
        assert_eq!(s.conditions[1].values, vec!["1", "2"]);
        let trust = parse_policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::1:root"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            PolicyKind::Trust,
        )
        .unwrap();
        let p = trust.statements[0].principal.as_ref().unwrap().values();
        assert_eq!(p.aws.len(), 2);
        assert_eq!(p.service, vec!["ec2.amazonaws.com"]);
    }

    #[test]
    fn url_encoded() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D";
        let doc = parse_policy(enc, PolicyKind::Identity).unwrap();
        assert_eq!(doc.version, Version::V2012_10_17);
        assert!(parse_policy("%7Bnot json", PolicyKind::Identity).is_err());
        assert!(parse_policy("garbage", PolicyKind::Identity).is_err());
    }
}
