//! LAPOR! SP4N numbers and the export, run on SQLite and on PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::{Channel, IntakeInput};
use store::tickets::{ActionInput, NewTicket};
use store::{Access, StoreError};

struct Org {
    region: Access,
    dishub: Access,
    dinkes: Access,
    head: Access,
}

async fn setup(db: &Db) -> Org {
    let w = WorldBuilder::standard().build(db).await;
    Org {
        region: w.access(db, "sekretariat").await,
        dishub: w.access(db, "penghubung.dishub").await,
        dinkes: w.access(db, "penghubung.dinkes").await,
        head: w.access(db, "walikota").await,
    }
}

struct Reporter {
    anonymous: bool,
    confidential: bool,
}

const PLAIN: Reporter = Reporter {
    anonymous: false,
    confidential: false,
};

async fn ticket(db: &Db, text: &str, agency: &str, who: Reporter, received_at: i64) -> i64 {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(text.into()),
        agency_code: Some(agency.into()),
        reporter_name: Some("Budi Santoso".into()),
        reporter_email: Some("budi@contoh.id".into()),
        anonymous: who.anonymous,
        confidential: who.confidential,
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

async fn answer(db: &Db, actor: &Access, id: i64, body: &str) {
    db.apply_action(actor, id, &ActionInput::Answer { body: body.into() })
        .await
        .unwrap();
}

#[tokio::test]
async fn numbers_are_recorded_replaced_and_unique() {
    for db in each_backend().await {
        let org = setup(&db).await;
        let now = store::now_ms();
        let a = ticket(&db, "Lampu jalan mati", "DISHUB", PLAIN, now).await;
        let b = ticket(&db, "Jalan berlubang", "DISHUB", PLAIN, now).await;
        let other = ticket(&db, "Puskesmas tutup", "DINKES", PLAIN, now).await;

        let status = db.lapor_status(&org.region, a).await.unwrap();
        assert_eq!(status.lapor_number, None);

        let first = db
            .record_lapor_number(&org.region, a, "  1234567 ")
            .await
            .unwrap();
        assert_eq!(first.lapor_number, "1234567");
        assert!(first.changed && first.previous.is_none());
        let status = db.lapor_status(&org.region, a).await.unwrap();
        assert_eq!(status.lapor_number.as_deref(), Some("1234567"));
        assert_eq!(status.lapor_recorded_at, Some(first.lapor_recorded_at));

        // The same number again: nothing new on the timeline.
        let events_before = db.events(a).await.unwrap().len();
        let again = db
            .record_lapor_number(&org.region, a, "1234567")
            .await
            .unwrap();
        assert!(!again.changed);
        assert_eq!(db.events(a).await.unwrap().len(), events_before);

        // A different number replaces it, and both are on the timeline.
        let second = db
            .record_lapor_number(&org.region, a, "SP4N/2026-77")
            .await
            .unwrap();
        assert!(second.changed);
        assert_eq!(second.previous.as_deref(), Some("1234567"));
        let recorded: Vec<_> = db
            .events(a)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "lapor_recorded")
            .collect();
        assert_eq!(
            recorded.iter().map(|e| e.body.as_str()).collect::<Vec<_>>(),
            ["1234567", "SP4N/2026-77"]
        );
        assert!(recorded.iter().all(|e| !e.public));
        let payload: serde_json::Value = serde_json::from_str(&recorded[1].payload).unwrap();
        assert_eq!(payload["previous"], "1234567");
        assert_eq!(
            domain::EventKind::label_id("lapor_recorded"),
            "Nomor LAPOR! SP4N dicatat"
        );
        // Not on the public tracking page.
        let code = db.ticket(&org.region, a).await.unwrap().tracking_code;
        let tracked = db
            .track(&domain::TrackingCode::parse(&code).unwrap())
            .await
            .unwrap();
        assert!(tracked.timeline.iter().all(|e| e.kind != "lapor_recorded"));

        // The number of another ticket is a conflict; the old one is free again.
        let taken = db.record_lapor_number(&org.region, b, "SP4N/2026-77").await;
        assert!(matches!(taken, Err(ref e) if e.is_conflict()), "{taken:?}");
        db.record_lapor_number(&org.region, b, "1234567")
            .await
            .unwrap();

        // Invalid numbers.
        for bad in ["", "   ", "12 34", "<script>", &"1".repeat(41)] {
            let result = db.record_lapor_number(&org.region, b, bad).await;
            assert!(matches!(result, Err(ref e) if e.is_invalid()), "{bad:?}");
        }

        // Scope: agency staff only on their agency's tickets (others' do not exist for them);
        // the head of region only reads.
        assert!(matches!(
            db.record_lapor_number(&org.dishub, other, "999").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.lapor_status(&org.dishub, other).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.record_lapor_number(&org.head, other, "999").await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.record_lapor_number(&org.region, 999_999, "999").await,
            Err(StoreError::NotFound)
        ));
        db.record_lapor_number(&org.dinkes, other, "999")
            .await
            .unwrap();

        assert!(db.verify_chains().await.unwrap().broken.is_empty());
    }
}

#[tokio::test]
async fn export_lists_answered_tickets_in_range_and_scope() {
    for db in each_backend().await {
        let org = setup(&db).await;
        let day = 24 * 3600 * 1000;
        let base = store::now_ms() - 10 * day;
        let answered = ticket(&db, "Lampu jalan mati", "DISHUB", PLAIN, base).await;
        let anonymous = ticket(
            &db,
            "Pungutan liar",
            "DISHUB",
            Reporter {
                anonymous: true,
                confidential: false,
            },
            base + day,
        )
        .await;
        let confidential = ticket(
            &db,
            "Dugaan korupsi",
            "DINKES",
            Reporter {
                anonymous: false,
                confidential: true,
            },
            base + 2 * day,
        )
        .await;
        let open = ticket(&db, "Belum dijawab", "DISHUB", PLAIN, base + 3 * day).await;
        let closed = ticket(&db, "Sudah selesai", "DINKES", PLAIN, base + 4 * day).await;
        let outside = ticket(&db, "Terlalu lama", "DISHUB", PLAIN, base - 5 * day).await;

        answer(&db, &org.dishub, answered, "Jawaban pertama").await;
        db.apply_action(
            &org.dishub,
            answered,
            &ActionInput::Reopen { note: "".into() },
        )
        .await
        .unwrap();
        answer(
            &db,
            &org.dishub,
            answered,
            "Jawaban kedua, sudah diperbaiki",
        )
        .await;
        answer(&db, &org.dishub, anonymous, "Sudah ditindak").await;
        answer(
            &db,
            &org.dinkes,
            confidential,
            "Sedang diperiksa inspektorat",
        )
        .await;
        answer(&db, &org.dinkes, closed, "Puskesmas buka lagi").await;
        db.apply_action(&org.dinkes, closed, &ActionInput::Close { note: "".into() })
            .await
            .unwrap();
        answer(&db, &org.dishub, outside, "Lama").await;

        let from = base - day;
        let to = base + 5 * day;
        let rows = db.lapor_export(&org.region, from, to, false).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [answered, anonymous, confidential, closed],
            "answered and closed, in range, oldest first; not {open} nor {outside}"
        );
        let first = &rows[0];
        assert_eq!(
            first.answer.as_deref(),
            Some("Jawaban kedua, sudah diperbaiki")
        );
        assert_eq!(first.text, "Lampu jalan mati");
        assert_eq!(first.agency_code.as_deref(), Some("DISHUB"));
        assert_eq!(first.agency_name.as_deref(), Some("Dinas Perhubungan"));
        assert_eq!(first.category, "pengaduan");
        assert_eq!(first.channel, domain::Channel::Web);
        assert!(first.register_number.starts_with("DISHUB/"));
        assert!(first.answered_at.is_some());
        assert_eq!(first.reporter_name.as_deref(), Some("Budi Santoso"));
        assert_eq!(first.reporter_email.as_deref(), Some("budi@contoh.id"));
        for hidden in [&rows[1], &rows[2]] {
            assert!(hidden.anonymous || hidden.confidential);
            assert_eq!(hidden.reporter_name, None);
            assert_eq!(hidden.reporter_email, None);
            assert_eq!(hidden.reporter_phone, None);
        }
        assert_eq!(rows[3].status, domain::TicketStatus::Closed);
        assert_eq!(rows[3].answer.as_deref(), Some("Puskesmas buka lagi"));

        // Only those not yet reported.
        db.record_lapor_number(&org.region, anonymous, "LPR-1")
            .await
            .unwrap();
        let unreported = db.lapor_export(&org.region, from, to, true).await.unwrap();
        assert_eq!(
            unreported.iter().map(|r| r.id).collect::<Vec<_>>(),
            [answered, confidential, closed]
        );
        let all = db.lapor_export(&org.region, from, to, false).await.unwrap();
        assert_eq!(all[1].lapor_number.as_deref(), Some("LPR-1"));
        assert!(all[1].lapor_recorded_at.is_some());

        // Agency staff: their agency only.
        let dishub = db.lapor_export(&org.dishub, from, to, false).await.unwrap();
        assert_eq!(
            dishub.iter().map(|r| r.id).collect::<Vec<_>>(),
            [answered, anonymous]
        );
        let dinkes = db.lapor_export(&org.dinkes, from, to, false).await.unwrap();
        assert_eq!(
            dinkes.iter().map(|r| r.id).collect::<Vec<_>>(),
            [confidential, closed]
        );

        // Pages.
        let mut filter = store::lapor::LaporFilter {
            from_ms: from,
            to_ms: to,
            only_unreported: false,
            after: None,
            limit: Some(3),
        };
        let (page, next) = db.lapor_page(&org.region, &filter).await.unwrap();
        assert_eq!(page.len(), 3);
        filter.after = next;
        let (rest, next) = db.lapor_page(&org.region, &filter).await.unwrap();
        assert_eq!(rest.iter().map(|r| r.id).collect::<Vec<_>>(), [closed]);
        assert!(next.is_none());
    }
}
