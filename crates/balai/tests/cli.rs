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
