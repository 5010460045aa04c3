//! The rules file of `blastgraph check`: invariants on the blast radius.
//!
//! ```json
//! {
//!   "version": 1,
//!   "rules": [
//!     {
//!       "id": "payments-secrets",
//!       "description": "only payments workloads in prod read payments secrets",
//!       "forbid_reach": {
//!         "action": "secretsmanager:GetSecretValue",
//!         "resource": "arn:aws:secretsmanager:*:*:secret:payments/*",
//!         "from": {"accounts": ["prod"], "not_namespaces": ["payments"]}
//!       }
//!     },
//!     {"id": "no-task-admin", "forbid_admin": {"from": {"kinds": ["task-definition"]}}},
//!     {"id": "secret-budget", "max_reach": {"action": "secretsmanager:GetSecretValue",
//!       "resource": "arn:aws:secretsmanager:*:*:secret:*", "limit": 10}},
//!     {"id": "identity-budget", "max_identities": {"limit": 25}}
//!   ]
//! }
//! ```
//!
//! Each rule has an `id` (letters, digits, `-`, `_`, `.`), an optional `description`
//! and exactly one check:
//!
//! * `forbid_reach {action, resource?, from?}`: no selected source may reach an action
//!   matching `action` on a resource matching `resource` (wildcards `*` and `?`);
//! * `forbid_admin {accounts?, cross_account_only?, from?}`: no selected source may
//!   administer the listed accounts (ids or names; every account when absent), or only
//!   accounts other than its own with `cross_account_only`;
//! * `max_reach {action, resource?, limit, from?}`: no selected source may reach more
//!   than `limit` distinct resources that way;
//! * `max_identities {limit, from?}`: no selected source may reach more than `limit`
//!   identities.
//!
//! `from` selects sources; every field is optional and all given fields must hold:
//! `kinds` (`task-definition`, `service-account`, `ec2-instance`, `lambda-function`,
//! `user`, `role`, or the aliases `ecs`, `eks`, `ec2`, `lambda`), `accounts` /
//! `not_accounts` (ids or names), `namespaces` / `not_namespaces` (Kubernetes namespaces;
//! a source that is not an EKS service account is outside every namespace), `sources` /
//! `not_sources` (source id patterns). Unknown fields, kinds and account names are
//! errors, so a typo cannot silently check nothing.

use super::{glob_match, OrgReach, ReachQuery, SourceReach};
use crate::report::{Finding, Level, ReportItem, RuleInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the rules format this code reads.
pub const VERSION: u32 = 1;

/// A rules file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Always [`VERSION`].
    pub version: u32,
    /// The rules, evaluated in order.
    pub rules: Vec<Rule>,
}

/// One rule: an id, a description and exactly one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A stable id; reported as `rules/ID`.
    pub id: String,
    /// What the rule says, in one sentence.
    #[serde(default)]
    pub description: Option<String>,
    /// See the module docs.
    #[serde(default)]
    pub forbid_reach: Option<ReachCheck>,
    /// See the module docs.
    #[serde(default)]
    pub forbid_admin: Option<AdminCheck>,
    /// See the module docs.
    #[serde(default)]
    pub max_reach: Option<ReachCheck>,
    /// See the module docs.
    #[serde(default)]
    pub max_identities: Option<CountCheck>,
}

/// An action (and resource) pattern, with a limit for `max_reach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachCheck {
    /// Action pattern (`secretsmanager:GetSecretValue`, `s3:Get*`).
    pub action: String,
    /// Resource ARN pattern; every resource when absent.
    #[serde(default)]
    pub resource: Option<String>,
    /// The most distinct resources a source may reach (`max_reach` only).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Which sources the rule is about.
    #[serde(default)]
    pub from: SourceSelector,
}

/// Forbidden administration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminCheck {
    /// Accounts (ids or names) that must not be administered; every account when empty.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Only accounts other than the source's own.
    #[serde(default)]
    pub cross_account_only: bool,
    /// Which sources the rule is about.
    #[serde(default)]
    pub from: SourceSelector,
}

/// A limit on a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountCheck {
    /// The most a source may reach.
    pub limit: usize,
    /// Which sources the rule is about.
    #[serde(default)]
    pub from: SourceSelector,
}

/// Which sources a rule is about; empty fields select everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSelector {
    /// Source kinds.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Accounts (ids or names) the source must be in.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Accounts the source must not be in.
    #[serde(default)]
    pub not_accounts: Vec<String>,
    /// Namespaces the source must be in.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Namespaces the source must not be in.
    #[serde(default)]
    pub not_namespaces: Vec<String>,
    /// Source id patterns the source must match.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Source id patterns the source must not match.
    #[serde(default)]
    pub not_sources: Vec<String>,
}

/// Known source kinds and their aliases.
const KINDS: [(&str, &str); 12] = [
    ("task-definition", "task-definition"),
    ("ecs", "task-definition"),
    ("task", "task-definition"),
    ("service-account", "service-account"),
    ("eks", "service-account"),
    ("pod", "service-account"),
    ("ec2-instance", "ec2-instance"),
    ("ec2", "ec2-instance"),
    ("lambda-function", "lambda-function"),
    ("lambda", "lambda-function"),
    ("user", "user"),
    ("role", "role"),
];

fn canonical_kind(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c)
}

/// What a selector needs to know of a source.
struct SourceMeta<'a> {
    id: &'a str,
    kind: &'a str,
    account: Option<&'a str>,
    namespace: Option<&'a str>,
}

impl<'a> SourceMeta<'a> {
    fn of(source: &'a SourceReach) -> Self {
        SourceMeta {
            id: &source.source,
            kind: &source.kind,
            account: source.account.as_deref(),
            namespace: source.namespace.as_deref(),
        }
    }

    /// For a source only known by id: the account is the ARN's fifth field.
    fn from_id(id: &'a str) -> Self {
        let account = id.split(':').nth(4).filter(|a| !a.is_empty());
        SourceMeta {
            id,
            kind: "",
            account,
            namespace: None,
        }
    }
}

impl SourceSelector {
    fn matches(&self, meta: &SourceMeta<'_>, org: &OrgReach) -> bool {
        let in_accounts = |accounts: &[String]| {
            accounts
                .iter()
                .any(|a| meta.account == Some(org.account_id(a)))
        };
        let in_namespaces = |namespaces: &[String]| {
            meta.namespace
                .is_some_and(|n| namespaces.iter().any(|w| w == n))
        };
        let matches_sources = |patterns: &[String]| patterns.iter().any(|p| glob_match(p, meta.id));
        (self.kinds.is_empty()
            || self
                .kinds
                .iter()
                .any(|k| canonical_kind(k) == Some(meta.kind)))
            && (self.accounts.is_empty() || in_accounts(&self.accounts))
            && !in_accounts(&self.not_accounts)
            && (self.namespaces.is_empty() || in_namespaces(&self.namespaces))
            && !in_namespaces(&self.not_namespaces)
            && (self.sources.is_empty() || matches_sources(&self.sources))
            && !matches_sources(&self.not_sources)
    }

    fn validate(&self, org: &OrgReach) -> Result<(), String> {
        for kind in &self.kinds {
            if canonical_kind(kind).is_none() {
                let known: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
                return Err(format!(
                    "from.kinds: unknown kind {kind:?} (known: {})",
                    known.join(", ")
                ));
            }
        }
        for account in self.accounts.iter().chain(&self.not_accounts) {
            validate_account(account, org).map_err(|e| format!("from: {e}"))?;
        }
        Ok(())
    }
}

fn validate_account(account: &str, org: &OrgReach) -> Result<(), String> {
    let is_id = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if is_id || org.account_names.iter().any(|(_, name)| name == account) {
        Ok(())
    } else {
        Err(format!(
            "account {account:?} is neither a 12-digit id nor the name of an account of the snapshot"
        ))
    }
}

impl RuleSet {
    /// Reads a rules file; every error names the JSON path.
    pub fn parse(text: &str) -> Result<RuleSet, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let rules: RuleSet = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|e| format!("{} at {}", e.inner(), e.path()))?;
        if rules.version != VERSION {
            return Err(format!(
                "rules version {} cannot be read by this blastgraph (it reads version {VERSION})",
                rules.version
            ));
        }
        Ok(rules)
    }

    /// Checks what parsing cannot: ids, exactly one check per rule, limits, kinds and
    /// account names (against the snapshot's accounts).
    pub fn validate(&self, org: &OrgReach) -> Result<(), String> {
        let mut seen = BTreeMap::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let at = format!("rules[{i}]");
            let id_ok = !rule.id.is_empty()
                && rule
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !id_ok {
                return Err(format!(
                    "{at}.id: {:?} must be letters, digits, '-', '_' or '.'",
                    rule.id
                ));
            }
            if let Some(first) = seen.insert(rule.id.as_str(), i) {
                return Err(format!("{at}.id: {} is also rules[{first}]", rule.id));
            }
            rule.validate(org).map_err(|e| format!("{at}.{e}"))?;
        }
        Ok(())
    }

    /// Evaluates every rule: the [`RuleInfo`] of each, and one item per violation.
    pub fn evaluate(
        &self,
        org: &OrgReach,
        query: &dyn ReachQuery,
    ) -> Result<(Vec<RuleInfo>, Vec<ReportItem>), String> {
        let mut infos = Vec::new();
        let mut items = Vec::new();
        for rule in &self.rules {
            infos.push(rule.info());
            items.extend(
                rule.evaluate(org, query)
                    .map_err(|e| format!("rule {}: {e}", rule.id))?,
            );
        }
        Ok((infos, items))
    }
}

impl Rule {
    fn validate(&self, org: &OrgReach) -> Result<(), String> {
        let checks = [
            self.forbid_reach.is_some(),
            self.forbid_admin.is_some(),
            self.max_reach.is_some(),
            self.max_identities.is_some(),
        ];
        if checks.iter().filter(|c| **c).count() != 1 {
            return Err(
                "a rule has exactly one of forbid_reach, forbid_admin, max_reach, max_identities"
                    .into(),
            );
        }
        if let Some(check) = &self.forbid_reach {
            check
                .from
                .validate(org)
                .map_err(|e| format!("forbid_reach.{e}"))?;
            if check.limit.is_some() {
                return Err("forbid_reach.limit: a limit belongs to max_reach".into());
            }
        }
        if let Some(check) = &self.max_reach {
            check
                .from
                .validate(org)
                .map_err(|e| format!("max_reach.{e}"))?;
            if check.limit.is_none() {
                return Err("max_reach.limit: missing".into());
            }
        }
        if let Some(check) = &self.forbid_admin {
            check
                .from
                .validate(org)
                .map_err(|e| format!("forbid_admin.{e}"))?;
            for account in &check.accounts {
                validate_account(account, org)
                    .map_err(|e| format!("forbid_admin.accounts: {e}"))?;
            }
        }
        if let Some(check) = &self.max_identities {
            check
                .from
                .validate(org)
                .map_err(|e| format!("max_identities.{e}"))?;
        }
        Ok(())
    }

    fn rule_id(&self) -> String {
        format!("rules/{}", self.id)
    }

    fn info(&self) -> RuleInfo {
        let generated = if let Some(c) = &self.forbid_reach {
            format!(
                "no selected source may reach {} on {}",
                c.action,
                c.resource.as_deref().unwrap_or("*")
            )
        } else if let Some(c) = &self.max_reach {
            format!(
                "no selected source may reach {} on more than {} resources matching {}",
                c.action,
                c.limit.unwrap_or_default(),
                c.resource.as_deref().unwrap_or("*")
            )
        } else if let Some(c) = &self.forbid_admin {
            let which = if c.accounts.is_empty() {
                "any account".to_string()
            } else {
                c.accounts.join(", ")
            };
            let cross = if c.cross_account_only {
                " other than its own"
            } else {
                ""
            };
            format!("no selected source may administer {which}{cross}")
        } else if let Some(c) = &self.max_identities {
            format!(
                "no selected source may reach more than {} identities",
                c.limit
            )
        } else {
            String::new()
        };
        RuleInfo {
            id: self.rule_id(),
            description: self.description.clone().unwrap_or(generated),
            level: Level::Error,
        }
    }

    fn evaluate(&self, org: &OrgReach, query: &dyn ReachQuery) -> Result<Vec<ReportItem>, String> {
        if let Some(check) = &self.forbid_reach {
            let findings = selected_findings(check, org, query)?;
            return Ok(findings
                .into_iter()
                .map(|f| {
                    let message = format!(
                        "{} can reach {} on {}",
                        f.source,
                        f.actions.join(", "),
                        f.target
                    );
                    violation(self, &f, message)
                })
                .collect());
        }
        if let Some(check) = &self.max_reach {
            return over_budget(self, check, org, query);
        }
        if let Some(check) = &self.forbid_admin {
            let mut items = Vec::new();
            for source in org
                .sources
                .iter()
                .filter(|s| check.from.matches(&SourceMeta::of(s), org))
            {
                for finding in &source.administers {
                    let listed = check.accounts.is_empty()
                        || check
                            .accounts
                            .iter()
                            .any(|a| org.account_id(a) == finding.target);
                    if listed
                        && (!check.cross_account_only || source.is_cross_account_admin(finding))
                    {
                        let message = format!(
                            "{} can administer account {}",
                            source.source, finding.target
                        );
                        items.push(violation(self, finding, message));
                    }
                }
            }
            return Ok(items);
        }
        if let Some(check) = &self.max_identities {
            return Ok(org
                .sources
                .iter()
                .filter(|s| check.from.matches(&SourceMeta::of(s), org))
                .filter(|s| s.identities.len() > check.limit)
                .map(|s| ReportItem {
                    rule_id: self.rule_id(),
                    level: Level::Error,
                    source: s.source.clone(),
                    target: format!("{} identities", s.identities.len()),
                    actions: vec![],
                    conditional: false,
                    message: format!(
                        "{} reaches {} identities, more than the limit of {}",
                        s.source,
                        s.identities.len(),
                        check.limit
                    ),
                    path: vec![],
                })
                .collect());
        }
        Ok(Vec::new())
    }
}

/// The what-can-reach findings of a check whose source the selector keeps.
fn selected_findings(
    check: &ReachCheck,
    org: &OrgReach,
    query: &dyn ReachQuery,
) -> Result<Vec<Finding>, String> {
    let selected = |source: &str| {
        let meta = org
            .source(source)
            .map_or_else(|| SourceMeta::from_id(source), SourceMeta::of);
        check.from.matches(&meta, org)
    };
    let findings = query.what_can_reach(&check.action, check.resource.as_deref(), &selected)?;
    Ok(findings
        .into_iter()
        .filter(|f| selected(&f.source))
        .collect())
}

fn over_budget(
    rule: &Rule,
    check: &ReachCheck,
    org: &OrgReach,
    query: &dyn ReachQuery,
) -> Result<Vec<ReportItem>, String> {
    let limit = check.limit.unwrap_or_default();
    let mut by_source: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in selected_findings(check, org, query)? {
        by_source
            .entry(finding.source)
            .or_default()
            .push(finding.target);
    }
    let mut items = Vec::new();
    for (source, mut targets) in by_source {
        targets.sort();
        targets.dedup();
        if targets.len() <= limit {
            continue;
        }
        let shown: Vec<&str> = targets.iter().take(5).map(String::as_str).collect();
        let more = if targets.len() > 5 { ", ..." } else { "" };
        items.push(ReportItem {
            rule_id: rule.rule_id(),
            level: Level::Error,
            target: check.resource.clone().unwrap_or_else(|| "*".into()),
            actions: vec![check.action.clone()],
            conditional: false,
            message: format!(
                "{source} can reach {} on {} resources, more than the limit of {limit}: {}{more}",
                check.action,
                targets.len(),
                shown.join(", ")
            ),
            source,
            path: vec![],
        });
    }
    Ok(items)
}

fn violation(rule: &Rule, finding: &Finding, message: String) -> ReportItem {
    ReportItem {
        rule_id: rule.rule_id(),
        level: Level::Error,
        source: finding.source.clone(),
        target: finding.target.clone(),
        actions: finding.actions.clone(),
        conditional: finding.conditional,
        message,
        path: finding.path.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::sample::{self, JewelQuery, ALICE, PAYMENTS_SECRET, WEB};

    const RULES: &str = r#"{
      "version": 1,
      "rules": [
        {"id": "payments-secrets", "forbid_reach": {
          "action": "secretsmanager:GetSecretValue",
          "resource": "arn:aws:secretsmanager:*:*:secret:payments/*",
          "from": {"accounts": ["prod"], "not_namespaces": ["payments"]}}},
        {"id": "no-task-admin", "forbid_admin": {"from": {"kinds": ["ecs"]}}},
        {"id": "no-cross-admin", "forbid_admin": {"cross_account_only": true}},
        {"id": "secret-budget", "max_reach": {"action": "secretsmanager:*", "limit": 1}},
        {"id": "identity-budget", "max_identities": {"limit": 1}}
      ]
    }"#;

    fn run(org: &OrgReach) -> Vec<ReportItem> {
        let rules = RuleSet::parse(RULES).unwrap();
        rules.validate(org).unwrap();
        rules.evaluate(org, &JewelQuery(org)).unwrap().1
    }

    #[test]
    fn every_rule_holds_on_the_accepted_org() {
        let org = sample::org();
        let items = run(&org);
        assert!(items.is_empty(), "{items:#?}");
    }

    #[test]
    fn every_rule_catches_the_grown_web_task() {
        let org = sample::grown_org();
        let items = run(&org);
        let got: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|i| (i.rule_id.as_str(), i.source.as_str(), i.target.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("rules/payments-secrets", WEB, PAYMENTS_SECRET),
                ("rules/no-task-admin", WEB, "222222222222"),
                ("rules/secret-budget", WEB, "*"),
                ("rules/identity-budget", WEB, "2 identities"),
            ],
            "{items:#?}"
        );
        // The violation carries the what-can-reach path.
        assert_eq!(items[0].path.len(), 2);
        // The web task administers its own account: not cross-account.
        assert!(!items.iter().any(|i| i.rule_id == "rules/no-cross-admin"));
    }

    #[test]
    fn the_payments_namespace_is_exempt_and_other_accounts_are_not_selected() {
        let org = sample::grown_org();
        let items = run(&org);
        assert!(items.iter().all(|i| i.source != sample::PAYMENTS_SA));
        assert!(items.iter().all(|i| i.source != ALICE));
    }

    #[test]
    fn cross_account_admin_is_caught() {
        let mut org = sample::org();
        let alice = org.sources.iter_mut().find(|s| s.source == ALICE).unwrap();
        alice
            .administers
            .push(sample::finding(ALICE, "222222222222", &[], vec![]));
        let items = run(&org);
        assert!(items
            .iter()
            .any(|i| i.rule_id == "rules/no-cross-admin" && i.target == "222222222222"));
        assert!(!items
            .iter()
            .any(|i| i.rule_id == "rules/no-cross-admin" && i.target == "111111111111"));
    }

    #[test]
    fn malformed_rules_are_refused_with_their_path() {
        let org = sample::org();
        let cases = [
            (
                r#"{"version": 1, "rules": [{"id": "a", "forbid_reach": {"action": "x", "form": {}}}]}"#,
                "rules[0].forbid_reach",
            ),
            (r#"{"version": 2, "rules": []}"#, "version 2"),
            (r#"{"version": 1, "rules": [{"id": "a"}]}"#, "exactly one"),
            (
                r#"{"version": 1, "rules": [{"id": "a", "max_reach": {"action": "x"}}]}"#,
                "limit",
            ),
            (
                r#"{"version": 1, "rules": [{"id": "a", "max_identities": {"limit": 1, "from": {"kinds": ["pods"]}}}]}"#,
                "unknown kind",
            ),
            (
                r#"{"version": 1, "rules": [{"id": "a", "forbid_admin": {"accounts": ["staging"]}}]}"#,
                "staging",
            ),
            (
                r#"{"version": 1, "rules": [{"id": "a b", "max_identities": {"limit": 1}}]}"#,
                "rules[0].id",
            ),
            (
                r#"{"version": 1, "rules": [{"id": "a", "max_identities": {"limit": 1}}, {"id": "a", "max_identities": {"limit": 2}}]}"#,
                "also rules[0]",
            ),
        ];
        for (text, expected) in cases {
            let error = RuleSet::parse(text)
                .and_then(|rules| rules.validate(&org))
                .unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
