//! `blastgraph check`: rules and baseline growth in one report.

use super::baseline::{self, Baseline};
use super::rules::RuleSet;
use super::{OrgReach, ReachQuery};
use crate::report::Report;
use std::collections::BTreeSet;

/// What a check compares the analysed snapshot against.
pub struct CheckInputs<'a> {
    /// The accepted blast radius, if any.
    pub baseline: Option<&'a Baseline>,
    /// The invariants, if any.
    pub rules: Option<&'a RuleSet>,
    /// The file results point at in SARIF (the rules or baseline path as given).
    pub artifact: Option<String>,
}

/// Runs the rules and compares with the baseline; the report fails when a rule breaks
/// or reach grew. Errors are bad input (a rule naming an unknown account, a pattern the
/// query refuses).
pub fn check(
    org: &OrgReach,
    query: &dyn ReachQuery,
    inputs: &CheckInputs<'_>,
) -> Result<Report, String> {
    let mut report = Report::new("blastgraph check");
    report.artifact = inputs.artifact.clone();
    report.coverage_gaps = org.coverage_gaps.clone();
    report.add_summary("sources checked", org.sources.len());
    if let Some(rules) = inputs.rules {
        rules.validate(org)?;
        let (infos, items) = rules.evaluate(org, query)?;
        report.add_summary("rules checked", infos.len());
        report.add_summary("rule violations", items.len());
        report.rules.extend(infos);
        report.items.extend(items);
    }
    if let Some(baseline) = inputs.baseline {
        let growth = baseline.growth(org);
        let grown: BTreeSet<&str> = growth.iter().map(|i| i.source.as_str()).collect();
        report.add_summary("sources whose reach grew", grown.len());
        report.add_summary("sources whose reach shrank", baseline.shrunk(org));
        report.rules.extend(baseline::rule_infos());
        report.items.extend(growth);
    }
    Ok(report.sorted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::sample::{self, JewelQuery};

    fn rules() -> RuleSet {
        RuleSet::parse(
            r#"{"version": 1, "rules": [{"id": "no-task-admin", "forbid_admin": {"from": {"kinds": ["task-definition"]}}}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_check_passes_on_identical_or_shrunk_reach_and_fails_on_growth() {
        let accepted = sample::org();
        let grown = sample::grown_org();
        let baseline = Baseline::from_reach(&accepted);
        let rules = rules();
        let inputs = CheckInputs {
            baseline: Some(&baseline),
            rules: Some(&rules),
            artifact: None,
        };
        let same = check(&accepted, &JewelQuery(&accepted), &inputs).unwrap();
        assert!(same.passed, "{same:#?}");
        assert!(same.items.is_empty());

        let report = check(&grown, &JewelQuery(&grown), &inputs).unwrap();
        assert!(!report.passed);
        assert!(report
            .items
            .iter()
            .any(|i| i.rule_id == "rules/no-task-admin"));
        assert!(report
            .items
            .iter()
            .any(|i| i.rule_id == "baseline/new-admin"));

        let shrunk_baseline = Baseline::from_reach(&grown);
        let inputs = CheckInputs {
            baseline: Some(&shrunk_baseline),
            rules: None,
            artifact: None,
        };
        let report = check(&accepted, &JewelQuery(&accepted), &inputs).unwrap();
        assert!(report.passed);
        let shrank = report
            .summary
            .iter()
            .find(|l| l.label == "sources whose reach shrank")
            .unwrap();
        assert_eq!(shrank.value, "1");
    }

    #[test]
    fn two_runs_give_the_same_bytes() {
        let grown = sample::grown_org();
        let baseline = Baseline::from_reach(&sample::org());
        let rules = rules();
        let inputs = CheckInputs {
            baseline: Some(&baseline),
            rules: Some(&rules),
            artifact: Some("baseline.json".into()),
        };
        let a = check(&grown, &JewelQuery(&grown), &inputs).unwrap();
        let b = check(&grown.clone(), &JewelQuery(&grown), &inputs).unwrap();
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(
            crate::report::sarif::render_text(&a),
            crate::report::sarif::render_text(&b)
        );
    }
}
