//! SARIF 2.1.0, for code-scanning tools (GitHub code scanning, Azure DevOps, ...).
//!
//! One run, tool `blastgraph`, one SARIF rule per [`RuleInfo`](super::RuleInfo), one result per
//! [`ReportItem`]. Each result names its source (as a logical location and in the
//! message) and its path: the message spells it out, and a code flow walks it node by
//! node with each edge's explanation. When the report has an artifact (the rules,
//! baseline or snapshot file), results point at it as their physical location, which
//! code-scanning services need to display them. `partialFingerprints` identify a result
//! across runs by rule, source, target and actions, so an alert stays the same alert.

use super::{Finding, Report, ReportItem};
use serde_json::{json, Value};

/// The `$schema` written in every log.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Renders a sorted report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> Value {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "shortDescription": {"text": rule.description},
                "defaultConfiguration": {"level": rule.level.as_str()},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .items
        .iter()
        .map(|item| result(report, item))
        .collect();
    let summary: serde_json::Map<String, Value> = report
        .summary
        .iter()
        .map(|line| (line.label.clone(), Value::String(line.value.clone())))
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "blastgraph",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/blastgraph/blastgraph",
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "title": report.title,
                "passed": report.passed,
                "summary": summary,
                "coverageGaps": report.coverage_gaps,
            },
        }],
    })
}

/// Renders as pretty JSON text with a final newline.
pub fn render_text(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&render(report)).unwrap_or_default();
    text.push('\n');
    text
}

fn result(report: &Report, item: &ReportItem) -> Value {
    let rule_index = report
        .rules
        .iter()
        .position(|r| r.id == item.rule_id)
        .map_or(json!(-1), |i| json!(i));
    let mut location = json!({
        "logicalLocations": [{"fullyQualifiedName": item.source, "kind": "resource"}],
    });
    if let Some(artifact) = &report.artifact {
        location["physicalLocation"] = json!({
            "artifactLocation": {"uri": artifact},
            "region": {"startLine": 1},
        });
    }
    let mut result = json!({
        "ruleId": item.rule_id,
        "ruleIndex": rule_index,
        "level": item.level.as_str(),
        "message": {"text": message(item)},
        "locations": [location],
        "partialFingerprints": {"blastgraphFinding/v1": fingerprint(item)},
        "properties": {
            "source": item.source,
            "target": item.target,
            "actions": item.actions,
            "conditional": item.conditional,
        },
    });
    if !item.path.is_empty() {
        result["codeFlows"] = json!([code_flow(item)]);
    }
    result
}

/// The message: what happened, then the source, the target and the path in words.
fn message(item: &ReportItem) -> String {
    let mut text = format!(
        "{} Source: {}. Target: {}.",
        item.message.trim_end_matches('.').to_string() + ".",
        item.source,
        item.target
    );
    if !item.actions.is_empty() {
        text.push_str(&format!(" Actions: {}.", item.actions.join(", ")));
    }
    if !item.path.is_empty() {
        text.push_str(&format!(" Path: {}.", Finding::path_line(&item.path)));
    }
    if item.conditional {
        text.push_str(" The path rests on a condition blastgraph could not decide.");
    }
    text
}

fn code_flow(item: &ReportItem) -> Value {
    let node = |name: &str, text: &str| {
        json!({"location": {
            "logicalLocations": [{"fullyQualifiedName": name}],
            "message": {"text": text},
        }})
    };
    let mut locations = vec![node(&item.source, "compromised source")];
    for step in &item.path {
        locations.push(node(
            &step.to,
            &format!("{}: {}", step.edge, step.explanation),
        ));
    }
    json!({
        "message": {"text": format!("path from {} to {}", item.source, item.target)},
        "threadFlows": [{"locations": locations}],
    })
}

/// A stable 64-bit FNV-1a hash of what identifies the item across runs.
fn fingerprint(item: &ReportItem) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [&item.rule_id, &item.source, &item.target]
        .into_iter()
        .chain(item.actions.iter());
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn every_result_names_its_source_and_path() {
        let report = sample::report().sorted();
        let log = render(&report);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), report.items.len());
        for (result, item) in results.iter().zip(&report.items) {
            let text = result["message"]["text"].as_str().unwrap();
            assert!(text.contains(&item.source), "{text}");
            assert_eq!(
                result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                item.source.as_str()
            );
            let rule = &log["runs"][0]["tool"]["driver"]["rules"]
                [result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"]);
            if item.path.is_empty() {
                assert!(result.get("codeFlows").is_none());
            } else {
                assert!(text.contains("Path: "), "{text}");
                let flow = &result["codeFlows"][0]["threadFlows"][0]["locations"];
                assert_eq!(flow.as_array().unwrap().len(), item.path.len() + 1);
            }
        }
    }

    #[test]
    fn fingerprints_are_stable_and_distinguish_targets() {
        let report = sample::report().sorted();
        let a = fingerprint(&report.items[0]);
        assert_eq!(a, fingerprint(&report.items[0].clone()));
        let mut other = report.items[0].clone();
        other.target.push('x');
        assert_ne!(a, fingerprint(&other));
        assert_eq!(a.len(), 16);
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;
    use crate::report::{sample, Report};

    fn validator() -> jsonschema::Validator {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/sarif-schema-2.1.0.json"
        );
        let text = std::fs::read_to_string(path).expect("the SARIF schema ships in tests/data");
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::draft4::new(&schema).expect("the schema compiles")
    }

    fn assert_valid(log: &Value) {
        let validator = validator();
        let errors: Vec<String> = validator
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn a_log_with_paths_and_an_artifact_is_valid_sarif() {
        assert_valid(&render(&sample::report().sorted()));
    }

    #[test]
    fn a_log_without_artifact_or_results_is_valid_sarif() {
        let mut report = sample::report();
        report.artifact = None;
        assert_valid(&render(&report.sorted()));
        assert_valid(&render(&Report::new("blastgraph check").sorted()));
    }

    #[test]
    fn the_validator_rejects_a_broken_log() {
        // Guards the guard: a log missing its required `tool` must fail validation.
        let mut log = render(&sample::report().sorted());
        log["runs"][0].as_object_mut().unwrap().remove("tool");
        assert!(!validator().is_valid(&log));
    }
}
