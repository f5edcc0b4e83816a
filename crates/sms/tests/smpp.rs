//! The SMPP ESME against an SMSC simulator (tests/smsc/smsc.js on the npm `smpp` package):
//! bind, MT encodings and concatenation, throttling, refused binds, reconnects, delivery
//! receipts and MO (single and concatenated out of order) into the database on both backends.
//!
//! Needs node and the npm package `smpp`: from `BALAI_TEST_SMPP_NODE_PATH` (a node_modules
//! folder; scripts/test.sh sets it), else installed here into `.tools/npm`. Missing either is a
//! failure, never a skip.

use serde_json::{Value, json};
use sms::smpp::{Inbound, SmppHandle};
use sms::{GatewayConfig, GatewayKind, SendError};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::messages::Message;
use store::sms::SmsRules;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{Notify, mpsc, watch};

const SMPP_NPM_VERSION: &str = "0.5.1";
const WAIT: Duration = Duration::from_secs(15);

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
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

use store::testing::free_port;

/// A running simulator and the events it printed.
struct Smsc {
    port: u16,
    _child: Child,
    stdin: ChildStdin,
    events: Arc<Mutex<Vec<Value>>>,
    notify: Arc<Notify>,
}

impl Smsc {
    async fn start() -> Self {
        let port = free_port();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smsc/smsc.js");
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

    fn named(&self, event: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["event"] == event)
            .cloned()
            .collect()
    }

    /// Waits until `count` events named `event` have been printed; returns them all.
    async fn wait_count(&self, event: &str, count: usize) -> Vec<Value> {
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

    async fn command(&mut self, command: Value) {
        self.stdin
            .write_all(format!("{command}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    fn gateway(&self, name: &str, password: &str) -> GatewayConfig {
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

fn message(id: i64, recipient: &str, body: &str) -> Message {
    Message {
        id,
        ticket_id: None,
        direction: "out".into(),
        channel: "sms".into(),
        recipient: recipient.into(),
        subject: String::new(),
        body: body.into(),
        status: "pending".into(),
        attempts: 0,
        last_error: None,
        created_at: 0,
        sent_at: None,
        kind: "answer".into(),
        gateway: None,
        gateway_ref: None,
        segments: 1,
        dlr_status: None,
        dlr_at: None,
    }
}

/// A session without a database; inbound events are acknowledged at once.
fn session(config: &GatewayConfig, shutdown: watch::Receiver<bool>) -> SmppHandle {
    let (events, mut rx) = mpsc::channel::<Inbound>(16);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let _ = event.ack.send(true);
        }
    });
    SmppHandle::start(config, events, shutdown)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt_encodings_concatenation_and_throttling() {
    let mut smsc = Smsc::start().await;
    let (stop, shutdown) = watch::channel(false);
    let esme = session(&smsc.gateway("operator", "rahasia"), shutdown);
    assert!(esme.wait_bound(WAIT).await, "bound");
    let bound = smsc.wait_count("bound", 1).await;
    assert_eq!(bound[0]["system_type"], "balai");

    // GSM-7, one part.
    let text = "Aduan Anda diterima, kode ABC123. Terima kasih!";
    let sent = esme.submit(&message(1, "+6281234567", text)).await.unwrap();
    let submits = smsc.wait_count("submit", 1).await;
    let s = &submits[0];
    assert_eq!(s["to"], "6281234567");
    assert_eq!(s["from"], "1708");
    assert_eq!(s["text"], text);
    assert_eq!(s["data_coding"], 0);
    assert_eq!(s["esm_class"], 0);
    assert_eq!(s["registered_delivery"], 1);
    assert_eq!(sent.reference.as_deref(), s["message_id"].as_str());

    // UCS-2: é and an emoji (a surrogate pair).
    let text = "Kafé di Jl. Merdeka sudah ditangani 👍";
    esme.submit(&message(2, "+6281234567", text)).await.unwrap();
    let s = &smsc.wait_count("submit", 2).await[1];
    assert_eq!(s["text"], text);
    assert_eq!(s["data_coding"], 8);

    // 400 GSM-7 characters: 3 parts of 153, 153, 94 septets with a concatenation UDH.
    let long: String = (0..400)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let sent = esme
        .submit(&message(3, "+6281234567", &long))
        .await
        .unwrap();
    let submits = smsc.wait_count("submit", 5).await;
    let parts = &submits[2..5];
    let mut joined = String::new();
    let mut reference = None;
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(part["esm_class"].as_u64().unwrap() & 0x40, 0x40, "UDHI");
        assert_eq!(part["data_coding"], 0);
        let udh = part["udh"][0].as_str().unwrap();
        // IEI 00, length 03, reference, total 3, sequence i+1.
        assert_eq!(&udh[..4], "0003", "{udh}");
        assert_eq!(&udh[6..], format!("03{:02x}", i + 1), "{udh}");
        let r = &udh[4..6];
        assert!(reference.is_none_or(|prev| prev == r), "one reference");
        reference = Some(r);
        joined.push_str(part["text"].as_str().unwrap());
    }
    assert_eq!(joined, long);
    assert_eq!(
        sent.reference.as_deref(),
        parts[2]["message_id"].as_str(),
        "the reference is the last part's message id"
    );

    // ESME_RTHROTTLED twice, then accepted.
    smsc.command(json!({"throttle": 2})).await;
    smsc.wait_count("throttle_set", 1).await;
    esme.submit(&message(4, "+6281234567", "Coba lagi"))
        .await
        .unwrap();
    assert_eq!(smsc.named("throttled").len(), 2);
    assert_eq!(smsc.wait_count("submit", 6).await[5]["text"], "Coba lagi");

    // Shutdown unbinds.
    stop.send(true).unwrap();
    tokio::time::timeout(WAIT, esme.stopped())
        .await
        .expect("stopped");
    smsc.wait_count("unbind", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_unavailable_and_a_dropped_link_comes_back() {
    let mut smsc = Smsc::start().await;
    let (_stop, shutdown) = watch::channel(false);

    let wrong = session(&smsc.gateway("wrong", "salah"), shutdown.clone());
    smsc.wait_count("bind_refused", 1).await;
    assert!(!wrong.is_bound());
    match wrong.submit(&message(1, "+6281234567", "Halo")).await {
        Err(SendError::Unavailable(why)) => assert!(why.contains("not bound"), "{why}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    // It keeps trying, with backoff.
    smsc.wait_count("bind_refused", 2).await;

    let esme = session(&smsc.gateway("operator", "rahasia"), shutdown);
    assert!(esme.wait_bound(WAIT).await);
    esme.submit(&message(2, "+6281234567", "Sebelum putus"))
        .await
        .unwrap();
    smsc.command(json!({"drop": true})).await;
    smsc.wait_count("dropped", 1).await;
    // Bound again after the first backoff step.
    smsc.wait_count("bound", 2).await;
    assert!(esme.wait_bound(WAIT).await);
    esme.submit(&message(3, "+6281234567", "Sesudah putus"))
        .await
        .unwrap();
    let submits = smsc.wait_count("submit", 2).await;
    assert_eq!(submits[1]["text"], "Sesudah putus");
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mo_and_delivery_receipts_reach_the_database() {
    for db in store::testing::each_backend().await {
        let backend = format!("{:?}", db.backend());
        let mut smsc = Smsc::start().await;
        store::testing::agency_with_keyword(&db, "DISHUB").await;
        let rules = SmsRules {
            autoreplies_per_hour: 1000,
            flood_per_hour: 1000,
            ..SmsRules::default()
        };
        let (stop, shutdown) = watch::channel(false);
        let mut gateways = sms::Gateways::new(vec![smsc.gateway("operator", "rahasia")]).unwrap();
        gateways.start_smpp(&db, &rules, shutdown);
        let esme = gateways.smpp("operator").unwrap();
        assert!(esme.wait_bound(WAIT).await, "{backend}: bound");

        // A single UCS-2 MO becomes a ticket; the SMSC gets its deliver_sm_resp after the commit.
        let text = "DISHUB lampu jalan mati di depan Kafé ✓";
        smsc.command(
            json!({"mo": {"from": "+6281211112222", "to": "1708", "text": text, "coding": 8}}),
        )
        .await;
        let resps = smsc.wait_count("deliver_resp", 1).await;
        assert_eq!(resps[0]["status"], 0, "{backend}");
        let inbound = db
            .inbound_messages(Some("+6281211112222"), 10)
            .await
            .unwrap();
        assert_eq!(inbound.len(), 1, "{backend}");
        assert_eq!(inbound[0].text, text);
        assert_eq!(inbound[0].gateway, "operator");
        assert_eq!(inbound[0].coding, "2");
        assert!(inbound[0].ticket_id.is_some(), "{backend}: a ticket");

        // The same MO again (an SMSC retry) changes nothing.
        smsc.command(
            json!({"mo": {"from": "+6281211112222", "to": "1708", "text": text, "coding": 8}}),
        )
        .await;
        smsc.wait_count("deliver_resp", 2).await;
        assert_eq!(
            db.inbound_messages(Some("+6281211112222"), 10)
                .await
                .unwrap()
                .len(),
            1,
            "{backend}: a retry is stored once"
        );

        // Three parts, out of order, 16-bit reference, GSM-7: one message, one ticket.
        let parts = [
            "DISHUB jalan berlubang ",
            "besar di Jl. Sudirman ",
            "dekat pasar.",
        ];
        smsc.command(
            json!({"mo_parts": {"from": "+6281233334444", "to": "1708", "texts": parts,
            "coding": 0, "ref": 513, "ref16": true, "order": [2, 0, 1]}}),
        )
        .await;
        let resps = smsc.wait_count("deliver_resp", 5).await;
        assert!(resps.iter().all(|r| r["status"] == 0), "{resps:?}");
        let inbound = db
            .inbound_messages(Some("+6281233334444"), 10)
            .await
            .unwrap();
        assert_eq!(inbound.len(), 1, "{backend}: one message");
        assert_eq!(inbound[0].text, parts.concat());
        assert!(!inbound[0].partial);
        assert!(inbound[0].ticket_id.is_some(), "{backend}: a ticket");

        // A reporter whose number the SMSC cannot reach (ends in 0000).
        smsc.command(json!({"mo": {"from": "+6281255550000", "to": "1708",
            "text": "DISHUB trotoar rusak", "coding": 0}}))
            .await;
        smsc.wait_count("deliver_resp", 6).await;

        // The acknowledgements go out through SMPP; receipts settle them.
        let sent = gateways.send_due(&db).await.unwrap();
        assert_eq!(
            sent,
            3,
            "{backend}: three acknowledgements: {:?}",
            db.outbox(None, 50).await.unwrap()
        );
        let outbox = db.outbox(None, 50).await.unwrap();
        assert!(
            outbox
                .iter()
                .all(|m| m.gateway.as_deref() == Some("operator") && m.gateway_ref.is_some()),
            "{backend}: {outbox:?}"
        );
        wait_until("receipts recorded", || async {
            db.outbox(None, 50)
                .await
                .unwrap()
                .iter()
                .all(|m| m.status == "delivered" || m.status == "failed")
        })
        .await;
        for m in db.outbox(None, 50).await.unwrap() {
            if m.recipient.ends_with("0000") {
                assert_eq!(m.status, "failed", "{backend}: {m:?}");
                assert_eq!(m.dlr_status.as_deref(), Some("UNDELIV err:001"));
            } else {
                assert_eq!(m.status, "delivered", "{backend}: {m:?}");
                assert_eq!(m.dlr_status.as_deref(), Some("DELIVRD"));
            }
        }

        stop.send(true).unwrap();
        tokio::time::timeout(WAIT, esme.stopped())
            .await
            .expect("stopped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concatenated_mo_with_a_lost_part_is_stored_as_partial() {
    for db in store::testing::each_backend().await {
        let backend = format!("{:?}", db.backend());
        let mut smsc = Smsc::start().await;
        let (_stop, shutdown) = watch::channel(false);
        let (events, rx) = mpsc::channel(16);
        let esme = SmppHandle::start(
            &smsc.gateway("operator", "rahasia"),
            events,
            shutdown.clone(),
        );
        tokio::spawn(sms::smpp::run_events(
            db.clone(),
            SmsRules::default(),
            "operator".into(),
            rx,
            Duration::from_secs(1),
            shutdown,
        ));
        assert!(esme.wait_bound(WAIT).await);
        // Parts 3 and 1 of 3 (8-bit reference); part 2 never comes.
        smsc.command(json!({"mo_parts": {"from": "+6281277778888", "to": "1708",
            "texts": ["Halo ", "(hilang) ", "akhir"], "coding": 8, "ref": 9, "order": [2, 0]}}))
            .await;
        smsc.wait_count("deliver_resp", 2).await;
        wait_until("partial stored", || async {
            !db.inbound_messages(Some("+6281277778888"), 10)
                .await
                .unwrap()
                .is_empty()
        })
        .await;
        let inbound = db
            .inbound_messages(Some("+6281277778888"), 10)
            .await
            .unwrap();
        assert_eq!(inbound.len(), 1, "{backend}");
        assert!(inbound[0].partial, "{backend}");
        assert_eq!(
            inbound[0].text,
            format!("Halo {}akhir", domain::sms::reassembly::MISSING_MARKER)
        );
    }
}
