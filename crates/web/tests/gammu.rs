//! Balai against a real gammu-smsd (SQL service on SQLite and on PostgreSQL, `dummy` phone): MO messages dropped
//! into the dummy phone become tickets, the acknowledgements go out through gammu's outbox, and
//! gammu's sent items and delivery reports come back as outbox statuses. Balai's own database
//! runs on SQLite and PostgreSQL.
//!
//! gammu-smsd is required: `BALAI_TEST_GAMMU_SMSD` or `gammu-smsd` on the PATH (Debian package
//! `gammu-smsd`, with `libdbd-sqlite3`). `scripts/test.sh` installs both.

use sms::gammu::GammuDb;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use store::sms::SmsRules;

const SCHEMA_CANDIDATES: &[&str] = &[
    "/usr/share/doc/gammu-smsd/examples/sqlite.sql",
    "/usr/share/doc/gammu-smsd/examples/sqlite.sql.gz",
    "/usr/share/doc/gammu/examples/sql/sqlite.sql",
    "/usr/share/doc/gammu/examples/sql/sqlite.sql.gz",
];

fn gammu_smsd_binary() -> String {
    std::env::var("BALAI_TEST_GAMMU_SMSD").unwrap_or_else(|_| "gammu-smsd".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// gammu's own schema (`sqlite.sql` or `pgsql.sql`), as the package ships it.
fn gammu_schema(backend: Backend) -> String {
    let candidates: Vec<String> = match backend {
        Backend::Sqlite => SCHEMA_CANDIDATES.iter().map(|p| p.to_string()).collect(),
        Backend::Postgres => SCHEMA_CANDIDATES
            .iter()
            .map(|p| p.replace("sqlite.sql", "pgsql.sql"))
            .collect(),
    };
    let path = candidates
        .iter()
        .find(|p| Path::new(p).exists())
        .cloned()
        .unwrap_or_else(|| {
            panic!("gammu's SQL schema not found in {candidates:?}: install gammu-smsd (./scripts/test.sh does)")
        });
    if path.ends_with(".gz") {
        let out = Command::new("gzip")
            .args(["-dc", &path])
            .output()
            .expect("gzip");
        assert!(out.status.success(), "gzip -dc {path}");
        String::from_utf8(out.stdout).expect("schema is UTF-8")
    } else {
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

/// A running gammu-smsd with its dummy phone and SQLite database in a temporary directory;
/// killed on drop.
struct Smsd {
    child: Child,
    dir: PathBuf,
    url: String,
    db: GammuDb,
    next_location: usize,
}

/// Runs the same sqlx code on either pool of a [`GammuDb`].
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            GammuDb::Sqlite($pool) => $body,
            GammuDb::Pg($pool) => $body,
        }
    };
}

/// `postgres://user[:password]@host[:port]/database` → its parts.
fn pg_parts(url: &str) -> (String, String, String, String, String) {
    let rest = url.split_once("://").expect("PostgreSQL URL").1;
    let (userinfo, rest) = rest.rsplit_once('@').unwrap_or(("postgres", rest));
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let (hostport, database) = rest.split_once('/').expect("database in URL");
    let database = database.split('?').next().unwrap_or(database);
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    (
        user.to_string(),
        password.to_string(),
        host.to_string(),
        port.to_string(),
        database.to_string(),
    )
}

impl Smsd {
    async fn start(tag: &str, backend: Backend) -> Smsd {
        let dir = std::env::temp_dir().join(format!(
            "balai_gammu_{}_{}_{}",
            tag,
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("phone/sms/1")).unwrap();
        let schema = gammu_schema(backend);
        let mut pg_port = None;
        let (url, db, database_config) = match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.join("smsd.db").display());
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(
                        SqliteConnectOptions::from_str(&url)
                            .unwrap()
                            .create_if_missing(true)
                            .busy_timeout(Duration::from_secs(10)),
                    )
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(schema))
                    .execute(&pool)
                    .await
                    .expect("gammu schema");
                let config = format!(
                    "driver = sqlite3\ndatabase = smsd.db\ndbdir = {}/\n",
                    dir.display()
                );
                (url, GammuDb::Sqlite(pool), config)
            }
            Backend::Postgres => {
                let url = store::testing::postgres_url().await;
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await
                    .unwrap();
                // plpgsql is built in since PostgreSQL 9.0; the file still says CREATE LANGUAGE.
                let schema: String = schema
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("CREATE LANGUAGE"))
                    .collect::<Vec<_>>()
                    .join("\n");
                sqlx::raw_sql(sqlx::AssertSqlSafe(schema))
                    .execute(&pool)
                    .await
                    .expect("gammu schema");
                let (user, password, host, port, database) = pg_parts(&url);
                pg_port = Some(port);
                let config = format!(
                    "driver = native_pgsql\nhost = {host}\nuser = {user}\npassword = {password}\ndatabase = {database}\n"
                );
                (url, GammuDb::Pg(pool), config)
            }
        };
        let config = dir.join("smsdrc");
        std::fs::write(
            &config,
            format!(
                "[gammu]\n\
                 device = {phone}\n\
                 model = dummy\n\
                 connection = none\n\
                 \n\
                 [smsd]\n\
                 service = sql\n\
                 {database_config}\
                 PIN = 1234\n\
                 phoneid = modem1\n\
                 logfile = {dir}/smsd.log\n\
                 debuglevel = 1\n\
                 commtimeout = 1\n\
                 sendtimeout = 5\n\
                 receivefrequency = 1\n\
                 statusfrequency = 0\n\
                 loopsleep = 1\n\
                 multiparttimeout = 10\n\
                 deliveryreportdelay = 86400\n\
                 checksecurity = 0\n\
                 checkbattery = 0\n\
                 checksignal = 0\n\
                 checknetwork = 0\n\
                 hangupcalls = 0\n",
                phone = dir.join("phone").display(),
                dir = dir.display(),
            ),
        )
        .unwrap();
        let binary = gammu_smsd_binary();
        let log = std::fs::File::create(dir.join("stdout.log")).unwrap();
        let mut command = Command::new(&binary);
        if let Some(port) = pg_port {
            // libpq takes the port from the environment; gammu's config has no key for it.
            command.env("PGPORT", port);
        }
        let child = command
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| {
                panic!("gammu-smsd is required for this test ({binary}: {e}); install the Debian package gammu-smsd or run ./scripts/test.sh")
            });
        let mut smsd = Smsd {
            child,
            dir,
            url,
            db,
            next_location: 1,
        };
        // gammu-smsd registers its phone once it has connected to the database and the phone.
        let started = Instant::now();
        loop {
            if let Some(status) = smsd.child.try_wait().unwrap() {
                panic!("gammu-smsd exited with {status}:\n{}", smsd.log());
            }
            let phones: i64 = on_db!(&smsd.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM phones")
                .fetch_one(pool)
                .await
                .unwrap());
            if phones > 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "gammu-smsd did not start:\n{}",
                smsd.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        smsd
    }

    fn url(&self) -> String {
        self.url.clone()
    }

    fn log(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        let smsd: String = read("smsd.log")
            .lines()
            .filter(|l| !l.contains("DBI error -6"))
            .collect::<Vec<_>>()
            .join("\n");
        format!("{}\n{smsd}", read("stdout.log"))
    }

    /// Puts a message into the dummy phone's inbox (folder 1) in gammu's SMS backup format; the
    /// file is renamed into place so gammu never reads half of it.
    fn drop_sms(&mut self, entry: &SmsFile) {
        let location = self.next_location;
        self.next_location += 1;
        let hex: String = entry
            .text
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .map(|b| format!("{b:02X}"))
            .collect();
        let mut body = format!(
            "[SMSBackup000]\n\
             SMSC = \"{smsc}\"\n\
             State = UnRead\n\
             Number = \"{number}\"\n\
             Coding = {coding}\n\
             Folder = 1\n\
             Sent = {sent}\n\
             Text00 = {hex}\n\
             PDU = {pdu}\n",
            smsc = entry.smsc,
            number = entry.number,
            coding = entry.coding,
            sent = utc_now_vcal(),
            pdu = entry.pdu,
        );
        if let Some(udh) = entry.udh {
            body.push_str(&format!("UDH = {udh}\n"));
        }
        if let Some(reference) = entry.message_reference {
            body.push_str(&format!("MessageReference = {reference}\n"));
        }
        let tmp = self.dir.join(format!("sms-{location}.tmp"));
        std::fs::write(&tmp, body).unwrap();
        std::fs::rename(&tmp, self.dir.join(format!("phone/sms/1/{location}"))).unwrap();
    }

    async fn inbox_processed(&self) -> Vec<(i64, String)> {
        on_db!(&self.db, pool => sqlx::query_as(
            r#"SELECT CAST("ID" AS BIGINT), CAST("Processed" AS TEXT) FROM inbox ORDER BY "ID""#
        )
        .fetch_all(pool)
        .await
        .unwrap())
    }

    /// (ID, SequencePosition, Status, UDH, Coding, TextDecoded) of gammu's sent items.
    async fn sentitems(&self, id: i64) -> Vec<(i64, i64, String, String, String, String)> {
        on_db!(&self.db, pool => sqlx::query_as(
            r#"SELECT CAST("ID" AS BIGINT), CAST("SequencePosition" AS BIGINT), "Status", "UDH",
                 "Coding", "TextDecoded"
               FROM sentitems WHERE "ID" = $1 ORDER BY "SequencePosition""#,
        )
        .bind(id as i32)
        .fetch_all(pool)
        .await
        .unwrap())
    }

    async fn outbox_count(&self) -> i64 {
        on_db!(&self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(pool)
            .await
            .unwrap())
    }
}

impl Drop for Smsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

struct SmsFile<'a> {
    number: &'a str,
    smsc: &'a str,
    text: &'a str,
    coding: &'a str,
    pdu: &'a str,
    udh: Option<&'a str>,
    message_reference: Option<u8>,
}

impl<'a> SmsFile<'a> {
    fn deliver(number: &'a str, text: &'a str) -> Self {
        SmsFile {
            number,
            smsc: "+6281100000",
            text,
            coding: "Default",
            pdu: "Deliver",
            udh: None,
            message_reference: None,
        }
    }

    /// A status report as the dummy phone's SMSC (`123456`) would send it for a message that
    /// the dummy driver sent (it always reports message reference 255).
    fn status_report(number: &'a str, text: &'a str) -> Self {
        SmsFile {
            number,
            smsc: "123456",
            text,
            coding: "Default",
            pdu: "Status_Report",
            udh: None,
            message_reference: Some(255),
        }
    }
}

/// `YYYYMMDDTHHMMSSZ` for now (the config's `DeliveryReportDelay` absorbs time zones).
fn utc_now_vcal() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Polls `check` until it returns `Some`, failing with gammu's log after `timeout`.
async fn eventually<T, F, Fut>(smsd: &Smsd, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}; gammu-smsd log:\n{}",
            smsd.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn gammu_smsd_on_sqlite_round_trip() {
    round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn gammu_smsd_on_postgres_round_trip() {
    round_trip(Backend::Postgres).await;
}

/// Balai on each of its backends against a gammu-smsd keeping its queues on `gammu_backend`.
async fn round_trip(gammu_backend: Backend) {
    for (n, db) in store::testing::each_backend().await.into_iter().enumerate() {
        let backend = format!("Balai on {:?}, gammu on {gammu_backend:?}", db.backend());
        let mut smsd = Smsd::start(&format!("{gammu_backend:?}{n}"), gammu_backend).await;

        store::testing::agency_with_keyword(&db, "DISHUB").await;
        db.update_sms_template("ack", "Aduan diterima, kode {code}.")
            .await
            .unwrap();
        let sink = web::sms_sink::StoreSink::shared(db.clone(), SmsRules::default());
        let gateway = sms::GatewayConfig {
            name: "modem".into(),
            kind: Some(sms::GatewayKind::Gammu),
            database_url: Some(smsd.url()),
            poll_interval_ms: Some(200),
            ..Default::default()
        };
        let gateways = Arc::new(sms::Gateways::new(vec![gateway.clone()]).unwrap());
        let (stop, shutdown) = tokio::sync::watch::channel(false);
        let pollers = gateways.start_gammu_pollers(&sink, shutdown);
        assert_eq!(pollers.len(), 1);

        // --- MO: a message in the phone becomes a ticket; gammu's row is marked processed.
        let citizen = "+6281234567890";
        smsd.drop_sms(&SmsFile::deliver(
            citizen,
            "DISHUB jalan berlubang di Jl. Merdeka",
        ));
        let inbound = eventually(&smsd, "the MO message in Balai", || {
            let db = db.clone();
            async move {
                db.inbound_messages(Some(citizen), 10)
                    .await
                    .unwrap()
                    .into_iter()
                    .next()
            }
        })
        .await;
        assert_eq!(inbound.gateway, "modem", "{backend}");
        assert_eq!(inbound.gateway_message_id, "gammu-inbox-1", "{backend}");
        assert_eq!(inbound.text, "DISHUB jalan berlubang di Jl. Merdeka");
        assert_eq!(inbound.receiver, "modem1", "gammu's PhoneID");
        assert_eq!(inbound.outcome, "ticket", "{backend}");
        assert!(inbound.ticket_id.is_some());
        eventually(&smsd, "gammu's inbox row processed", || async {
            (smsd.inbox_processed().await == [(1, "true".to_string())]).then_some(())
        })
        .await;

        // --- MT: the acknowledgement goes into gammu's outbox; gammu sends it through the
        // dummy phone and moves it to its sent items.
        assert_eq!(gateways.send_due(&sink).await.unwrap(), 1, "{backend}");
        let ack = db.messages_to(citizen, 10).await.unwrap().remove(0);
        assert_eq!(ack.gateway.as_deref(), Some("modem"));
        let gammu_id: i64 = ack.gateway_ref.as_deref().unwrap().parse().unwrap();
        let sent = eventually(&smsd, "the acknowledgement in sentitems", || async {
            let rows = smsd.sentitems(gammu_id).await;
            (!rows.is_empty()).then_some(rows)
        })
        .await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].2, "SendingOK", "a delivery report was asked for");
        assert_eq!(sent[0].4, "Default_No_Compression");
        assert_eq!(sent[0].5, ack.body);
        // gammu-smsd writes the sent item before it deletes the outbox row, not in one
        // transaction: under load the row is still there for a moment.
        eventually(&smsd, "gammu's outbox row removed", || async {
            (smsd.outbox_count().await == 0).then_some(())
        })
        .await;
        eventually(&smsd, "Balai's outbox to see SendingOK", || {
            let db = db.clone();
            async move {
                let m = db.messages_to(citizen, 10).await.unwrap().remove(0);
                (m.dlr_status.as_deref() == Some("gammu SendingOK")).then_some(())
            }
        })
        .await;
        assert_eq!(
            db.messages_to(citizen, 10).await.unwrap()[0].status,
            domain::MessageStatus::Sent
        );

        // --- The operator's delivery report arrives at the phone: delivered.
        smsd.drop_sms(&SmsFile::status_report(citizen, "Delivered"));
        eventually(&smsd, "the acknowledgement delivered", || {
            let db = db.clone();
            async move {
                let m = db.messages_to(citizen, 10).await.unwrap().remove(0);
                (m.status == domain::MessageStatus::Delivered).then_some(())
            }
        })
        .await;
        let ack = db.messages_to(citizen, 10).await.unwrap().remove(0);
        assert_eq!(ack.dlr_status.as_deref(), Some("gammu DeliveryOK"));

        // --- A concatenated MO in two parts becomes one message; the long UCS-2
        // acknowledgement goes out as a three-part message; the report says it failed.
        let long_ack = format!(
            "Terima kasih ✓ Aduan Anda sudah diterima dengan kode {{code}}. {}",
            "Petugas kami akan menindaklanjuti aduan ini secepatnya. ".repeat(2)
        );
        db.update_sms_template("ack", &long_ack).await.unwrap();
        let second = "+6285712345678";
        smsd.drop_sms(&SmsFile {
            udh: Some("0500034D0201"),
            ..SmsFile::deliver(second, "DISHUB lampu jalan mati ")
        });
        smsd.drop_sms(&SmsFile {
            udh: Some("0500034D0202"),
            ..SmsFile::deliver(second, "sejak tiga hari di Jl. Sudirman")
        });
        let inbound = eventually(&smsd, "the concatenated MO message", || {
            let db = db.clone();
            async move {
                db.inbound_messages(Some(second), 10)
                    .await
                    .unwrap()
                    .into_iter()
                    .next()
            }
        })
        .await;
        assert_eq!(
            inbound.text, "DISHUB lampu jalan mati sejak tiga hari di Jl. Sudirman",
            "{backend}"
        );
        assert!(!inbound.partial);
        assert_eq!(inbound.outcome, "ticket");
        eventually(&smsd, "both part rows processed", || async {
            let rows = smsd.inbox_processed().await;
            (rows.len() == 3 && rows.iter().all(|(_, p)| p == "true")).then_some(())
        })
        .await;
        assert_eq!(
            db.inbound_messages(Some(second), 10).await.unwrap().len(),
            1,
            "one message, not one per part"
        );

        assert_eq!(gateways.send_due(&sink).await.unwrap(), 1, "{backend}");
        let ack = db.messages_to(second, 10).await.unwrap().remove(0);
        assert!(ack.body.contains('✓'));
        let gammu_id: i64 = ack.gateway_ref.as_deref().unwrap().parse().unwrap();
        let parts = eventually(&smsd, "the long acknowledgement in sentitems", || async {
            let rows = smsd.sentitems(gammu_id).await;
            (rows.len() == 3).then_some(rows)
        })
        .await;
        for (i, part) in parts.iter().enumerate() {
            assert_eq!(part.1, i as i64 + 1);
            assert_eq!(part.4, "Unicode_No_Compression");
            assert_eq!(part.3.len(), 12, "8-bit concatenation UDH: {}", part.3);
            assert!(part.3.starts_with("050003"), "{}", part.3);
            assert!(part.3.ends_with(&format!("03{:02X}", i + 1)), "{}", part.3);
            assert!(part.5.encode_utf16().count() <= 67);
        }
        assert_eq!(
            parts.iter().map(|p| p.5.as_str()).collect::<String>(),
            ack.body,
            "the parts make up the message"
        );
        smsd.drop_sms(&SmsFile::status_report(second, "Failed"));
        let failed = eventually(&smsd, "the long acknowledgement failed", || {
            let db = db.clone();
            async move {
                let m = db.messages_to(second, 10).await.unwrap().remove(0);
                (m.status == domain::MessageStatus::Failed).then_some(m)
            }
        })
        .await;
        assert_eq!(failed.dlr_status.as_deref(), Some("gammu DeliveryFailed"));
        // The first acknowledgement is untouched.
        assert_eq!(
            db.messages_to(citizen, 10).await.unwrap()[0].status,
            domain::MessageStatus::Delivered
        );

        stop.send(true).unwrap();
        for poller in pollers {
            tokio::time::timeout(Duration::from_secs(5), poller)
                .await
                .expect("poller stops on shutdown")
                .unwrap();
        }
    }
}
