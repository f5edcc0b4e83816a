//! A database of the release whose newest migration is 0013, with data (`balai demo` plus SMS,
//! kept as `fixtures/upgrade_0013.sql`), migrated to whatever schema is current: on both
//! backends the tickets, their hash chains, the outbox, published cases and logins survive.

use domain::{Channel, IntakeInput, Role, TrackingCode};
use store::Db;
use store::testing::{migrated_to, postgres_url, sqlite_url};

const FIXTURE: &str = include_str!("fixtures/upgrade_0013.sql");
const FIXTURE_SCHEMA: i64 = 13;

/// What a `pg_dump` of that release would carry besides the rows: the id sequences' positions.
const PG_RESET_SEQUENCES: &str = "DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND column_default LIKE 'nextval(%' LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE((SELECT MAX(%I) FROM %I), 0) + 1, false)',
                   r.table_name, r.column_name, r.column_name, r.table_name);
  END LOOP;
END $$";

fn fixture_rows(table: &str) -> i64 {
    let prefix = format!("INSERT INTO {table} (");
    FIXTURE.lines().filter(|l| l.starts_with(&prefix)).count() as i64
}

async fn old_database_with_data(url: &str) -> Db {
    let db = migrated_to(url, FIXTURE_SCHEMA).await;
    db.execute_raw(FIXTURE).await.expect("load the fixture");
    if db.backend() == store::Backend::Postgres {
        db.execute_raw(PG_RESET_SEQUENCES).await.unwrap();
    }
    db
}

async fn upgrade_keeps_the_data(url: &str) {
    let db = app::App::new(old_database_with_data(url).await);
    let old_counts = db.snapshot_counts().await.unwrap();
    assert_eq!(old_counts.schema_version, FIXTURE_SCHEMA);
    db.migrate().await.expect("upgrade to the current schema");
    let counts = db.snapshot_counts().await.unwrap();
    assert!(counts.schema_version >= FIXTURE_SCHEMA);

    let tickets = fixture_rows("tickets");
    assert_eq!(tickets, 205, "the fixture as generated");
    assert_eq!(counts.tickets, tickets);
    assert_eq!(counts.ticket_events, fixture_rows("ticket_events"));
    assert_eq!(counts.messages, fixture_rows("messages"));
    assert_eq!(counts.users, fixture_rows("users"));

    let audit = db.verify_chains().await.unwrap();
    assert_eq!(
        (audit.tickets, audit.events),
        (counts.tickets, counts.ticket_events)
    );
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);

    for username in ["admin", "sekretariat", "kadishub"] {
        let user = db.authenticate(username, "demo-balai").await.unwrap();
        assert!(user.is_some(), "{username} logs in after the upgrade");
    }
    assert!(db.authenticate("admin", "salah").await.unwrap().is_none());

    let admin = db.user_by_username("admin").await.unwrap().unwrap();
    let admin = db.access_for(&admin, store::now_ms()).await.unwrap();
    let first = db.ticket(&admin, 1).await.unwrap();
    assert_eq!(first.tracking_code, "NEPXSTY5Q6");
    assert_eq!(
        first.text,
        "Lampu lalu lintas di simpang Jl. Merdeka – Jl. Sudirman mati sejak kemarin sore, sangat berbahaya."
    );
    let sms = db
        .track(&TrackingCode::parse("FH7CGZ34HD").unwrap())
        .await
        .unwrap();
    assert_eq!(sms.channel, domain::Channel::Sms);
    assert!(!sms.timeline.is_empty());

    let found = db
        .search_cases(&store::publication::CaseFilter {
            q: Some("ngetem".into()),
            page: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        found.items.iter().any(|c| c.question.contains("ngetem")),
        "published cases are searchable after the upgrade"
    );

    // New rows continue the old ids and chains.
    let created = db
        .create_ticket(&store::tickets::NewTicket {
            intake: IntakeInput {
                category: Some("pengaduan".into()),
                text: Some("Aduan baru setelah pemutakhiran skema.".into()),
                reporter_email: Some("warga@contoh.id".into()),
                ..Default::default()
            }
            .validate(|_| true, |_| true)
            .unwrap(),
            channel: Channel::Web,
            idempotency_key: None,
            received_at: store::now_ms(),
        })
        .await
        .unwrap();
    assert!(created.id > tickets);
    let officer = db.user_by_username("sekretariat").await.unwrap().unwrap();
    assert_eq!(officer.role, Role::Secretariat, "roles survive");
    let audit = db.verify_chains().await.unwrap();
    assert_eq!(audit.tickets, tickets + 1);
    assert!(audit.broken.is_empty(), "{:?}", audit.broken);
}

#[tokio::test]
async fn sqlite_database_of_migration_0013_upgrades_with_its_data() {
    upgrade_keeps_the_data(&sqlite_url()).await;
}

#[tokio::test]
async fn postgres_database_of_migration_0013_upgrades_with_its_data() {
    upgrade_keeps_the_data(&postgres_url().await).await;
}
