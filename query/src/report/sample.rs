//! A small report used by the renderer tests.

use super::*;

fn step(from: &str, to: &str, edge: &str, explanation: &str) -> PathStep {
    PathStep {
        from: from.into(),
        to: to.into(),
        edge: edge.into(),
        explanation: explanation.into(),
    }
}

/// A report with a rule violation (with a two-step path), a growth item and a note.
pub fn report() -> Report {
    let source = "arn:aws:ecs:eu-west-1:222222222222:task-definition/web:1";
    let mut report = Report::new("blastgraph check");
    report.artifact = Some("ci/blastgraph-rules.json".into());
    report.rules = vec![
        RuleInfo {
            id: "rules/payments-secrets".into(),
            description: "no source outside namespace payments may read payments secrets".into(),
            level: Level::Error,
        },
        RuleInfo {
            id: "baseline/new-identity".into(),
            description: "a source reaches an identity it did not reach in the baseline".into(),
            level: Level::Error,
        },
        RuleInfo {
            id: "diff/removed-path".into(),
            description: "a path that no longer exists".into(),
            level: Level::Note,
        },
    ];
    let path = vec![
        step(
            source,
            "arn:aws:iam::222222222222:role/ecs-instance",
            "ecscape",
            "task on EC2 container instance i-1 | reaches IMDS (bridge, hop limit 2)",
        ),
        step(
            "arn:aws:iam::222222222222:role/ecs-instance",
            "arn:aws:iam::222222222222:role/payments",
            "co-location",
            "payments task placed on the same instance",
        ),
    ];
    report.items = vec![
        ReportItem {
            rule_id: "rules/payments-secrets".into(),
            level: Level::Error,
            source: source.into(),
            target: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:payments/db".into(),
            actions: vec!["secretsmanager:GetSecretValue".into()],
            conditional: false,
            message: "web:1 can read payments/db".into(),
            path: path.clone(),
        },
        ReportItem {
            rule_id: "baseline/new-identity".into(),
            level: Level::Error,
            source: source.into(),
            target: "arn:aws:iam::222222222222:role/payments".into(),
            actions: vec![],
            conditional: true,
            message: "newly reaches role/payments".into(),
            path,
        },
        ReportItem {
            rule_id: "diff/removed-path".into(),
            level: Level::Note,
            source: "arn:aws:iam::111111111111:user/alice".into(),
            target: "111111111111".into(),
            actions: vec![],
            conditional: false,
            message: "no longer administers 111111111111".into(),
            path: vec![],
        },
    ];
    report.add_summary("sources checked", 3);
    report.coverage_gaps = vec!["222222222222 eu-west-1 eks: not collected".into()];
    report
}
