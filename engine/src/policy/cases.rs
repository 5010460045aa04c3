//! Runner for the oracle case format (`tests/oracle/simulate.mjs` documents it): parse a
//! self-contained case, evaluate it, return the decision string. Used by the CLI's
//! `eval-cases` and by the oracle tests.
//!
//! Like the oracle, the runner derives no context key from the principal or resource:
//! the case's `context` is the whole request context.

use serde_json::Value;

use super::catalog::catalog;
use super::compile::CompiledPolicy;
use super::context::{Action, Context, Mode, Principal, PrincipalKind, Request};
use super::eval::{evaluate, Layers};
use super::explain::{explain, Explanation};
use super::parse::PolicyKind;

/// A case the runner cannot read at all (not an object, missing required fields).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case [{index}]: {message}")]
pub struct CaseFormatError {
    /// Position in the input array.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

/// The result of one case: a decision (`allow`, `explicit_deny`, `implicit_deny`,
/// `conditional`) or `error` with the reason (invalid policy, unknown action, resource
/// of the wrong type), as the oracle reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's `id`, echoed.
    pub id: Value,
    /// The decision string.
    pub decision: String,
    /// For `error`: why.
    pub error: Option<String>,
}

/// Runs every case of a JSON array. `default_mode` applies to cases without `mode`.
pub fn run_cases(cases: &Value, default_mode: Mode) -> Result<Vec<CaseResult>, CaseFormatError> {
    let items = cases.as_array().ok_or(CaseFormatError {
        index: 0,
        message: "input must be a JSON array of cases".into(),
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, c)| run_case(c, i, default_mode))
        .collect()
}

/// Runs one case.
pub fn run_case(
    case: &Value,
    index: usize,
    default_mode: Mode,
) -> Result<CaseResult, CaseFormatError> {
    let bad = |message: String| CaseFormatError { index, message };
    let obj = case
        .as_object()
        .ok_or_else(|| bad("a case must be a JSON object".into()))?;
    for k in ["id", "principal", "action", "resource"] {
        if !obj.contains_key(k) {
            return Err(bad(format!("lacks \"{k}\"")));
        }
    }
    let id = obj["id"].clone();
    Ok(match Prepared::new(case, default_mode) {
        Ok(p) => CaseResult {
            id,
            decision: p.decide().as_str().to_owned(),
            error: None,
        },
        Err(e) => CaseResult {
            id,
            decision: "error".to_owned(),
            error: Some(e),
        },
    })
}

/// Runs one case and explains the decision (`Err` holds the case's `error` reason).
pub fn explain_case(case: &Value, default_mode: Mode) -> Result<Explanation, String> {
    let p = Prepared::new(case, default_mode)?;
    let layers = p.layers();
    Ok(explain(&layers, &p.request()))
}

/// A case turned into engine values.
struct Prepared {
    principal: Principal,
    action: Action,
    resource: String,
    resource_account: String,
    context: Context,
    identity: Vec<CompiledPolicy>,
    boundary: Vec<CompiledPolicy>,
    session: Vec<CompiledPolicy>,
    scps: Vec<Vec<CompiledPolicy>>,
    rcps: Vec<Vec<CompiledPolicy>>,
    resource_policy: Option<CompiledPolicy>,
}

impl Prepared {
    fn new(case: &Value, default_mode: Mode) -> Result<Prepared, String> {
        let text = |k: &str| {
            case[k]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("\"{k}\" must be a string"))
        };
        let principal = Principal::parse(&text("principal")?);
        let action_name = text("action")?;
        let action = Action::new(&action_name);
        let Some(action_id) = action.id else {
            return Err(format!("unknown action {action_name}"));
        };
        let resource = text("resource")?;
        let resource_account = match case.get("resourceAccount").and_then(Value::as_str) {
            Some(a) => a.to_owned(),
            None => arn_account(&resource)
                .ok_or("resourceAccount is required when the resource ARN has no account id")?,
        };
        if let (Some(given), Some(from_arn)) = (
            case.get("principalAccount").and_then(Value::as_str),
            &principal.account,
        ) {
            if given != from_arn {
                return Err(format!(
                    "principalAccount {given} disagrees with principal ARN account {from_arn}"
                ));
            }
        }
        check_resource_type(action_id, &resource)?;
        let mode = match case.get("mode").and_then(Value::as_str) {
            Some(m) => Mode::parse(m)
                .ok_or_else(|| format!("mode must be strict or discovery, got {m}"))?,
            None => default_mode,
        };
        let abac = case
            .get("s3BucketAbacEnabled")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let context = context_of(case.get("context"), mode, action.service() == "s3" && !abac)?;

        let resource_kind = if action.service() == "sts" && action.name().starts_with("assumerole")
        {
            PolicyKind::Trust
        } else {
            PolicyKind::Resource
        };
        let session = match case.get("sessionPolicy") {
            Some(v) if !v.is_null() => {
                if !matches!(
                    principal.kind,
                    PrincipalKind::Role
                        | PrincipalKind::AssumedRole { .. }
                        | PrincipalKind::FederatedUser
                ) {
                    return Err(
                        "a session policy needs a role, assumed-role or federated-user principal"
                            .into(),
                    );
                }
                vec![compile(v, "session", PolicyKind::Session)?]
            }
            _ => Vec::new(),
        };
        Ok(Prepared {
            identity: policies(
                case.get("identityPolicies"),
                "identity-",
                PolicyKind::Identity,
            )?,
            boundary: policies(
                case.get("permissionBoundaries"),
                "boundary-",
                PolicyKind::Boundary,
            )?,
            session,
            scps: levels(case.get("scps"), "scp", PolicyKind::Scp)?,
            rcps: levels(case.get("rcps"), "rcp", PolicyKind::Rcp)?,
            resource_policy: match case.get("resourcePolicy") {
                Some(v) if !v.is_null() => Some(compile(v, "resource", resource_kind)?),
                _ => None,
            },
            principal,
            action,
            resource,
            resource_account,
            context,
        })
    }

    fn layers(&self) -> Layers<'_> {
        Layers {
            identity: self.identity.iter().collect(),
            boundary: self.boundary.iter().collect(),
            session: self.session.iter().collect(),
            scp_levels: self.scps.iter().map(|l| l.iter().collect()).collect(),
            rcp_levels: self.rcps.iter().map(|l| l.iter().collect()).collect(),
            resource: self.resource_policy.as_ref(),
            ..Layers::default()
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            resource_account: Some(&self.resource_account),
            context: &self.context,
        }
    }

    fn decide(&self) -> super::eval::Decision {
        evaluate(&self.layers(), &self.request())
    }
}

/// The account field of an ARN when it is a 12-digit id.
fn arn_account(arn: &str) -> Option<String> {
    let acct = arn.split(':').nth(4)?;
    (arn.starts_with("arn:") && acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()))
        .then(|| acct.to_owned())
}

/// The oracle refuses a resource that is not of one of the action's resource types.
fn check_resource_type(action: super::catalog::ActionId, resource: &str) -> Result<(), String> {
    let cat = catalog();
    let info = cat.action(action);
    if resource.contains(['*', '?']) {
        return Ok(());
    }
    if info.resource_types.is_empty() {
        return if resource == "*" {
            Ok(())
        } else {
            Err(format!(
                "{} only supports resource \"*\"",
                cat.action_name(action)
            ))
        };
    }
    if cat.resource_types_for(action, resource).is_empty() {
        return Err(format!(
            "{resource} is not a resource type of {}",
            cat.action_name(action)
        ));
    }
    Ok(())
}

fn context_of(v: Option<&Value>, mode: Mode, drop_s3_tags: bool) -> Result<Context, String> {
    let mut ctx = Context::new(mode);
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(ctx);
    };
    let map = v.as_object().ok_or("context must be an object")?;
    for (k, val) in map {
        let lower = k.to_ascii_lowercase();
        // S3 evaluates resource tags only with ABAC enabled on the bucket.
        if drop_s3_tags
            && (lower.starts_with("aws:resourcetag/") || lower.starts_with("s3:buckettag/"))
        {
            continue;
        }
        let scalar = |x: &Value| match x {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(format!(
                "context value of {k} must be a string or an array of strings"
            )),
        };
        match val {
            Value::Array(items) => {
                ctx.set_many(k, items.iter().map(scalar).collect::<Result<_, _>>()?);
            }
            other => {
                ctx.set(k, scalar(other)?);
            }
        }
    }
    Ok(ctx)
}

fn compile(v: &Value, name: &str, kind: PolicyKind) -> Result<CompiledPolicy, String> {
    let (name, doc) = match v {
        Value::Object(o) if o.contains_key("policy") && o.contains_key("name") => {
            (o["name"].as_str().unwrap_or(name).to_owned(), &o["policy"])
        }
        _ => (name.to_owned(), v),
    };
    CompiledPolicy::from_value(&name, doc, kind)
        .map_err(|e| format!("invalid {kind:?} policy {name}: {e}"))
}

fn policies(
    v: Option<&Value>,
    prefix: &str,
    kind: PolicyKind,
) -> Result<Vec<CompiledPolicy>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, p)| compile(p, &format!("{prefix}{i}"), kind))
            .collect(),
        Some(_) => Err(format!("{prefix} policies must be an array")),
    }
}

fn levels(
    v: Option<&Value>,
    prefix: &str,
    kind: PolicyKind,
) -> Result<Vec<Vec<CompiledPolicy>>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(levels)) => levels
            .iter()
            .enumerate()
            .map(|(i, level)| match level {
                Value::Array(_) => policies(Some(level), &format!("{prefix}-{i}-"), kind),
                single => Ok(vec![compile(single, &format!("{prefix}-{i}-0"), kind)?]),
            })
            .collect(),
        Some(_) => Err(format!("{prefix}s must be an array of levels")),
    }
}
