//! Explanations: for every layer, which statements allowed, denied, or did not match and
//! why, and which condition keys were unknown. Built off the hot path, by re-running the
//! evaluation with a recording [`Observer`].

use std::fmt;

use super::ast::Effect;
use super::compile::{CompiledPolicy, CompiledStatement, StatementMatch};
use super::context::{Context, Lookup, Request};
use super::eval::{decide, Decision, LayerKind, Layers, Observer};
use super::principal::PrincipalMatch;
use super::tri::Tri;

/// Why a statement did not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoMatch {
    /// The action is not covered by `Action`/`NotAction`.
    Action,
    /// The principal is not covered by `Principal`/`NotPrincipal`.
    Principal,
    /// The resource is not covered by `Resource`/`NotResource`.
    Resource,
    /// A condition is false.
    Condition,
}

/// What one statement did for this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The statement applies (its effect takes part in the decision).
    Applies,
    /// The statement applies only if the unknown keys take suitable values.
    AppliesIf {
        /// The unknown condition keys (lowercased) or variables it depends on.
        unknown_keys: Vec<String>,
        /// The undecided conditions as written, e.g. `IpAddress aws:SourceIp [10.0.0.0/8]`.
        conditions: Vec<String>,
    },
    /// The statement does not apply.
    NoMatch(NoMatch),
}

/// One statement's part in a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementExplanation {
    /// The layer.
    pub layer: LayerKind,
    /// The policy's name.
    pub policy: String,
    /// `Sid`, or `#index`.
    pub statement: String,
    /// `Allow` / `Deny`.
    pub effect: Effect,
    /// How the principal was named (resource policies).
    pub principal: PrincipalMatch,
    /// The outcome.
    pub outcome: Outcome,
}

/// A decision with its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The decision (identical to [`evaluate`](super::eval::evaluate)'s).
    pub decision: Decision,
    /// Every evaluated statement, by layer.
    pub statements: Vec<StatementExplanation>,
    /// All unknown keys the decision depends on (sorted, deduplicated).
    pub unknown_keys: Vec<String>,
    /// Remarks on the rules applied (cross-account, SCP exemptions, ...).
    pub notes: Vec<&'static str>,
}

impl Explanation {
    /// Statements that apply (possibly conditionally) with this effect.
    pub fn applying(&self, effect: Effect) -> impl Iterator<Item = &StatementExplanation> {
        self.statements
            .iter()
            .filter(move |s| s.effect == effect && !matches!(s.outcome, Outcome::NoMatch(_)))
    }
}

struct Recorder<'c> {
    ctx: &'c Context,
    out: Vec<StatementExplanation>,
    notes: Vec<&'static str>,
}

impl Observer for Recorder<'_> {
    fn statement(
        &mut self,
        layer: LayerKind,
        policy: &CompiledPolicy,
        stmt: &CompiledStatement,
        m: &StatementMatch,
    ) {
        let outcome = if !m.action {
            Outcome::NoMatch(NoMatch::Action)
        } else if m.principal == PrincipalMatch::None {
            Outcome::NoMatch(NoMatch::Principal)
        } else if m.resource == Tri::False {
            Outcome::NoMatch(NoMatch::Resource)
        } else if m.condition == Tri::False {
            Outcome::NoMatch(NoMatch::Condition)
        } else if m.applies() == Tri::True {
            Outcome::Applies
        } else {
            Outcome::AppliesIf {
                unknown_keys: unknown_keys(stmt, self.ctx),
                conditions: undecided_conditions(stmt, self.ctx),
            }
        };
        self.out.push(StatementExplanation {
            layer,
            policy: policy.name.clone(),
            statement: stmt.label(),
            effect: stmt.effect,
            principal: m.principal,
            outcome,
        });
    }

    fn note(&mut self, note: &'static str) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// The conditions of `stmt` that evaluate to unknown, rendered as written.
fn undecided_conditions(stmt: &CompiledStatement, ctx: &Context) -> Vec<String> {
    stmt.conditions()
        .iter()
        .filter(|c| c.eval(ctx) == Tri::Unknown)
        .map(|c| {
            let o = c.operator;
            let set = match o.set {
                Some(super::condition::SetQualifier::ForAllValues) => "ForAllValues:",
                Some(super::condition::SetQualifier::ForAnyValue) => "ForAnyValue:",
                None => "",
            };
            let if_exists = if o.if_exists { "IfExists" } else { "" };
            format!(
                "{set}{}{if_exists} {} {:?}",
                o.kind.name(),
                c.key,
                c.raw_values
            )
        })
        .collect()
}

fn unknown_keys(stmt: &CompiledStatement, ctx: &Context) -> Vec<String> {
    let mut keys: Vec<String> = stmt
        .conditions()
        .iter()
        .filter(|c| c.eval(ctx) == Tri::Unknown)
        .map(|c| c.key_lower.clone())
        .collect();
    for p in stmt.resources().patterns() {
        if p.has_variables() {
            for k in super::variables::Template::parse(&p.raw)
                .iter()
                .flat_map(|t| t.keys().map(str::to_owned).collect::<Vec<_>>())
            {
                if ctx.get_lower(&k) == Lookup::Unknown {
                    keys.push(k);
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Evaluates a request and records why: same decision as
/// [`evaluate`](super::eval::evaluate), plus every statement's outcome.
pub fn explain(layers: &Layers<'_>, req: &Request<'_>) -> Explanation {
    let mut rec = Recorder {
        ctx: req.context,
        out: Vec::new(),
        notes: Vec::new(),
    };
    let decision = decide(layers, req, &mut rec);
    let mut unknown: Vec<String> = rec
        .out
        .iter()
        .flat_map(|s| match &s.outcome {
            Outcome::AppliesIf { unknown_keys, .. } => unknown_keys.clone(),
            _ => Vec::new(),
        })
        .collect();
    unknown.sort();
    unknown.dedup();
    Explanation {
        decision,
        statements: rec.out,
        unknown_keys: unknown,
        notes: rec.notes,
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "decision: {}", self.decision.as_str())?;
        if !self.unknown_keys.is_empty() {
            writeln!(
                f,
                "depends on unknown keys: {}",
                self.unknown_keys.join(", ")
            )?;
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        for s in &self.statements {
            let what = match &s.outcome {
                Outcome::Applies => "applies".to_owned(),
                Outcome::AppliesIf { conditions, .. } => {
                    format!("applies if {}", conditions.join(" and "))
                }
                Outcome::NoMatch(r) => format!("no match ({})", format!("{r:?}").to_lowercase()),
            };
            writeln!(
                f,
                "  [{}] {} {} {}: {what}",
                s.layer,
                s.policy,
                s.statement,
                s.effect.as_str()
            )?;
        }
        Ok(())
    }
}
