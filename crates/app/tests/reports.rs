//! Report queries, submission by the 10th and the reminders, on SQLite and PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use chrono::TimeZone;
use domain::{Channel, DeclineReason, IntakeInput, Role};
use store::reports::{Period, SubmissionState};
use store::tickets::{ActionInput, NewTicket};
use store::{Access, StoreError};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Jakarta;

/// Milliseconds of a local time in Jakarta.
fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    TZ.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .timestamp_millis()
}

struct Org {
    dishub: i64,
    dinkes: i64,
    region: Access,
    kadishub: Access,
    liaison: Access,
    liaison_dinkes: Access,
    operator: Access,
    walikota: Access,
}

async fn org(db: &Db) -> Org {
    let w = WorldBuilder::empty()
        .full_names(|username| format!("Pak {username}"))
        .agency("DISHUB", "Dinas Perhubungan")
        .agency("DINKES", "Dinas Kesehatan")
        .user("sekretariat", Role::Secretariat, None)
        .user("kadishub", Role::HeadOfAgency, Some("DISHUB"))
        .email("kadishub@contoh.id")
        .phone("+6281234567801")
        .user("penghubung.dishub", Role::LiaisonOfficer, Some("DISHUB"))
        .email("penghubung@contoh.id")
        .user("penghubung.dinkes", Role::LiaisonOfficer, Some("DINKES"))
        .phone("+6281234567802")
        .user("operator", Role::Operator, Some("DISHUB"))
        .user("walikota", Role::HeadOfRegion, None)
        .build(db)
        .await;
    Org {
        dishub: w.agency("DISHUB"),
        dinkes: w.agency("DINKES"),
        region: w.access(db, "sekretariat").await,
        kadishub: w.access(db, "kadishub").await,
        liaison: w.access(db, "penghubung.dishub").await,
        liaison_dinkes: w.access(db, "penghubung.dinkes").await,
        operator: w.access(db, "operator").await,
        walikota: w.access(db, "walikota").await,
    }
}

async fn ticket(
    db: &Db,
    agency: &str,
    text: &str,
    received_at: i64,
    anonymous: bool,
    confidential: bool,
) -> i64 {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(text.into()),
        agency_code: Some(agency.into()),
        reporter_name: Some("Siti Aminah".into()),
        reporter_email: Some("siti@contoh.id".into()),
        anonymous,
        confidential,
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    db.create_ticket(&NewTicket {
        intake,
        channel: Channel::Web,
        idempotency_key: None,
        received_at,
    })
    .await
    .unwrap()
    .id
}

/// Four tickets in March 2025 (three DISHUB, one DINKES) and one DISHUB ticket in April; the
/// DISHUB liaison answers the first and declines the second.
async fn tickets(db: &Db, o: &Org) -> Vec<i64> {
    let a = ticket(
        db,
        "DISHUB",
        "Lampu jalan mati di Jl. Sudirman",
        at(2025, 3, 3, 9, 0),
        false,
        false,
    )
    .await;
    let b = ticket(
        db,
        "DISHUB",
        "Parkir liar di depan pasar",
        at(2025, 3, 4, 10, 0),
        true,
        false,
    )
    .await;
    let c = ticket(
        db,
        "DISHUB",
        "Pungutan liar di terminal",
        at(2025, 3, 5, 11, 0),
        false,
        true,
    )
    .await;
    let d = ticket(
        db,
        "DINKES",
        "Antrian puskesmas lama",
        at(2025, 3, 6, 8, 0),
        false,
        false,
    )
    .await;
    let e = ticket(
        db,
        "DISHUB",
        "Lampu lalu lintas rusak",
        at(2025, 4, 2, 8, 0),
        false,
        false,
    )
    .await;
    db.apply_action_at(
        &o.liaison,
        a,
        &ActionInput::Answer {
            body: "Lampu sudah diganti petugas.".into(),
        },
        at(2025, 3, 3, 15, 0),
    )
    .await
    .unwrap();
    db.apply_action_at(
        &o.liaison,
        b,
        &ActionInput::Decline {
            reason: DeclineReason::OutOfScope,
            detail: "Kewenangan Satpol PP.".into(),
            duplicate_of: None,
        },
        at(2025, 3, 5, 9, 0),
    )
    .await
    .unwrap();
    vec![a, b, c, d, e]
}

#[tokio::test]
async fn monthly_recap_rows_respect_scope_and_anonymity() {
    for db in each_backend().await {
        let o = org(&db).await;
        let ids = tickets(&db, &o).await;
        let (from, to) = Period::Month {
            year: 2025,
            month: 3,
        }
        .bounds(TZ);
        let rows = db.recap_rows(&o.region, o.dishub, from, to).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            ids[..3].to_vec(),
            "{:?}",
            db.backend()
        );
        assert_eq!(rows[0].reporter_name.as_deref(), Some("Siti Aminah"));
        assert_eq!(
            rows[0].answer.as_deref(),
            Some("Lampu sudah diganti petugas.")
        );
        assert!(rows[0].answered_at.is_some());
        // Anonymous and confidential reporters are never named.
        assert!(
            rows[1].anonymous
                && rows[1].reporter_name.is_none()
                && rows[1].reporter_email.is_none()
        );
        assert!(rows[2].confidential && rows[2].reporter_name.is_none());
        assert_eq!(rows[1].status, domain::TicketStatus::Declined);
        assert_eq!(rows[1].decline_reason.as_deref(), Some("out_of_scope"));
        assert_eq!(
            rows[1].decline_note.as_deref(),
            Some("Bukan kewenangan kami: Kewenangan Satpol PP.")
        );
        // The agency's head sees the same; the operator sees no identities.
        assert_eq!(
            db.recap_rows(&o.kadishub, o.dishub, from, to)
                .await
                .unwrap(),
            rows
        );
        let masked = db
            .recap_rows(&o.operator, o.dishub, from, to)
            .await
            .unwrap();
        assert!(masked.iter().all(|r| r.reporter_name.is_none()));
        // Another agency's officer may not read DISHUB's recap.
        assert!(matches!(
            db.recap_rows(&o.liaison_dinkes, o.dishub, from, to).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(
            db.agency_head_name(o.dishub).await.unwrap().as_deref(),
            Some("Pak kadishub")
        );
    }
}

#[tokio::test]
async fn liaison_and_semester_figures() {
    for db in each_backend().await {
        let o = org(&db).await;
        tickets(&db, &o).await;
        let (from, to) = Period::Month {
            year: 2025,
            month: 3,
        }
        .bounds(TZ);
        let rows = db.liaison_stats(&o.region, None, from, to).await.unwrap();
        assert_eq!(rows.len(), 2);
        let dishub = rows.iter().find(|r| r.agency_code == "DISHUB").unwrap();
        assert_eq!(
            (
                dishub.handled,
                dishub.answered,
                dishub.answered_on_time,
                dishub.declined
            ),
            (2, 1, 1, 1),
            "{:?}",
            db.backend()
        );
        assert_eq!(dishub.median_answer_ms, Some(6 * 3_600_000));
        let dinkes = rows.iter().find(|r| r.agency_code == "DINKES").unwrap();
        assert_eq!(
            (dinkes.handled, dinkes.answered, dinkes.median_answer_ms),
            (0, 0, None)
        );
        // An agency officer sees only their agency's officers.
        let own = db
            .liaison_stats(&o.liaison_dinkes, None, from, to)
            .await
            .unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].agency_code, "DINKES");

        let (from, to) = Period::Semester {
            year: 2025,
            half: 1,
        }
        .bounds(TZ);
        let data = db.semester_data(&o.walikota, None, from, to).await.unwrap();
        let total: i64 = data.combos.iter().map(|c| c.count).sum();
        assert_eq!(total, 5);
        assert_eq!(data.combos.iter().map(|c| c.answered).sum::<i64>(), 1);
        assert_eq!(data.answer_minutes, vec![(360, 1)]);
        assert_eq!(data.days.iter().map(|d| d.received).sum::<i64>(), 5);
        assert_eq!(data.texts.len(), 5);
        let scoped = db.semester_data(&o.kadishub, None, from, to).await.unwrap();
        assert_eq!(scoped.combos.iter().map(|c| c.count).sum::<i64>(), 4);
        assert!(matches!(
            db.semester_data(&o.kadishub, Some(o.dinkes), from, to)
                .await,
            Err(StoreError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn submission_by_the_tenth() {
    for db in each_backend().await {
        let o = org(&db).await;
        let before_deadline = at(2025, 4, 8, 9, 0);
        let states = db
            .submissions(&o.region, "2025-03", before_deadline)
            .await
            .unwrap();
        assert_eq!(states.len(), 2);
        assert!(states.iter().all(|s| s.state == SubmissionState::NotYet));
        // After the 10th, a missing recap is late.
        let states = db
            .submissions(&o.region, "2025-03", at(2025, 4, 11, 0, 0))
            .await
            .unwrap();
        assert!(states.iter().all(|s| s.state == SubmissionState::Late));

        let done = db
            .submit_recap(&o.liaison, o.dishub, "2025-03", before_deadline)
            .await
            .unwrap();
        assert_eq!(done.state, SubmissionState::Submitted);
        assert_eq!(done.submitted_by.as_deref(), Some("Pak penghubung.dishub"));
        // Submitting again changes nothing.
        let again = db
            .submit_recap(&o.kadishub, o.dishub, "2025-03", at(2025, 4, 20, 0, 0))
            .await
            .unwrap();
        assert_eq!(again.submitted_at, Some(before_deadline));
        // DINKES submits late.
        let late = db
            .submit_recap(
                &o.liaison_dinkes,
                o.dinkes,
                "2025-03",
                at(2025, 4, 12, 9, 0),
            )
            .await
            .unwrap();
        assert_eq!(late.state, SubmissionState::Late);
        // Scope, roles and periods.
        assert!(matches!(
            db.submit_recap(&o.liaison_dinkes, o.dishub, "2025-02", before_deadline)
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.submit_recap(&o.walikota, o.dishub, "2025-02", before_deadline)
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.submit_recap(&o.liaison, o.dishub, "2025-04", before_deadline)
                .await,
            Err(ref e) if e.is_invalid()
        ));
        assert!(matches!(
            db.submit_recap(&o.liaison, o.dishub, "2025-S1", before_deadline)
                .await,
            Err(ref e) if e.is_invalid()
        ));
        // An agency officer sees only their agency's state.
        let own = db
            .submissions(&o.liaison_dinkes, "2025-03", before_deadline)
            .await
            .unwrap();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].agency_code, "DINKES");
    }
}

async fn reminders_to(db: &Db, recipient: &str) -> usize {
    db.messages_to(recipient, 100)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.kind == "report_reminder")
        .count()
}

#[tokio::test]
async fn reminders_from_the_fifth_once_per_agency_per_day() {
    for db in each_backend().await {
        let o = org(&db).await;
        let base = "https://balai.contoh.id";
        // Before the 5th, and on the 5th before the daily hour (07:00): nothing.
        assert_eq!(
            db.send_report_reminders(at(2025, 4, 4, 9, 0), base)
                .await
                .unwrap()
                .messages,
            0
        );
        assert_eq!(
            db.send_report_reminders(at(2025, 4, 5, 6, 0), base)
                .await
                .unwrap()
                .messages,
            0
        );
        // On the 5th: the head (email + SMS) and liaison (email) of DISHUB, the liaison of DINKES (SMS).
        let first = db
            .send_report_reminders(at(2025, 4, 5, 8, 0), base)
            .await
            .unwrap();
        assert_eq!(
            (first.recipients, first.messages),
            (3, 4),
            "{:?}",
            db.backend()
        );
        assert_eq!(reminders_to(&db, "kadishub@contoh.id").await, 1);
        assert_eq!(reminders_to(&db, "+6281234567801").await, 1);
        let sms = db.messages_to("+6281234567802", 10).await.unwrap();
        assert!(
            sms[0].body.contains("Dinas Kesehatan") && sms[0].body.contains("Maret 2025"),
            "{}",
            sms[0].body
        );
        assert!(
            sms[0].body.contains("/staf/laporan?periode=2025-03"),
            "{}",
            sms[0].body
        );
        // The same day again, from another "node": nothing new.
        let (a, b) = tokio::join!(
            db.send_report_reminders(at(2025, 4, 5, 9, 0), base),
            db.send_report_reminders(at(2025, 4, 5, 10, 0), base)
        );
        assert_eq!(a.unwrap().messages + b.unwrap().messages, 0);
        // DISHUB submits; the next day only DINKES hears again.
        db.submit_recap(&o.kadishub, o.dishub, "2025-03", at(2025, 4, 5, 12, 0))
            .await
            .unwrap();
        let second = db
            .send_report_reminders(at(2025, 4, 6, 8, 0), base)
            .await
            .unwrap();
        assert_eq!((second.recipients, second.messages), (1, 1));
        assert_eq!(reminders_to(&db, "kadishub@contoh.id").await, 1);
        assert_eq!(reminders_to(&db, "+6281234567802").await, 2);
    }
}
