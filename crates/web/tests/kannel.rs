//! End to end against the real Kannel from Debian (packages `kannel` and `kannel-extras`):
//! bearerbox + smsbox with Kannel's fake SMSC, and `fakesmsc` playing the citizen's handset.
//! MO goes fakesmsc → bearerbox → smsbox `get-url` → `/gateway/kannel/mo`; the acknowledgement
//! goes `send_due` → smsbox `/cgi-bin/sendsms` → bearerbox → fakesmsc; delivery reports come back
//! by `dlr-url` to `/gateway/kannel/dlr`. The Kannel configuration is the one in README.md.
//!
//! Missing binaries fail the test (scripts/test.sh installs them); `BALAI_TEST_BEARERBOX`,
//! `BALAI_TEST_SMSBOX` and `BALAI_TEST_FAKESMSC` point at other builds.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Db;

const TOKEN: &str = "kannel-e2e-token-0123456789";
const SENDSMS_USER: &str = "balai";
const SENDSMS_PASSWORD: &str = "rahasia-kannel";
const ADMIN_PASSWORD: &str = "admin-kannel";
const SHORT_CODE: &str = "1708";
const CITIZEN: &str = "+6281234567890";
const MO_TEXT: &str = "DISHUB lampu jalan mati di Jl. Merdeka";
/// Not GSM 7-bit: the handset sends it as UCS-2.
const MO_UCS2_TEXT: &str = "DISHUB trotoar rusak 🙏 — Žižkov";
const WAIT: Duration = Duration::from_secs(30);

struct Binaries {
    bearerbox: PathBuf,
    smsbox: PathBuf,
    fakesmsc: PathBuf,
}

fn find_binary(env: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{env}={} is not a file", path.display());
        return path;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/usr/lib/kannel/test"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "Kannel's `{name}` was not found (PATH, /usr/sbin, /usr/lib/kannel/test). Install it with \
                 `apt-get install kannel kannel-extras` (scripts/test.sh does) or set {env}."
            )
        })
}

impl Binaries {
    fn find() -> Self {
        Self {
            bearerbox: find_binary("BALAI_TEST_BEARERBOX", "bearerbox"),
            smsbox: find_binary("BALAI_TEST_SMSBOX", "smsbox"),
            fakesmsc: find_binary("BALAI_TEST_FAKESMSC", "fakesmsc"),
        }
    }
}

use store::testing::free_port;

struct Ports {
    admin: u16,
    smsbox: u16,
    sendsms: u16,
    fake_smsc: u16,
}

impl Ports {
    fn free() -> Self {
        loop {
            let ports = Self {
                admin: free_port(),
                smsbox: free_port(),
                sendsms: free_port(),
                fake_smsc: free_port(),
            };
            let mut all = [ports.admin, ports.smsbox, ports.sendsms, ports.fake_smsc];
            all.sort_unstable();
            if all.windows(2).all(|w| w[0] != w[1]) {
                return ports;
            }
        }
    }
}

/// The configuration README.md shows, with this test's ports, paths and secrets.
fn kannel_conf(dir: &Path, ports: &Ports, app_url: &str) -> String {
    let dir = dir.display();
    format!(
        r#"group = core
admin-port = {admin}
admin-interface = 127.0.0.1
admin-password = {ADMIN_PASSWORD}
status-password = {ADMIN_PASSWORD}
smsbox-port = {smsbox}
box-allow-ip = 127.0.0.1
dlr-storage = internal
log-file = "{dir}/bearerbox.log"
log-level = 0
access-log = "{dir}/access.log"

group = smsc
smsc = fake
smsc-id = fake
port = {fake_smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 0
access-log = "{dir}/smsbox-access.log"

group = sendsms-user
username = {SENDSMS_USER}
password = {SENDSMS_PASSWORD}
user-allow-ip = "127.0.0.1"
default-sender = {SHORT_CODE}
concatenation = true
max-messages = 10

group = sms-service
keyword = default
catch-all = true
get-url = "{app_url}/gateway/kannel/mo?from=%p&to=%P&text=%b&id=%I&ts=%T&smsc=%i&coding=%c&charset=%C&udh=%u&token={TOKEN}"
max-messages = 0
omit-empty = true
concatenation = true
"#,
        admin = ports.admin,
        smsbox = ports.smsbox,
        sendsms = ports.sendsms,
        fake_smsc = ports.fake_smsc,
    )
}

/// Kannel's processes and their temp dir; dropping it (also on panic) kills them.
struct Kannel {
    dir: PathBuf,
    admin_port: u16,
    children: Vec<(&'static str, Child)>,
    fakesmsc_in: Option<ChildStdin>,
    /// fakesmsc's log lines (it logs to stderr; MT messages show as `Got message N: <…>`).
    fakesmsc_log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Kannel {
    fn drop(&mut self) {
        self.fakesmsc_in.take();
        for (_, child) in self.children.iter_mut().rev() {
            // Each box runs in its own process group: take the whole group down.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Kannel {
    async fn start(bins: &Binaries, ports: &Ports, app_url: &str) -> Kannel {
        let dir = std::env::temp_dir().join(format!(
            "balai-kannel-{}-{}",
            std::process::id(),
            ports.admin
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("kannel.conf");
        std::fs::write(&conf, kannel_conf(&dir, ports, app_url)).unwrap();
        let mut kannel = Kannel {
            dir,
            admin_port: ports.admin,
            children: Vec::new(),
            fakesmsc_in: None,
            fakesmsc_log: Arc::new(Mutex::new(Vec::new())),
        };
        kannel.spawn_box("bearerbox", &bins.bearerbox, &conf);
        kannel
            .eventually("bearerbox's admin status lists the fake SMSC", async || {
                let status = kannel.status().await?;
                status
                    .contains(&format!("FAKE:{}", ports.fake_smsc))
                    .then_some(())
            })
            .await;
        kannel.spawn_box("smsbox", &bins.smsbox, &conf);
        kannel.spawn_fakesmsc(&bins.fakesmsc, ports.fake_smsc);
        kannel
            .eventually("smsbox and fakesmsc connected to bearerbox", async || {
                let status = kannel.status().await?;
                let smsbox = status
                    .lines()
                    .any(|l| l.trim_start().starts_with("smsbox:") && l.contains("(on-line"));
                let smsc = status
                    .lines()
                    .any(|l| l.trim_start().starts_with("fake[") && l.contains("(online"));
                let sendsms = tokio::net::TcpStream::connect(("127.0.0.1", ports.sendsms)).await;
                (smsbox && smsc && sendsms.is_ok()).then_some(())
            })
            .await;
        kannel
    }

    fn spawn_box(&mut self, name: &'static str, binary: &Path, conf: &Path) {
        let out = std::fs::File::create(self.dir.join(format!("{name}.out"))).unwrap();
        let child = Command::new(binary)
            .args(["-v", "0"])
            .arg(conf)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        self.children.push((name, child));
    }

    /// fakesmsc in interactive mode: every line written to its stdin is one MO message.
    fn spawn_fakesmsc(&mut self, binary: &Path, port: u16) {
        let mut child = Command::new(binary)
            .args(["-H", "127.0.0.1", "-r", &port.to_string(), "-i", "0"])
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        self.fakesmsc_in = child.stdin.take();
        let outputs: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for output in outputs {
            let log = self.fakesmsc_log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(output).lines() {
                    let Ok(line) = line else { break };
                    log.lock().unwrap().push(line);
                }
            });
        }
        self.children.push(("fakesmsc", child));
    }

    async fn status(&self) -> Option<String> {
        let url = format!(
            "http://127.0.0.1:{}/status.txt?password={ADMIN_PASSWORD}",
            self.admin_port
        );
        let response = reqwest::get(url).await.ok()?;
        response.text().await.ok()
    }

    /// The handset sends one MO line: `sender receiver text|ucs2 data`.
    fn send_mo(&mut self, line: &str) {
        let stdin = self.fakesmsc_in.as_mut().expect("fakesmsc's stdin");
        // fakesmsc reads lines into a 256-byte buffer.
        assert!(line.len() < 250, "MO line too long for fakesmsc: {line}");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// MT messages fakesmsc received, decoded: (from, to, text, kind as fakesmsc printed it).
    fn received(&self) -> Vec<(String, String, String, String)> {
        self.fakesmsc_log
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| {
                let start = line.find("Got message ")?;
                let rest = &line[start..];
                let body = &rest[rest.find(": <")? + 3..rest.rfind('>')?];
                let (from, body) = body.split_once(' ')?;
                let (to, body) = body.split_once(' ')?;
                let (kind, data) = body.split_once(' ')?;
                let text = match kind {
                    "text" => data.to_string(),
                    "data" => String::from_utf8_lossy(&url_decode(data)).into_owned(),
                    "ucs-2" => {
                        let units: Vec<u16> = url_decode(data)
                            .chunks(2)
                            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                            .collect();
                        String::from_utf16_lossy(&units)
                    }
                    other => panic!("fakesmsc got a message of kind {other}: {line}"),
                };
                Some((from.into(), to.into(), text, kind.into()))
            })
            .collect()
    }

    /// Everything Kannel said, for failure messages.
    fn logs(&self) -> String {
        let mut out = String::new();
        for name in ["bearerbox.out", "bearerbox.log", "smsbox.out", "smsbox.log"] {
            let text = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(60)..];
            out.push_str(&format!("\n----- {name} (last {} lines)\n", tail.len()));
            out.push_str(&tail.join("\n"));
        }
        out.push_str("\n----- fakesmsc\n");
        out.push_str(&self.fakesmsc_log.lock().unwrap().join("\n"));
        out
    }

    /// Polls `probe` until it gives a value; after `WAIT` fails with Kannel's logs.
    async fn eventually<T>(&self, what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(value) = probe().await {
                return value;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {WAIT:?} waiting for: {what}{}",
                    self.logs()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn url_decode(data: &str) -> Vec<u8> {
    let bytes = data.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).expect("fakesmsc's url encoding"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// A text as fakesmsc's `ucs2` message data: UTF-16BE, url-encoded.
fn ucs2_data(text: &str) -> String {
    text.encode_utf16()
        .flat_map(u16::to_be_bytes)
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn gateway(sendsms_port: u16, app_url: &str) -> sms::GatewayConfig {
    sms::GatewayConfig {
        name: "kannel".into(),
        kind: Some(sms::GatewayKind::Kannel),
        default: true,
        sendsms_url: Some(format!("http://127.0.0.1:{sendsms_port}/cgi-bin/sendsms")),
        username: Some(SENDSMS_USER.into()),
        password: Some(SENDSMS_PASSWORD.into()),
        token: Some(TOKEN.into()),
        dlr_base_url: Some(app_url.into()),
        smsc: Some("fake".into()),
        source_addr: Some(SHORT_CODE.into()),
        ..Default::default()
    }
}

fn admin() -> store::Access {
    store::Access::system(domain::UserId(0), domain::Role::Admin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kannel_end_to_end_with_the_fake_smsc() {
    let bins = Binaries::find();
    for db in store::testing::each_backend().await {
        story(&bins, db).await;
    }
}

async fn story(bins: &Binaries, db: Db) {
    common::seed_org(&db).await;
    let dishub = db.agency_by_code("DISHUB").await.unwrap();
    db.create_keyword("DISHUB", dishub.id, "Perhubungan")
        .await
        .unwrap();
    let ports = Ports::free();
    let (app, gateways) = common::spawn_app_with_sms(db, |url| {
        sms::Gateways::new(vec![gateway(ports.sendsms, url)]).unwrap()
    })
    .await;
    let mut kannel = Kannel::start(bins, &ports, &app.url).await;
    let db = &app.db;

    // 1. An MO from the handset reaches Balai through smsbox's get-url and becomes a ticket.
    kannel.send_mo(&format!("{CITIZEN} {SHORT_CODE} text {MO_TEXT}"));
    let inbound = kannel
        .eventually("the MO stored as an inbound message", async || {
            db.inbound_messages(None, 10)
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.text == MO_TEXT)
        })
        .await;
    assert_eq!(
        (
            inbound.gateway.as_str(),
            inbound.receiver.as_str(),
            inbound.coding.as_str(),
            inbound.outcome.as_str()
        ),
        ("kannel", SHORT_CODE, "0", "ticket"),
        "{inbound:?}"
    );
    assert_eq!(
        inbound.gateway_message_id.len(),
        36,
        "Kannel's %I is a UUID: {inbound:?}"
    );
    let ticket = db
        .ticket(&admin(), inbound.ticket_id.expect("a ticket"))
        .await
        .unwrap();
    assert_eq!(
        (
            ticket.channel.as_str(),
            ticket.agency_code.as_deref(),
            ticket.text.as_str()
        ),
        ("sms", Some("DISHUB"), MO_TEXT)
    );
    assert_eq!(db.count_tickets().await.unwrap(), 1);

    // 2. The acknowledgement goes out through Kannel's sendsms and reaches the handset.
    let ack = &db.ticket_messages(ticket.id).await.unwrap()[0];
    assert_eq!((ack.kind.as_str(), ack.status.as_str()), ("ack", "pending"));
    assert!(ack.body.contains(&ticket.tracking_code), "{}", ack.body);
    assert!(
        kannel.received().is_empty(),
        "Kannel sent a reply of its own: {:?}",
        kannel.received()
    );
    assert_eq!(gateways.send_due(&common::sms_sink(db)).await.unwrap(), 1);
    // Kannel's DLRs may already have come back by now.
    let sent = db.ticket_messages(ticket.id).await.unwrap().remove(0);
    assert!(
        matches!(sent.status.as_str(), "sent" | "delivered"),
        "{sent:?}"
    );
    assert_eq!(
        (
            sent.gateway.as_deref(),
            sent.attempts,
            sent.sent_at.is_some()
        ),
        (Some("kannel"), 1, true)
    );
    let mt = kannel
        .eventually("fakesmsc receives the acknowledgement", async || {
            kannel.received().into_iter().next()
        })
        .await;
    assert_eq!(
        mt,
        (
            SHORT_CODE.to_string(),
            CITIZEN.to_string(),
            ack.body.clone(),
            "text".to_string()
        )
    );
    assert!(mt.2.contains(&ticket.tracking_code));

    // 3. Kannel's delivery reports: the fake SMSC reports 8 (SMSC accepted, answer "ACK/") and
    // then 1 (delivered) to the dlr-url.
    let delivered = kannel
        .eventually("the delivery report marks the SMS delivered", async || {
            let m = db.ticket_messages(ticket.id).await.unwrap().remove(0);
            (m.status == domain::MessageStatus::Delivered).then_some(m)
        })
        .await;
    assert!(
        matches!(
            delivered.dlr_status.as_deref(),
            Some("dlr 1") | Some("dlr 8 ACK/")
        ),
        "{delivered:?}"
    );
    assert!(delivered.dlr_at.is_some() && delivered.sent_at.is_some());
    eprintln!(
        "kannel: right after send_due the ack was {:?}; delivered with dlr_status {:?}",
        sent.status, delivered.dlr_status
    );

    // 4. A UCS-2 MO is decoded exactly; its acknowledgement (not GSM 7-bit) goes out as UCS-2.
    db.update_sms_template("ack", "Terima kasih 🙏 kode lacak {code}")
        .await
        .unwrap();
    kannel.send_mo(&format!(
        "{CITIZEN} {SHORT_CODE} ucs2 {}",
        ucs2_data(MO_UCS2_TEXT)
    ));
    let inbound2 = kannel
        .eventually("the UCS-2 MO stored", async || {
            db.inbound_messages(None, 10)
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.id != inbound.id)
        })
        .await;
    assert_eq!(
        (inbound2.text.as_str(), inbound2.coding.as_str()),
        (MO_UCS2_TEXT, "2")
    );
    let ticket2 = db
        .ticket(&admin(), inbound2.ticket_id.expect("a ticket"))
        .await
        .unwrap();
    assert_eq!(
        (ticket2.agency_code.as_deref(), ticket2.text.as_str()),
        (Some("DISHUB"), MO_UCS2_TEXT)
    );
    assert_eq!(gateways.send_due(&common::sms_sink(db)).await.unwrap(), 1);
    let mt2 = kannel
        .eventually("fakesmsc receives the UCS-2 acknowledgement", async || {
            kannel.received().into_iter().nth(1)
        })
        .await;
    assert_eq!(
        (mt2.2.as_str(), mt2.3.as_str()),
        (
            format!("Terima kasih 🙏 kode lacak {}", ticket2.tracking_code).as_str(),
            "ucs-2"
        )
    );

    // 5. The webhook's token, and Kannel retrying an MO it already delivered.
    let retry = |token: Option<&str>| {
        let mut url = format!(
            "{}/gateway/kannel/mo?from=%2B6281234567890&to=1708&text=DISHUB+lampu+jalan+mati+di+Jl.+Merdeka&id={}&ts=1&smsc=fake&coding=0&charset=UTF-8&udh=",
            app.url, inbound.gateway_message_id
        );
        if let Some(token) = token {
            url.push_str(&format!("&token={token}"));
        }
        app.client.get(url).send()
    };
    assert_eq!(
        retry(Some("wrong-token-0123456789"))
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(retry(None).await.unwrap().status(), 401);
    let again = retry(Some(TOKEN)).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), "");
    let posted = app
        .client
        .post(app.at("/gateway/kannel/mo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "from=%2B6281234567890&to=1708&text=DISHUB+lampu&id={}&coding=0&charset=UTF-8&token={TOKEN}",
            inbound.gateway_message_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(
        db.count_tickets().await.unwrap(),
        2,
        "a retry is no new ticket"
    );
    assert_eq!(db.inbound_messages(None, 10).await.unwrap().len(), 2);
    assert_eq!(
        gateways.send_due(&common::sms_sink(db)).await.unwrap(),
        0,
        "a retry is not acknowledged again"
    );

    // Kannel never answered the MO itself (max-messages = 0): the handset got our two SMS only.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(kannel.received().len(), 2, "{:?}", kannel.received());
    drop(kannel);
}
