//! An SMSC simulator for the SMPP tests: tests/smsc/smsc.js on the npm `smpp` package, driven
//! by JSON commands on stdin and reporting JSON events on stdout. Shared by the session tests
//! of the `sms` crate and the end-to-end tests of `web` (`#[path]`-included).
//!
//! Needs node and the npm package `smpp`: from `BALAI_TEST_SMPP_NODE_PATH` (a node_modules
//! folder; scripts/test.sh sets it), else installed here into `.tools/npm`. Missing either is a
//! failure, never a skip.
#![allow(dead_code)]

use serde_json::Value;
use sms::{GatewayConfig, GatewayKind};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::Notify;

const SMPP_NPM_VERSION: &str = "0.5.1";
pub const WAIT: Duration = Duration::from_secs(15);

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// The node_modules folder holding `smpp`, installing it into `.tools/npm` when needed.
fn node_path() -> PathBuf {
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "node is required for the SMPP tests (apt-get install nodejs npm, or run ./scripts/test.sh)"
    );
    if let Ok(path) = std::env::var("BALAI_TEST_SMPP_NODE_PATH") {
        let path = PathBuf::from(path);
        assert!(
            path.join("smpp/package.json").exists(),
            "BALAI_TEST_SMPP_NODE_PATH={} has no smpp package",
            path.display()
        );
        return path;
    }
    let prefix = workspace().join(".tools/npm");
    let modules = prefix.join("node_modules");
    if !modules.join("smpp/package.json").exists() {
        // Several tests may install at once; npm copes, the last one wins with the same files.
        let status = std::process::Command::new("npm")
            .args(["install", "--silent", "--no-save", "--prefix"])
            .arg(&prefix)
            .arg(format!("smpp@{SMPP_NPM_VERSION}"))
            .status()
            .expect("npm is required for the SMPP tests (run ./scripts/test.sh)");
        assert!(
            status.success(),
            "npm install smpp@{SMPP_NPM_VERSION} failed"
        );
    }
    assert!(
        modules.join("smpp/package.json").exists(),
        "smpp not installed"
    );
    modules
}

/// A running simulator and the events it printed.
pub struct Smsc {
    pub port: u16,
    _child: Child,
    stdin: ChildStdin,
    events: Arc<Mutex<Vec<Value>>>,
    notify: Arc<Notify>,
}

impl Smsc {
    pub async fn start() -> Self {
        let port = free_port();
        let script = workspace().join("crates/sms/tests/smsc/smsc.js");
        let mut child = Command::new("node")
            .arg(script)
            .args(["--port", &port.to_string()])
            .args(["--system-id", "balai", "--password", "rahasia"])
            .env("NODE_PATH", node_path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start node smsc.js");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let notify = Arc::new(Notify::new());
        let (e, n) = (events.clone(), notify.clone());
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    e.lock().unwrap().push(value);
                    n.notify_waiters();
                }
            }
        });
        let smsc = Self {
            port,
            _child: child,
            stdin,
            events,
            notify,
        };
        smsc.wait_count("listening", 1).await;
        smsc
    }

    pub fn named(&self, event: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["event"] == event)
            .cloned()
            .collect()
    }

    /// Waits until `count` events named `event` have been printed; returns them all.
    pub async fn wait_count(&self, event: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let notified = self.notify.notified();
            let found = self.named(event);
            if found.len() >= count {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "waited for {count} {event:?} events; got: {:?}",
                    self.events.lock().unwrap()
                );
            }
        }
    }

    pub async fn command(&mut self, command: Value) {
        self.stdin
            .write_all(format!("{command}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    pub fn gateway(&self, name: &str, password: &str) -> GatewayConfig {
        GatewayConfig {
            name: name.into(),
            kind: Some(GatewayKind::Smpp),
            host: Some("127.0.0.1".into()),
            port: Some(self.port),
            system_id: Some("balai".into()),
            password: Some(password.into()),
            system_type: Some("balai".into()),
            source_addr: Some("1708".into()),
            ..Default::default()
        }
    }
}

pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
