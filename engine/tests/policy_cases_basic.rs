//! The 102 hand-written cases of `tests/oracle/cases-basic.json`: the engine's decision
//! must equal `expected` (AWS's documented answer, see each case's `note`) for all.

use blastgraph_engine::policy::cases::run_cases;
use blastgraph_engine::policy::Mode;
use serde_json::Value;

#[test]
fn every_basic_case_matches_aws_documented_decision() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/oracle/cases-basic.json"
    );
    let text =
        std::fs::read_to_string(path).expect("tests/oracle/cases-basic.json is in the repository");
    let cases: Value = serde_json::from_str(&text).expect("valid JSON");
    let results = run_cases(&cases, Mode::Strict).expect("well-formed cases");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 102);
    let mut failures = Vec::new();
    for (case, result) in cases.iter().zip(&results) {
        let expected = case["expected"].as_str().unwrap();
        if result.decision != expected {
            failures.push(format!(
                "{}: expected {expected}, got {} ({}){}",
                case["id"],
                result.decision,
                case["note"].as_str().unwrap_or(""),
                result
                    .error
                    .as_deref()
                    .map(|e| format!(" error: {e}"))
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
