//! `balai backup` while `balai serve` takes SMS through the Kannel MO webhook, then `balai
//! restore` into an empty database: the restored copy has the snapshot's tickets exactly and
//! its timelines verify. Real processes, on SQLite and PostgreSQL.

use std::io::{Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TOKEN: &str = "backup-test-token-0123456789";
const WRITERS: usize = 4;

fn balai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_balai"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("BALAI_DATABASE_URL")
        .env_remove("BALAI_BIND")
        .env_remove("BALAI_CONFIG")
        .output()
        .expect("run balai")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn unique(prefix: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()))
}

/// `balai serve` with a Kannel gateway (its sender off: nothing leaves) on `url`.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(url: &str) -> Server {
        let port = store::testing::free_port();
        let config = unique("balai-backup-config").with_extension("toml");
        std::fs::write(
            &config,
            format!(
                r#"database_url = "{url}"
bind = "127.0.0.1:{port}"
[workers]
mail = false
sms = false
deadlines = false
notifications = false
[sms]
flood_per_hour = 100000
[[gateway]]
name = "kannel"
kind = "kannel"
sendsms_url = "http://127.0.0.1:9/cgi-bin/sendsms"
username = "balai"
password = "rahasia"
token = "{TOKEN}"
dlr_base_url = "http://127.0.0.1:{port}"
"#
            ),
        )
        .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_balai"))
            .args(["--config", config.to_str().unwrap(), "serve"])
            .env_remove("BALAI_DATABASE_URL")
            .env_remove("BALAI_BIND")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start balai serve");
        let mut server = Server { child, port };
        let started = Instant::now();
        while post_mo(port, "healthz-probe", "0811000000", "PROBE").is_err() {
            if started.elapsed() > Duration::from_secs(120) {
                let _ = server.child.kill();
                panic!("balai serve did not answer within 120 s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One MO as Kannel's smsbox posts it; Err unless the server answered 200.
fn post_mo(port: u16, id: &str, from: &str, message: &str) -> std::io::Result<()> {
    let body = format!(
        "id={id}&from={from}&to=1708&text={}&coding=0&token={TOKEN}",
        message.replace(' ', "+")
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST /gateway/kannel/mo HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    if response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(std::io::Error::other(response))
    }
}

/// Writers posting MO until told to stop; counts what the server accepted.
struct Load {
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(port: u16) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let threads = (0..WRITERS)
            .map(|writer| {
                let (stop, accepted) = (stop.clone(), accepted.clone());
                std::thread::spawn(move || {
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let from = format!("0812{writer:02}{n:06}");
                        let id = format!("mo-{writer}-{n}");
                        let message = format!("Jalan rusak di RT {n} mohon diperbaiki");
                        post_mo(port, &id, &from, &message).expect("MO accepted");
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        Load {
            stop,
            accepted,
            threads,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    fn finish(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            thread.join().expect("writer thread");
        }
        self.accepted.load(Ordering::Relaxed)
    }
}

async fn ticket_count(url: &str) -> i64 {
    let db = store::Db::connect(url).await.unwrap();
    let count = db.count_tickets().await.unwrap();
    db.close().await;
    count
}

async fn backup_under_load_and_restore(live: &str, empty: &str) {
    // Enough data that the copy takes a while under the writers.
    let out = balai(&[
        "seed",
        "--tickets",
        "3000",
        "--agencies",
        "3",
        "--database-url",
        live,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let server = Server::start(live);
    let load = Load::start(server.port);
    let started = Instant::now();
    while load.accepted() < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "MO load too slow"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = ticket_count(live).await;
    let accepted_before = load.accepted();
    let dir = unique("balai-backup");
    let out = balai(&["backup", dir.to_str().unwrap(), "--database-url", live]);
    let accepted_during = load.accepted() - accepted_before;
    assert!(out.status.success(), "{}", text(&out));
    let after = ticket_count(live).await;
    // Writes go on after the backup, so the live count moves past the snapshot.
    while load.accepted() < accepted_before + accepted_during + 40 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let accepted = load.finish();
    let end = ticket_count(live).await;
    drop(server);

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let snapshot = manifest["counts"]["tickets"].as_i64().unwrap();
    eprintln!(
        "tickets: {before} before the backup, {snapshot} in it, {after} after it, {end} at the end; {accepted_during} MO accepted while it ran"
    );
    assert!(
        before <= snapshot && snapshot <= after,
        "the snapshot ({snapshot}) lies between the counts before ({before}) and after ({after}) the backup"
    );
    assert!(
        accepted_during > 0,
        "MO were accepted while the backup ran ({accepted} in all)"
    );
    assert!(end > snapshot, "tickets kept arriving after the backup");

    let out = balai(&["restore", dir.to_str().unwrap(), "--database-url", live]);
    assert!(!out.status.success(), "a non-empty database is refused");
    assert!(text(&out).contains("is not empty"), "{}", text(&out));

    let out = balai(&["restore", dir.to_str().unwrap(), "--database-url", empty]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(ticket_count(empty).await, snapshot, "{}", text(&out));
    let out = balai(&["audit", "verify", "--database-url", empty]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("checked {snapshot} tickets")),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("all timelines intact"),
        "{}",
        text(&out)
    );

    let out = balai(&["restore", dir.to_str().unwrap(), "--database-url", empty]);
    assert!(!out.status.success(), "restoring twice is refused");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_backup_while_serving_restores_the_snapshot() {
    let live = store::testing::sqlite_url();
    let empty = store::testing::sqlite_url();
    backup_under_load_and_restore(&live, &empty).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_backup_while_serving_restores_the_snapshot() {
    let live = store::testing::postgres_url().await;
    let empty = store::testing::postgres_url().await;
    backup_under_load_and_restore(&live, &empty).await;
}

#[tokio::test]
async fn a_backup_of_another_kind_or_without_manifest_is_refused() {
    let live = store::testing::sqlite_url();
    let out = balai(&[
        "seed",
        "--tickets",
        "5",
        "--agencies",
        "1",
        "--database-url",
        &live,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let dir = unique("balai-backup-kind");
    let out = balai(&["backup", dir.to_str().unwrap(), "--database-url", &live]);
    assert!(out.status.success(), "{}", text(&out));
    let out = balai(&["backup", dir.to_str().unwrap(), "--database-url", &live]);
    assert!(!out.status.success(), "a backup never overwrites another");
    assert!(text(&out).contains("not empty"), "{}", text(&out));

    let pg = store::testing::postgres_url().await;
    let out = balai(&["restore", dir.to_str().unwrap(), "--database-url", &pg]);
    assert!(!out.status.success());
    assert!(text(&out).contains("sqlite backup"), "{}", text(&out));

    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    let empty = store::testing::sqlite_url();
    let out = balai(&["restore", dir.to_str().unwrap(), "--database-url", &empty]);
    assert!(!out.status.success());
    assert!(text(&out).contains("incomplete"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}
