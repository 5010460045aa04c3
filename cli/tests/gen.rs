//! `blastgraph gen` through the binary: determinism, atomic output, bad sizes.

use std::path::PathBuf;
use std::process::Command;

fn blastgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_blastgraph"))
}

/// A fresh directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("blastgraph-gen-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gen(args: &[&str], output: &PathBuf) -> std::process::Output {
    blastgraph()
        .arg("gen")
        .args(args)
        .arg("-o")
        .arg(output)
        .output()
        .unwrap()
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_the_file_loads() {
    let scratch = Scratch::new("same");
    let (a, b, c) = (
        scratch.0.join("a.snap"),
        scratch.0.join("b.snap"),
        scratch.0.join("c.snap"),
    );
    let args = [
        "--accounts",
        "3",
        "--roles-per-account",
        "40",
        "--seed",
        "7",
    ];
    let first = gen(&args, &a);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report = String::from_utf8_lossy(&first.stdout);
    assert!(
        report.contains("3 accounts")
            && report.contains("120 roles")
            && report.contains("1200 resources"),
        "{report}"
    );
    assert!(gen(&args, &b).status.success());
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(gen(
        &[
            "--accounts",
            "3",
            "--roles-per-account",
            "40",
            "--seed",
            "8"
        ],
        &c
    )
    .status
    .success());
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
    // The CLI's own loader (which validates) accepts it.
    let shown = blastgraph()
        .args(["snapshot", "show"])
        .arg(&a)
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(&scratch.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".tmp")),
        "temporary file left: {names:?}"
    );
}

#[test]
fn impossible_sizes_exit_2_and_write_nothing() {
    let scratch = Scratch::new("bad");
    let out = scratch.0.join("x.snap");
    let result = gen(
        &["--accounts", "2", "--roles-per-account", "5", "--seed", "1"],
        &out,
    );
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("too few"));
    let result = gen(&["--seed", "1"], &out);
    assert_eq!(result.status.code(), Some(2));
    assert!(!out.exists());
}
