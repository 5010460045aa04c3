//! Editing policy documents as JSON: turning statements into policies, and taking a
//! principal out of a trust policy.

use serde_json::{json, Map, Value};

/// Turns what a user gave (one statement, an array of statements, or a whole policy)
/// into a policy document, checking the shape a policy must have: every statement an
/// object with `Effect` `Allow` or `Deny`. Where the problem is, is named by JSON path.
pub fn as_policy(given: &Value) -> Result<Value, String> {
    let statements = match given {
        Value::Object(object) if object.contains_key("Statement") => match &object["Statement"] {
            Value::Array(statements) => statements.clone(),
            statement @ Value::Object(_) => vec![statement.clone()],
            _ => return Err("$.Statement must be an object or an array of objects".into()),
        },
        Value::Object(_) => vec![given.clone()],
        Value::Array(statements) => statements.clone(),
        _ => {
            return Err(
                "expected a statement object, an array of statements or a policy document".into(),
            )
        }
    };
    if statements.is_empty() {
        return Err("the document has no statement".into());
    }
    for (i, statement) in statements.iter().enumerate() {
        check_statement(i, statement)?;
    }
    Ok(json!({ "Version": "2012-10-17", "Statement": statements }))
}

fn check_statement(index: usize, statement: &Value) -> Result<(), String> {
    let Some(object) = statement.as_object() else {
        return Err(format!("$.Statement[{index}] must be an object"));
    };
    match object.get("Effect").and_then(Value::as_str) {
        Some("Allow" | "Deny") => {}
        _ => {
            return Err(format!(
                "$.Statement[{index}].Effect must be \"Allow\" or \"Deny\""
            ))
        }
    }
    if !object.contains_key("Action") && !object.contains_key("NotAction") {
        return Err(format!(
            "$.Statement[{index}] needs an \"Action\" or a \"NotAction\""
        ));
    }
    Ok(())
}

/// Whether a principal value written in a policy names `wanted`. An account id and its
/// root ARN (`arn:aws:iam::ID:root`) name the same principal.
fn names(value: &str, wanted: &str) -> bool {
    value == wanted
        || account_of_root(value) == Some(wanted)
        || account_of_root(wanted) == Some(value)
}

fn account_of_root(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let id = rest.strip_prefix("iam::")?.strip_suffix(":root")?;
    Some(id)
}

/// Removes `wanted` from every `Principal` of a trust policy. A statement whose
/// `Principal` becomes empty is dropped (it trusted nobody else). Returns the new
/// document and how many occurrences were removed.
pub fn remove_trusted_principal(policy: &Value, wanted: &str) -> (Value, usize) {
    let mut policy = policy.clone();
    let mut removed = 0;
    let statements = match policy.get_mut("Statement") {
        Some(Value::Array(statements)) => std::mem::take(statements),
        Some(statement @ Value::Object(_)) => vec![statement.take()],
        _ => Vec::new(),
    };
    let mut kept = Vec::new();
    for mut statement in statements {
        let (count, now_empty) = match statement.get_mut("Principal") {
            Some(principal) => remove_from_principal(principal, wanted),
            None => (0, false),
        };
        removed += count;
        if !now_empty {
            kept.push(statement);
        }
    }
    if let Some(object) = policy.as_object_mut() {
        object.insert("Statement".into(), Value::Array(kept));
    }
    (policy, removed)
}

/// Removes `wanted` from one `Principal` value; returns the count removed and whether the
/// value now names nobody.
fn remove_from_principal(principal: &mut Value, wanted: &str) -> (usize, bool) {
    match principal {
        Value::String(value) if names(value, wanted) => (1, true),
        Value::String(_) => (0, false),
        Value::Object(by_type) => {
            let removed = by_type
                .values_mut()
                .map(|values| remove_from_values(values, wanted))
                .sum();
            by_type.retain(|_, values| !is_empty_value(values));
            (removed, by_type.is_empty())
        }
        _ => (0, false),
    }
}

fn remove_from_values(values: &mut Value, wanted: &str) -> usize {
    match values {
        Value::String(value) if names(value, wanted) => {
            *values = Value::Array(Vec::new());
            1
        }
        Value::Array(list) => {
            let before = list.len();
            list.retain(|v| !v.as_str().is_some_and(|s| names(s, wanted)));
            before - list.len()
        }
        _ => 0,
    }
}

fn is_empty_value(value: &Value) -> bool {
    matches!(value, Value::Array(list) if list.is_empty())
}

/// A trust policy that trusts nobody.
pub fn empty_policy() -> Value {
    Value::Object(Map::from_iter([
        ("Version".to_string(), json!("2012-10-17")),
        ("Statement".to_string(), json!([])),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_an_array_or_a_policy_become_a_policy() {
        let statement = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"});
        let expected = json!({"Version": "2012-10-17", "Statement": [statement.clone()]});
        assert_eq!(as_policy(&statement).unwrap(), expected);
        assert_eq!(as_policy(&json!([statement.clone()])).unwrap(), expected);
        assert_eq!(
            as_policy(&json!({"Version": "2012-10-17", "Statement": statement})).unwrap(),
            expected
        );
    }

    #[test]
    fn malformed_statements_are_refused_with_their_path() {
        let error = as_policy(&json!([{"Effect": "Allow", "Action": "x"}, {"Effect": "Maybe"}]))
            .unwrap_err();
        assert_eq!(error, "$.Statement[1].Effect must be \"Allow\" or \"Deny\"");
        let error = as_policy(&json!({"Effect": "Deny"})).unwrap_err();
        assert!(error.contains("Action"), "{error}");
        assert!(as_policy(&json!("s3:*")).is_err());
        assert!(as_policy(&json!([])).is_err());
    }

    #[test]
    fn removing_a_principal_keeps_the_others() {
        let trust = json!({"Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/x"]},
            "Action": "sts:AssumeRole"
        }]});
        let (after, removed) = remove_trusted_principal(&trust, "222222222222");
        assert_eq!(removed, 1);
        assert_eq!(
            after["Statement"][0]["Principal"]["AWS"],
            json!(["arn:aws:iam::333333333333:role/x"])
        );
    }

    #[test]
    fn a_statement_left_without_principal_is_dropped() {
        let trust = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
        ]});
        let (after, removed) = remove_trusted_principal(&trust, "ecs-tasks.amazonaws.com");
        assert_eq!(removed, 1);
        assert_eq!(after["Statement"].as_array().unwrap().len(), 1);
        assert_eq!(after["Statement"][0]["Principal"], json!("*"));
        let (after, removed) = remove_trusted_principal(&after, "*");
        assert_eq!(removed, 1);
        assert_eq!(after["Statement"], json!([]));
    }

    #[test]
    fn an_absent_principal_removes_nothing() {
        let trust = json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:role/a"}, "Action": "sts:AssumeRole"}});
        let (after, removed) = remove_trusted_principal(&trust, "arn:aws:iam::1:role/b");
        assert_eq!(removed, 0);
        assert_eq!(after["Statement"].as_array().unwrap().len(), 1);
    }
}
