//! Bad input, end to end: every mistake gives a clear message (file, JSON path, what was
//! expected), exit code 2, no panic, and no output file (nor temporary file) left behind.

mod common;

use common::{blastgraph, dataset, files_in, Run};
use std::io::Write;
use std::path::Path;

const GOOD_ROLE: &str = r#"{"Arn":"arn:aws:iam::111111111111:role/app","RoleName":"app",
  "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]},
  "RolePolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}],
  "Tags":[{"Key":"team","Value":"web"}]}"#;

fn good_gaad() -> String {
    format!(r#"{{"RoleDetailList":[{GOOD_ROLE}],"Policies":[]}}"#)
}

/// Imports `text` (written to `in.json`) into `out.snap` and checks the failure contract.
fn import_fails(text: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.json"), text).unwrap();
    let run = blastgraph(dir.path(), &["import", "gaad", "in.json", "-o", "out.snap"]);
    assert_failed_cleanly(&run, dir.path(), &["in.json"]);
    assert!(
        run.stderr.contains("in.json: "),
        "names the file: {}",
        run.stderr
    );
    run
}

fn assert_failed_cleanly(run: &Run, dir: &Path, files_left: &[&str]) {
    assert_eq!(run.code, 2, "exit code 2 for bad input: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.starts_with("blastgraph: error: "),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(dir), files_left, "no partial or temporary file");
}

#[test]
fn the_good_input_used_below_imports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.json"), good_gaad()).unwrap();
    let run = blastgraph(dir.path(), &["import", "gaad", "in.json", "-o", "out.snap"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn malformed_json_names_line_and_column() {
    let run = import_fails(&good_gaad()[..60]);
    assert!(run.stderr.contains("EOF while parsing"), "{}", run.stderr);
    assert!(run.stderr.contains("line 1 column 60"), "{}", run.stderr);
    let run = import_fails(r#"{"RoleDetailList": [1,]}"#);
    assert!(
        run.stderr.contains("at JSON path RoleDetailList[0]"),
        "{}",
        run.stderr
    );
    let run = import_fails("");
    assert!(run.stderr.contains("the file is empty"), "{}", run.stderr);
}

#[test]
fn wrong_shapes_name_the_json_path_and_the_expectation() {
    let tags_as_object = good_gaad().replace(
        r#""Tags":[{"Key":"team","Value":"web"}]"#,
        r#""Tags":{"team":"web"}"#,
    );
    let run = import_fails(&tags_as_object);
    assert!(
        run.stderr.contains(
            "at JSON path RoleDetailList[0].Tags: invalid type: map, expected a sequence"
        ),
        "{}",
        run.stderr
    );
    let run = import_fails(r#"{"RoleDetailList": "roles"}"#);
    assert!(
        run.stderr.contains("at JSON path RoleDetailList: invalid type: string \"roles\", expected an array of records"),
        "{}",
        run.stderr
    );
    let run = import_fails(&good_gaad().replace(r#""RoleName":"app","#, ""));
    assert!(
        run.stderr.contains("missing field `RoleName`"),
        "{}",
        run.stderr
    );
    let run = import_fails("[1, 2]");
    assert!(run.stderr.contains("at JSON path [0]"), "{}", run.stderr);
    let run = import_fails(r#"{"accounts": []}"#);
    assert!(
        run.stderr.contains("unknown top-level key `accounts`"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_fields_in_strange_places() {
    // At the top level it could hold records: an error naming the key.
    let run = import_fails(
        &good_gaad().replace(r#""Policies":[]"#, r#""Policies":[],"RoleDetailsList":[]"#),
    );
    assert!(
        run.stderr
            .contains("at JSON path RoleDetailsList: unknown top-level key"),
        "{}",
        run.stderr
    );
    // Inside a record: imported, with a warning naming the path (AWS adds fields).
    let dir = tempfile::tempdir().unwrap();
    let text = good_gaad().replace(r#""RoleName":"app","#, r#""RoleName":"app","AttachedManagedPolicy":[{"PolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}],"#);
    std::fs::write(dir.path().join("in.json"), text).unwrap();
    let run = blastgraph(dir.path(), &["import", "gaad", "in.json", "-o", "out.snap"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning: in.json: ignored unknown field at JSON path RoleDetailList[0].AttachedManagedPolicy"), "{}", run.stderr);
    // In a hand-written overlay: an error.
    std::fs::write(
        dir.path().join("org.json"),
        r#"{"accounts":[{"id":"111111111111","nmae":"prod"}]}"#,
    )
    .unwrap();
    let run = blastgraph(
        dir.path(),
        &[
            "import",
            "gaad",
            "in.json",
            "--overlay",
            "org.json",
            "-o",
            "with-overlay.snap",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("org.json: at JSON path accounts[0].nmae: unknown field"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("with-overlay.snap").exists());
}

#[test]
fn invalid_policy_documents_are_refused_at_their_path() {
    let run = import_fails(&good_gaad().replace(
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        r#"{"Version":"2012-10-17","Statment":[]}"#,
    ));
    assert!(
        run.stderr.contains("at JSON path RoleDetailList[0].RolePolicyList[0].PolicyDocument: invalid policy document: Statment: expected only Version, Id and Statement"),
        "{}",
        run.stderr
    );
    let run = import_fails(&good_gaad().replace(
        r#"{"Statement":[{"Effect":"Allow","Principal""#,
        r#""%7B%22Statement%22%3A%5B%7B%7D"}"#.trim_end_matches('}'),
    ));
    assert!(
        run.stderr.contains("AssumeRolePolicyDocument"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_import_keeps_the_previous_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.json"), good_gaad()).unwrap();
    std::fs::write(dir.path().join("bad.json"), "{").unwrap();
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", "good.json", "-o", "out.snap"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before = std::fs::read(dir.path().join("out.snap")).unwrap();
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", "good.json", "bad.json", "-o", "out.snap"],
    );
    assert_failed_cleanly(&run, dir.path(), &["bad.json", "good.json", "out.snap"]);
    assert!(run.stderr.contains("bad.json: "), "{}", run.stderr);
    assert_eq!(std::fs::read(dir.path().join("out.snap")).unwrap(), before);
}

#[test]
fn missing_files_and_misused_options_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", "nowhere.json", "-o", "out.snap"],
    );
    assert_failed_cleanly(&run, dir.path(), &[]);
    assert!(
        run.stderr.contains("nowhere.json: cannot open"),
        "{}",
        run.stderr
    );
    std::fs::write(dir.path().join("a.json"), good_gaad()).unwrap();
    let run = blastgraph(
        dir.path(),
        &[
            "import",
            "gaad",
            "a.json",
            "a.json",
            "--account",
            "111111111111",
            "-o",
            "out.snap",
        ],
    );
    assert_failed_cleanly(&run, dir.path(), &["a.json"]);
    let run = blastgraph(
        dir.path(),
        &[
            "import",
            "gaad",
            "a.json",
            "--account",
            "12",
            "-o",
            "out.snap",
        ],
    );
    assert_failed_cleanly(&run, dir.path(), &["a.json"]);
    assert!(
        run.stderr.contains("expected a 12-digit account id"),
        "{}",
        run.stderr
    );
}

fn snapshot_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dataset("authorization-details/cloudmapper-demo-authorization-details.json");
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", path.to_str().unwrap(), "-o", "s.snap"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::read(dir.path().join("s.snap")).unwrap()
}

fn info_fails(bytes: &[u8]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.snap"), bytes).unwrap();
    let run = blastgraph(dir.path(), &["info", "s.snap"]);
    assert_failed_cleanly(&run, dir.path(), &["s.snap"]);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("s.snap: "), "{}", run.stderr);
    run
}

#[test]
fn truncated_or_corrupt_snapshots_are_refused() {
    let bytes = snapshot_bytes();
    let run = info_fails(&bytes[..bytes.len() / 2]);
    assert!(run.stderr.contains("snapshot is corrupt"), "{}", run.stderr);
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    let run = info_fails(&flipped);
    assert!(run.stderr.contains("snapshot is corrupt"), "{}", run.stderr);
    let run = info_fails(b"{\"UserDetailList\": []}");
    assert!(
        run.stderr.contains("blastgraph import gaad"),
        "hint for GAAD JSON: {}",
        run.stderr
    );
}

#[test]
fn snapshots_of_another_format_version_are_refused() {
    let mut bytes = snapshot_bytes();
    bytes[8..12].copy_from_slice(&999u32.to_le_bytes());
    let run = info_fails(&bytes);
    assert!(
        run.stderr
            .contains("snapshot format version 999 is not supported"),
        "{}",
        run.stderr
    );
}

/// Writes a GAAD file of at least `size` bytes: roles with distinct inline policies (the
/// worst case for memory: no document is shared), each near the 10 KB size limit of a
/// role's inline policies. Returns the number of roles.
fn write_large_gaad(path: &Path, size: u64) -> usize {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let actions: Vec<String> = (0..250)
        .map(|i| format!("\"s3:GetObjectVersion{i}\""))
        .collect();
    let actions = actions.join(",");
    out.write_all(b"{\"RoleDetailList\": [\n").unwrap();
    let mut written = 0u64;
    let mut roles = 0;
    while written < size {
        let role = format!(
            r#"{}{{"Arn": "arn:aws:iam::111111111111:role/r{roles}", "RoleName": "r{roles}", "RoleId": "AROA{roles:017}", "Path": "/",
 "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
 "RolePolicyList": [{{"PolicyName": "p", "PolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": [{actions}], "Resource": "arn:aws:s3:::bucket-{roles}/*"}}]}}}}],
 "AttachedManagedPolicies": [], "Tags": [], "InstanceProfileList": []}}
"#,
            if roles == 0 { "" } else { "," }
        );
        out.write_all(role.as_bytes()).unwrap();
        written += role.len() as u64;
        roles += 1;
    }
    out.write_all(b"], \"Policies\": []}\n").unwrap();
    out.flush().unwrap();
    roles
}

#[test]
fn a_200_mb_file_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let roles = write_large_gaad(&path, 200 * 1024 * 1024);
    assert!(std::fs::metadata(&path).unwrap().len() >= 200 * 1024 * 1024);
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", "big.json", "-o", "big.snap"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = blastgraph(dir.path(), &["info", "big.snap", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let info: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(info["accounts"][0]["roles"], roles);
    assert_eq!(info["documents"]["distinct"], roles + 1);
}

#[test]
fn a_large_file_cut_short_fails_clearly_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    write_large_gaad(&path, 20 * 1024 * 1024);
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(15 * 1024 * 1024).unwrap();
    let run = blastgraph(
        dir.path(),
        &["import", "gaad", "big.json", "-o", "big.snap"],
    );
    assert_failed_cleanly(&run, dir.path(), &["big.json"]);
    assert!(
        run.stderr
            .contains("big.json: at JSON path RoleDetailList["),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("EOF while parsing"), "{}", run.stderr);
}
