//! The `balai` command line, run as a real process.

use std::process::{Command, Output};

fn balai(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_balai"));
    command
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("BALAI_DATABASE_URL")
        .env_remove("BALAI_BIND");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run balai")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn temp_db() -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "balai-cli-{}-{}.db",
        std::process::id(),
        rand_suffix()
    ));
    (format!("sqlite://{}", path.display()), path)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn invalid_configuration_names_the_key() {
    let out = balai(&["migrate"], &[("BALAI_BIND", "not-an-address")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("`bind`"), "{}", text(&out));

    let out = balai(&["migrate"], &[("BALAI_DATABASE_URL", "mysql://nope")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("`database_url`"), "{}", text(&out));

    let file = std::env::temp_dir().join(format!("balai-bad-{}.toml", rand_suffix()));
    std::fs::write(
        &file,
        "bind = \"127.0.0.1:9\"\n[web]\nsesion_ttl_hours = 3\n",
    )
    .unwrap();
    let out = balai(&["--config", file.to_str().unwrap(), "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("sesion_ttl_hours"), "{}", text(&out));

    let out = balai(&["--config", "/nonexistent/balai.toml", "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("does not exist"));
}

#[test]
fn migrate_seed_admin_and_audit_on_a_new_sqlite_file() {
    let (url, path) = temp_db();
    let out = balai(
        &["migrate"],
        &[("BALAI_DATABASE_URL", &url), ("BALAI_COLOUR", "blue")],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(path.exists(), "the SQLite file is created");
    assert!(
        text(&out).contains("unknown environment variable BALAI_COLOUR"),
        "{}",
        text(&out)
    );
    let out = balai(
        &[
            "create-admin",
            "--username",
            "admin",
            "--password",
            "rahasia-sekali",
        ],
        &[("BALAI_DATABASE_URL", &url)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = balai(
        &[
            "create-admin",
            "--username",
            "admin",
            "--password",
            "rahasia-sekali",
        ],
        &[("BALAI_DATABASE_URL", &url)],
    );
    assert!(
        !out.status.success(),
        "a second admin with the same name is refused"
    );
    let out = balai(
        &[
            "seed",
            "--tickets",
            "500",
            "--agencies",
            "4",
            "--database-url",
            &url,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = balai(&["audit", "verify", "--database-url", &url], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("checked 500 tickets"), "{}", text(&out));
    assert!(text(&out).contains("all timelines intact"));
}

#[tokio::test]
async fn audit_verify_names_a_tampered_ticket_on_postgres() {
    let url = store::testing::postgres_url().await;
    let out = balai(
        &[
            "seed",
            "--tickets",
            "20",
            "--agencies",
            "2",
            "--database-url",
            &url,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    let db = store::Db::connect(&url).await.unwrap();
    db.execute_raw("ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_no_update")
        .await
        .unwrap();
    db.execute_raw(
        "UPDATE ticket_events SET at = at + 1 WHERE ticket_id = (SELECT MIN(id) FROM tickets)",
    )
    .await
    .unwrap();
    let out = balai(&["audit", "verify", "--database-url", &url], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("BROKEN OPD00"), "{}", text(&out));
}

#[test]
fn calendar_due_follows_working_hours_and_imported_holidays() {
    let (url, path) = temp_db();
    let env = [("BALAI_DATABASE_URL", url.as_str())];
    let due = |start: &str, add: &str| {
        let out = balai(&["calendar", "due", "--start", start, "--add", add], &env);
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    // Friday 15:00 WIB + 2 working hours: one hour left on Friday, one on Monday.
    assert_eq!(
        due("2026-11-27T15:00:00+07:00", "2wh"),
        "2026-11-30T08:30:00+07:00"
    );
    assert_eq!(
        due("2026-11-27T08:00:00Z", "1wd"),
        "2026-11-30T15:00:00+07:00"
    );
    assert_eq!(
        due("2026-11-27T15:00:00+07:00", "3h"),
        "2026-11-27T18:00:00+07:00"
    );

    let csv = std::env::temp_dir().join(format!("balai-holidays-{}.csv", rand_suffix()));
    std::fs::write(&csv, "date,name\n2026-11-30,\"Cuti bersama, contoh\"\n").unwrap();
    let out = balai(
        &["calendar", "holidays", "import", csv.to_str().unwrap()],
        &env,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 holidays read"), "{}", text(&out));
    let out = balai(&["calendar", "holidays", "list"], &env);
    assert!(text(&out).contains("2026-11-30\tCuti bersama, contoh"));
    // Monday is now a holiday: the second hour falls on Tuesday.
    assert_eq!(
        due("2026-11-27T15:00:00+07:00", "2wh"),
        "2026-12-01T08:30:00+07:00"
    );

    let ics = std::env::temp_dir().join(format!("balai-holidays-{}.ics", rand_suffix()));
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Natal dan cuti bersama\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let out = balai(
        &["calendar", "holidays", "import", ics.to_str().unwrap()],
        &env,
    );
    assert!(text(&out).contains("3 holidays read"), "{}", text(&out));

    let out = balai(
        &["calendar", "due", "--start", "besok", "--add", "2wh"],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("RFC 3339"), "{}", text(&out));
    let out = balai(
        &[
            "calendar",
            "due",
            "--start",
            "2026-11-27T15:00:00Z",
            "--add",
            "2x",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--add"), "{}", text(&out));
    std::fs::write(&csv, "date,name\n30-11-2026,Salah\n").unwrap();
    let out = balai(
        &["calendar", "holidays", "import", csv.to_str().unwrap()],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("line 2"), "{}", text(&out));
    for f in [&csv, &ics, &path] {
        let _ = std::fs::remove_file(f);
    }
}

/// `GET path` over plain HTTP/1.0; (status, body).
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// The README's first command: `balai demo` builds a demo region in a SQLite file, prints the
/// logins and serves the public site, published cases, agencies and the handset page.
#[test]
fn demo_serves_a_populated_region() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("balai-demo-test-{}", rand_suffix()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_balai"))
        .args(["demo", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&dir)
        .env_remove("BALAI_DATABASE_URL")
        .env_remove("BALAI_BIND")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start balai demo");
    let started = std::time::Instant::now();
    let health = loop {
        match http_get(port, "/healthz") {
            Ok((200, body)) => break body,
            _ if started.elapsed() > std::time::Duration::from_secs(120) => {
                let _ = child.kill();
                panic!("balai demo did not answer /healthz within 120 s");
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    };
    assert!(health.contains("\"database\":\"sqlite\""), "{health}");
    let pages = [
        ("/", "aduan"),
        ("/kasus", "kasus"),
        ("/instansi", "Dinas Kesehatan"),
        ("/statistik", "<svg"),
        ("/simulasi-sms", "SMS"),
        ("/masuk", "password"),
    ];
    for (path, expected) in pages {
        let (status, body) = http_get(port, path).unwrap();
        assert_eq!(status, 200, "GET {path}");
        assert!(body.contains(expected), "GET {path} lacks {expected:?}");
    }
    // Answered demo tickets are published.
    let (status, cases) = http_get(port, "/api/v1/cases").unwrap();
    assert_eq!(status, 200);
    let cases: serde_json::Value = serde_json::from_str(&cases).unwrap();
    assert!(!cases["items"].as_array().unwrap().is_empty(), "{cases}");
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    for login in [
        "admin",
        "sekretariat",
        "kadishub",
        "penghubung.dinkes",
        "Kata sandi",
    ] {
        assert!(
            printed.contains(login),
            "the console shows {login}: {printed}"
        );
    }
    assert!(dir.join("balai-demo.db").is_file());
    let _ = std::fs::remove_dir_all(dir);
}
