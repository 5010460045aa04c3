//! Compilation of a parsed policy into matchers that evaluate without allocating:
//! action sets as bitmaps over catalogue ids (plus wildcard patterns for actions the
//! catalogue does not know), precompiled resource patterns, principal matchers and
//! conditions.

use roaring::RoaringBitmap;

use super::ast::{Effect, Listed, PolicyDocument, Version};
use super::catalog::{catalog, ActionId};
use super::condition::{Condition, Operator};
use super::context::{Action, Context, Request};
use super::error::PolicyError;
use super::glob::Glob;
use super::parse::{parse_policy, parse_policy_value, PolicyKind};
use super::principal::{PrincipalMatch, PrincipalMatcher};
pub use super::resource::ResourcePattern;
use super::tri::Tri;

/// A policy compiled for evaluation. Compile each distinct document once and share it.
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    /// Name used in explanations (policy name, ARN, or a label given by the caller).
    pub name: String,
    /// Where the policy is attached.
    pub kind: PolicyKind,
    /// Language version.
    pub version: Version,
    statements: Vec<CompiledStatement>,
}

impl CompiledPolicy {
    /// Parses (JSON or URL-encoded JSON) and compiles.
    pub fn from_text(
        name: &str,
        text: &str,
        kind: PolicyKind,
    ) -> Result<CompiledPolicy, PolicyError> {
        Ok(CompiledPolicy::compile(
            name,
            &parse_policy(text, kind)?,
            kind,
        ))
    }

    /// Parses a JSON value (an object, or a string holding a document) and compiles.
    pub fn from_value(
        name: &str,
        value: &serde_json::Value,
        kind: PolicyKind,
    ) -> Result<CompiledPolicy, PolicyError> {
        Ok(CompiledPolicy::compile(
            name,
            &parse_policy_value(value, kind)?,
            kind,
        ))
    }

    /// Compiles a parsed document.
    pub fn compile(name: &str, doc: &PolicyDocument, kind: PolicyKind) -> CompiledPolicy {
        let vars = doc.version.resolves_variables();
        let statements = doc
            .statements
            .iter()
            .map(|s| CompiledStatement {
                index: s.index,
                sid: s.sid.clone(),
                effect: s.effect,
                actions: ActionMatcher::new(s.action.values(), s.action.is_negated()),
                resources: match &s.resource {
                    None => ResourceMatcher::Any,
                    Some(l) => ResourceMatcher::List {
                        negated: l.is_negated(),
                        patterns: l
                            .values()
                            .iter()
                            .map(|r| ResourcePattern::new(r, kind, vars))
                            .collect(),
                    },
                },
                principal: s
                    .principal
                    .as_ref()
                    .map(|p| PrincipalMatcher::new(p.values(), p.is_negated())),
                conditions: s
                    .conditions
                    .iter()
                    .filter_map(|c| {
                        Some(Condition::compile(
                            Operator::parse(&c.operator).ok()?,
                            &c.key,
                            &c.values,
                            vars,
                        ))
                    })
                    .collect(),
            })
            .collect();
        CompiledPolicy {
            name: name.to_owned(),
            kind,
            version: doc.version,
            statements,
        }
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[CompiledStatement] {
        &self.statements
    }
}

/// A compiled statement. Public accessors serve fast enumeration by the graph builder.
#[derive(Clone, Debug)]
pub struct CompiledStatement {
    /// Position in the document.
    pub index: usize,
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    actions: ActionMatcher,
    resources: ResourceMatcher,
    principal: Option<PrincipalMatcher>,
    conditions: Vec<Condition>,
}

/// Result of testing one statement against a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatementMatch {
    /// Whether the action matched.
    pub action: bool,
    /// How the principal matched (`Wildcard` when the statement has no principal).
    pub principal: PrincipalMatch,
    /// Whether the resource matched (unknown when it depends on an unknown variable).
    pub resource: Tri,
    /// The conditions (`True` when there are none).
    pub condition: Tri,
}

impl StatementMatch {
    /// Whether the statement applies to the request.
    pub fn applies(&self) -> Tri {
        if !self.action || self.principal == PrincipalMatch::None {
            Tri::False
        } else {
            self.resource.and(self.condition)
        }
    }
}

impl CompiledStatement {
    /// A label for explanations: the Sid, or `#index`.
    pub fn label(&self) -> String {
        self.sid
            .clone()
            .unwrap_or_else(|| format!("#{}", self.index))
    }

    /// The action matcher.
    pub fn actions(&self) -> &ActionMatcher {
        &self.actions
    }

    /// The resource matcher.
    pub fn resources(&self) -> &ResourceMatcher {
        &self.resources
    }

    /// The principal matcher (resource, trust and RCP policies).
    pub fn principal(&self) -> Option<&PrincipalMatcher> {
        self.principal.as_ref()
    }

    /// The conditions.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Whether the statement has a `Condition`.
    pub fn has_conditions(&self) -> bool {
        !self.conditions.is_empty()
    }

    /// The condition keys used (lowercased, possibly repeated).
    pub fn condition_keys(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().map(|c| c.key_lower.as_str())
    }

    /// Tests the statement against a request; `deny_semantics` picks the quantifier for
    /// resource patterns in the request (a Deny must cover the whole pattern, an Allow
    /// needs some overlap).
    #[inline]
    pub fn test(&self, req: &Request<'_>, deny_semantics: bool) -> StatementMatch {
        self.test_inner(req, deny_semantics, None)
    }

    /// Like [`test`](Self::test), with the principal match forced to `principal`.
    pub fn test_with_principal(
        &self,
        req: &Request<'_>,
        deny_semantics: bool,
        principal: PrincipalMatch,
    ) -> StatementMatch {
        self.test_inner(req, deny_semantics, Some(principal))
    }

    #[inline]
    fn test_inner(
        &self,
        req: &Request<'_>,
        deny_semantics: bool,
        forced: Option<PrincipalMatch>,
    ) -> StatementMatch {
        let mut m = StatementMatch {
            action: self.actions.matches(req.action),
            principal: PrincipalMatch::Wildcard,
            resource: Tri::False,
            condition: Tri::False,
        };
        if !m.action {
            return m;
        }
        if let Some(p) = &self.principal {
            m.principal = forced.unwrap_or_else(|| p.matches(req.principal));
            if m.principal == PrincipalMatch::None {
                return m;
            }
        }
        m.resource = self.resources.matches(
            req.resource,
            req.context,
            deny_semantics,
            wildcard_only(req.action),
        );
        if m.resource == Tri::False {
            return m;
        }
        m.condition = self.eval_conditions(req.context);
        m
    }

    /// All condition entries ANDed.
    #[inline]
    pub fn eval_conditions(&self, ctx: &Context) -> Tri {
        let mut r = Tri::True;
        for c in &self.conditions {
            r = r.and(c.eval(ctx));
            if r == Tri::False {
                break;
            }
        }
        r
    }
}

/// Whether the action only supports `Resource: "*"` (unknown actions are treated so).
#[inline]
fn wildcard_only(action: &Action) -> bool {
    action
        .id
        .is_none_or(|id| catalog().action(id).resource_types.is_empty())
}

/// `Action` / `NotAction` compiled: a bitmap of catalogue ids plus the patterns (used for
/// actions the catalogue does not know).
#[derive(Clone, Debug)]
pub struct ActionMatcher {
    negated: bool,
    all: bool,
    ids: RoaringBitmap,
    patterns: Vec<Glob>,
    raw: Vec<String>,
}

impl ActionMatcher {
    /// Compiles a list of action patterns; `negated` for `NotAction`.
    pub fn new(patterns: &[String], negated: bool) -> ActionMatcher {
        let cat = catalog();
        let mut ids = RoaringBitmap::new();
        let all = patterns.iter().any(|p| p == "*");
        if !all {
            for p in patterns {
                cat.for_each_match(p, |id| {
                    ids.insert(id.0);
                });
            }
        }
        ActionMatcher {
            negated,
            all,
            ids,
            patterns: patterns.iter().map(|p| Glob::new(p, true)).collect(),
            raw: patterns.to_vec(),
        }
    }

    /// Whether the statement's action element covers `action`.
    #[inline]
    pub fn matches(&self, action: &Action) -> bool {
        let listed = self.all
            || match action.id {
                Some(id) => self.ids.contains(id.0),
                None => self.patterns.iter().any(|g| g.matches(&action.key)),
            };
        listed != self.negated
    }

    /// Tests a catalogue action id.
    #[inline]
    pub fn matches_id(&self, id: ActionId) -> bool {
        (self.all || self.ids.contains(id.0)) != self.negated
    }

    /// The catalogue actions covered (the complement for `NotAction`).
    pub fn covered_ids(&self) -> RoaringBitmap {
        let universe = RoaringBitmap::from_sorted_iter(0..catalog().len()).unwrap_or_default();
        let listed = if self.all {
            universe.clone()
        } else {
            self.ids.clone()
        };
        if self.negated {
            universe - listed
        } else {
            listed
        }
    }

    /// Whether this is `NotAction`.
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.raw
    }
}

/// `Resource` / `NotResource` compiled.
#[derive(Clone, Debug)]
pub enum ResourceMatcher {
    /// No resource element (trust policies): matches every resource.
    Any,
    /// A list of patterns; `negated` for `NotResource`.
    List {
        /// Whether this is `NotResource`.
        negated: bool,
        /// The patterns.
        patterns: Vec<ResourcePattern>,
    },
}

impl ResourceMatcher {
    /// Whether the element matches `resource`. A request resource with wildcards (other
    /// than exactly `*`) is a pattern: `for_deny` asks whether the statement covers all of
    /// it, otherwise whether it covers some of it.
    ///
    /// `*` alone is literal for actions without resource types (`s3:ListAllMyBuckets`,
    /// `wildcard_only`); for other actions it asks about any resource.
    #[inline]
    pub fn matches(
        &self,
        resource: &str,
        ctx: &Context,
        for_deny: bool,
        wildcard_only: bool,
    ) -> Tri {
        let ResourceMatcher::List { negated, patterns } = self else {
            return Tri::True;
        };
        let wildcard_request = resource.contains('*') && !(resource == "*" && wildcard_only);
        // Resource: any pattern matches. NotResource: no pattern matches; with a pattern
        // request, "all of it" needs no overlap and "some of it" needs no full cover.
        let cover = for_deny != *negated;
        let mut hit = Tri::False;
        for p in patterns {
            let r = if wildcard_request {
                p.matches_pattern(resource, ctx, cover)
            } else if *negated {
                p.matches_for_exclusion(resource, ctx)
            } else {
                p.matches(resource, ctx)
            };
            hit = hit.or(r);
            if hit == Tri::True {
                break;
            }
        }
        if *negated {
            hit.not()
        } else {
            hit
        }
    }

    /// The patterns (empty for [`ResourceMatcher::Any`]).
    pub fn patterns(&self) -> &[ResourcePattern] {
        match self {
            ResourceMatcher::Any => &[],
            ResourceMatcher::List { patterns, .. } => patterns,
        }
    }

    /// Whether this is `NotResource`.
    pub fn is_negated(&self) -> bool {
        matches!(self, ResourceMatcher::List { negated: true, .. })
    }
}

/// Compiles `Listed` helper for callers that build matchers by hand.
pub fn action_matcher(listed: &Listed<Vec<String>>) -> ActionMatcher {
    ActionMatcher::new(listed.values(), listed.is_negated())
}
