//! Runs a real moto server for the collector's end-to-end tests.
//!
//! The virtualenv comes from `tests/moto/setup.sh` (repo root `.venv/`, or
//! `BLASTGRAPH_VENV`). Each test binary starts its own server on a free port and stops it
//! when the [`Moto`] value is dropped.

#![allow(dead_code)]

pub mod proxy;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("collector/ has a parent")
        .to_path_buf()
}

/// The virtualenv holding moto and boto3; panics with the setup command when absent.
pub fn venv() -> PathBuf {
    let venv = std::env::var_os("BLASTGRAPH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"));
    if !venv.join("bin/moto_server").exists() || !venv.join("bin/python").exists() {
        panic!(
            "the moto emulator is not installed in {}: run `bash tests/moto/setup.sh` \
             from the repository root first (it creates the virtualenv with moto[server] \
             and boto3)",
            venv.display()
        );
    }
    venv
}

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Where its request log goes.
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Starts moto on a free port with extra environment (`INITIAL_NO_AUTH_ACTION_COUNT`
    /// for IAM enforcement) and waits until it answers.
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let venv = venv();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("moto.log");
        let log_file = std::fs::File::create(&log).expect("moto log");
        let mut command = Command::new(venv.join("bin/moto_server"));
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("start moto_server");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        moto.wait_ready(port);
        moto
    }

    fn wait_ready(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = stream.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
                let mut buf = [0u8; 12];
                if stream.read(&mut buf).map(|n| n > 0).unwrap_or(false) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not answer on port {port} within 60 s");
    }

    /// Runs `tests/moto/populate.py` against the server and returns its manifest.
    pub fn populate(&self, roles: usize) -> serde_json::Value {
        self.populate_with(roles, &[])
    }

    /// [`Moto::populate`] with more arguments (`--aws-managed K`).
    pub fn populate_with(&self, roles: usize, args: &[&str]) -> serde_json::Value {
        let output = Command::new(venv().join("bin/python"))
            .arg(repo_root().join("tests/moto/populate.py"))
            .arg(&self.endpoint)
            .args(["--roles", &roles.to_string()])
            .args(args)
            .envs(test_credentials())
            .output()
            .expect("run populate.py");
        assert!(
            output.status.success(),
            "populate.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("populate.py prints JSON")
    }

    /// Runs a Python snippet with boto3 against the server (argv[1] is the endpoint) and
    /// returns its standard output.
    pub fn python(&self, script: &str, env: &[(&str, &str)]) -> String {
        let output = Command::new(venv().join("bin/python"))
            .args(["-c", script, &self.endpoint])
            .envs(test_credentials())
            .envs(env.iter().copied())
            .output()
            .expect("run python");
        assert!(
            output.status.success(),
            "python failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// How many requests the server has logged so far.
    pub fn requests(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .map(|log| {
                log.lines()
                    .filter(|l| l.contains("\" 200 ") || l.contains(" HTTP/1.1\" "))
                    .count()
            })
            .unwrap_or(0)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fake credentials moto accepts (its root user of account 123456789012).
pub fn test_credentials() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ]
}

/// Points this test process's AWS SDK at fixed credentials and no config files (each
/// test binary holds one test, so the environment is not shared).
pub fn use_credentials(access_key: &str, secret_key: &str) {
    std::env::set_var("AWS_ACCESS_KEY_ID", access_key);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", secret_key);
    std::env::remove_var("AWS_SESSION_TOKEN");
    std::env::remove_var("AWS_PROFILE");
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/blastgraph-test-config");
    std::env::set_var(
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/blastgraph-test-credentials",
    );
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
}
