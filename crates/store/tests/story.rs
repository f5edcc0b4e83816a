//! The store's story, run on SQLite and on PostgreSQL.

use domain::{Channel, DeclineReason, IntakeInput, Role, TrackingCode};
use store::testing::each_backend;
use store::tickets::{ActionInput, NewTicket, TicketFilter};
use store::{Actor, Db, StoreError};

async fn setup(db: &Db) -> (i64, i64, Actor) {
    let dishub = db
        .create_agency(&store::org::NewAgency {
            code: "DISHUB".into(),
            name: "Dinas Perhubungan".into(),
            kind: "agency".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let dinkes = db
        .create_agency(&store::org::NewAgency {
            code: "DINKES".into(),
            name: "Dinas Kesehatan".into(),
            kind: "agency".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let id = db
        .create_user(&store::org::NewUser {
            username: "sekretariat".into(),
            password: "rahasia-sekali".into(),
            full_name: "Sekretariat".into(),
            role: Role::Secretariat.as_str().into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let region = db.actor_for(&db.user(id).await.unwrap()).await.unwrap();
    (dishub, dinkes, region)
}

fn intake(text: &str, agency: Option<&str>) -> domain::ValidIntake {
    IntakeInput {
        category: Some("pengaduan".into()),
        text: Some(text.into()),
        agency_code: agency.map(str::to_string),
        reporter_email: Some("warga@contoh.id".into()),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap()
}

fn new_ticket(text: &str, agency: Option<&str>, key: Option<&str>) -> NewTicket {
    NewTicket {
        intake: intake(text, agency),
        channel: Channel::Web,
        idempotency_key: key.map(str::to_string),
        received_at: store::now_ms(),
    }
}

async fn staff(db: &Db, username: &str, role: Role, agency: i64) -> Actor {
    let id = db
        .create_user(&store::org::NewUser {
            username: username.into(),
            password: "rahasia-sekali".into(),
            full_name: username.into(),
            role: role.as_str().into(),
            agency_id: Some(agency),
            ..Default::default()
        })
        .await
        .unwrap();
    db.actor_for(&db.user(id).await.unwrap()).await.unwrap()
}

#[tokio::test]
async fn schemas_of_both_backends_match() {
    let dbs = each_backend().await;
    let sqlite = dbs[0].schema_columns().await.unwrap();
    let postgres = dbs[1].schema_columns().await.unwrap();
    assert!(sqlite.len() > 50, "schema looks empty: {sqlite:?}");
    assert_eq!(sqlite, postgres);
}

#[tokio::test]
async fn intake_is_idempotent_and_numbered_per_agency() {
    for db in each_backend().await {
        setup(&db).await;
        let a = db
            .create_ticket(&new_ticket(
                "Lampu jalan mati",
                Some("DISHUB"),
                Some("key-1"),
            ))
            .await
            .unwrap();
        let again = db
            .create_ticket(&new_ticket(
                "Lampu jalan mati",
                Some("DISHUB"),
                Some("key-1"),
            ))
            .await
            .unwrap();
        assert_eq!(a.id, again.id);
        assert!(again.replayed && !a.replayed);
        let b = db
            .create_ticket(&new_ticket("Sampah", Some("DISHUB"), None))
            .await
            .unwrap();
        let triage = db
            .create_ticket(&new_ticket("Tanpa OPD", None, None))
            .await
            .unwrap();
        let year = chrono::Utc::now().format("%Y").to_string();
        assert_eq!(a.register_number, format!("DISHUB/{year}/000001"));
        assert_eq!(b.register_number, format!("DISHUB/{year}/000002"));
        assert_eq!(triage.register_number, format!("SETDA/{year}/000001"));
        assert_eq!(db.count_tickets().await.unwrap(), 3);
        let tracked = db
            .track(&TrackingCode::parse(&a.tracking_code).unwrap())
            .await
            .unwrap();
        assert_eq!(tracked.status, "open");
        assert_eq!(tracked.timeline.len(), 1);
    }
}

#[tokio::test]
async fn concurrent_retries_create_one_ticket() {
    for db in each_backend().await {
        setup(&db).await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                db.create_ticket(&new_ticket("sama", None, Some("same-key")))
                    .await
                    .unwrap()
                    .id
            }));
        }
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert_eq!(db.count_tickets().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn staff_see_only_their_agency_and_filters_work() {
    for db in each_backend().await {
        let (dishub, _dinkes, region) = setup(&db).await;
        let officer = staff(&db, "petugas", Role::LiaisonOfficer, dishub).await;
        let mine = db
            .create_ticket(&new_ticket(
                "Jalan berlubang di Jl. Merdeka",
                Some("DISHUB"),
                None,
            ))
            .await
            .unwrap();
        let theirs = db
            .create_ticket(&new_ticket("Puskesmas tutup", Some("DINKES"), None))
            .await
            .unwrap();
        db.create_ticket(&new_ticket("Tidak tahu ke mana", None, None))
            .await
            .unwrap();

        let page = db
            .list_tickets(
                &officer,
                &TicketFilter {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            page.items.iter().map(|t| t.id).collect::<Vec<_>>(),
            [mine.id]
        );
        assert!(matches!(
            db.ticket(&officer, theirs.id).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.apply_action(&officer, theirs.id, &ActionInput::Note { body: "x".into() })
                .await,
            Err(StoreError::Forbidden)
        ));

        let all = db
            .list_tickets(
                &region,
                &TicketFilter {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(all.items.len(), 3);
        let triage = db
            .list_tickets(
                &region,
                &TicketFilter {
                    triage: true,
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(triage.items.len(), 1);
        let search = db
            .list_tickets(
                &region,
                &TicketFilter {
                    q: Some("berlubang merdeka".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            search.items.iter().map(|t| t.id).collect::<Vec<_>>(),
            [mine.id]
        );
        let by_agency = db
            .list_tickets(
                &region,
                &TicketFilter {
                    agency_code: Some("DINKES".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_agency.items.len(), 1);

        // Keyset pagination visits every ticket once.
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = db
                .list_tickets(
                    &region,
                    &TicketFilter {
                        limit: 2,
                        cursor,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            seen.extend(page.items.iter().map(|t| t.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 3);
    }
}

#[tokio::test]
async fn handling_lifecycle_queues_the_answer_and_keeps_the_chain() {
    for db in each_backend().await {
        let (dishub, _, region) = setup(&db).await;
        let head = staff(&db, "kadis", Role::HeadOfAgency, dishub).await;
        let colleague = staff(&db, "staf", Role::LiaisonOfficer, dishub).await;
        let created = db
            .create_ticket(&new_ticket("Halte rusak", None, None))
            .await
            .unwrap();
        let id = created.id;

        let forwarded = db
            .apply_action(
                &region,
                id,
                &ActionInput::Forward {
                    agency_code: "DISHUB".into(),
                    note: "mohon ditindaklanjuti".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(forwarded.status, "open");
        db.apply_action(
            &head,
            id,
            &ActionInput::Assign {
                user_id: colleague.user_id,
            },
        )
        .await
        .unwrap();
        db.apply_action(
            &head,
            id,
            &ActionInput::Note {
                body: "cek lokasi".into(),
            },
        )
        .await
        .unwrap();
        assert!(matches!(
            db.apply_action(
                &head,
                id,
                &ActionInput::Reopen {
                    note: String::new()
                }
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        let answered = db
            .apply_action(
                &colleague,
                id,
                &ActionInput::Answer {
                    body: "Halte diperbaiki minggu depan.".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(answered.status, "answered");
        let messages = db.ticket_messages(id).await.unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(
            (messages[0].channel.as_str(), messages[0].status.as_str()),
            ("email", "pending")
        );
        db.apply_action(
            &head,
            id,
            &ActionInput::Close {
                note: String::new(),
            },
        )
        .await
        .unwrap();
        db.apply_action(
            &head,
            id,
            &ActionInput::Reopen {
                note: "warga belum puas".into(),
            },
        )
        .await
        .unwrap();
        let declined = db
            .apply_action(
                &head,
                id,
                &ActionInput::Decline {
                    reason: DeclineReason::Other,
                    detail: "di luar wilayah".into(),
                    duplicate_of: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(declined.status, "declined");

        let events = db.events(id).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "received",
                "forwarded",
                "assigned",
                "note",
                "answered",
                "closed",
                "reopened",
                "declined"
            ]
        );
        let public = db
            .track(&TrackingCode::parse(&created.tracking_code).unwrap())
            .await
            .unwrap();
        assert!(
            public
                .timeline
                .iter()
                .all(|e| e.kind != "note" && e.kind != "assigned")
        );
        assert!(
            public
                .timeline
                .iter()
                .any(|e| e.body.as_deref() == Some("Halte diperbaiki minggu depan."))
        );

        let report = db.verify_chains().await.unwrap();
        assert_eq!((report.tickets, report.events), (1, 8));
        assert!(report.broken.is_empty(), "{:?}", report.broken);
    }
}

#[tokio::test]
async fn timeline_and_text_cannot_be_altered_and_tampering_is_detected() {
    for db in each_backend().await {
        let (_, _, region) = setup(&db).await;
        let t = db
            .create_ticket(&new_ticket("Asli", Some("DISHUB"), None))
            .await
            .unwrap();
        db.apply_action(
            &region,
            t.id,
            &ActionInput::Note {
                body: "catatan".into(),
            },
        )
        .await
        .unwrap();
        assert!(
            db.execute_raw(&format!(
                "UPDATE ticket_events SET body = 'palsu' WHERE ticket_id = {}",
                t.id
            ))
            .await
            .is_err()
        );
        assert!(
            db.execute_raw(&format!(
                "DELETE FROM ticket_events WHERE ticket_id = {}",
                t.id
            ))
            .await
            .is_err()
        );
        assert!(
            db.execute_raw(&format!(
                "UPDATE tickets SET text = 'diubah' WHERE id = {}",
                t.id
            ))
            .await
            .is_err()
        );

        // Someone with database superpowers bypasses the guard: the audit names the ticket.
        let bypass = match db.backend() {
            store::Backend::Sqlite => "DROP TRIGGER ticket_events_no_update".to_string(),
            store::Backend::Postgres => {
                "ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_no_update".to_string()
            }
        };
        db.execute_raw(&bypass).await.unwrap();
        db.execute_raw(&format!(
            "UPDATE ticket_events SET body = 'palsu' WHERE ticket_id = {} AND seq = 2",
            t.id
        ))
        .await
        .unwrap();
        let report = db.verify_chains().await.unwrap();
        assert_eq!(report.broken.len(), 1);
        assert_eq!(report.broken[0].register_number, t.register_number);
        assert_eq!(report.broken[0].seq, 2);
    }
}

#[tokio::test]
async fn bulk_seed_produces_valid_chains() {
    for db in each_backend().await {
        let agencies = store::bulk::ensure_agencies(&db, 3).await.unwrap();
        store::bulk::seed_tickets(&db, 1_234, &agencies, 90, |_| {})
            .await
            .unwrap();
        assert_eq!(db.count_tickets().await.unwrap(), 1_234);
        let report = db.verify_chains().await.unwrap();
        assert_eq!(report.tickets, 1_234);
        let reader = Actor {
            user_id: 0,
            role: Role::Admin,
            agency_scope: None,
        };
        let page = db
            .list_tickets(
                &reader,
                &TicketFilter {
                    limit: 5,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let code = TrackingCode::parse(&page.items[0].tracking_code)
            .expect("seeded codes are valid tracking codes");
        assert_eq!(db.track(&code).await.unwrap().timeline.len(), 1);
        // A second run continues after the first without colliding.
        store::bulk::seed_tickets(&db, 10, &agencies, 90, |_| {})
            .await
            .unwrap();
        assert_eq!(db.count_tickets().await.unwrap(), 1_244);
        assert!(
            report.broken.is_empty(),
            "{:?}",
            &report.broken[..report.broken.len().min(3)]
        );
    }
}

#[tokio::test]
async fn search_finds_old_matches_behind_many_newer_tickets() {
    for db in each_backend().await {
        let (_, _, region) = setup(&db).await;
        let mut old = Vec::new();
        for i in 0..3 {
            old.push(
                db.create_ticket(&new_ticket(
                    &format!("kuda lepas di jalan {i}"),
                    Some("DISHUB"),
                    None,
                ))
                .await
                .unwrap()
                .id,
            );
        }
        let agencies = store::bulk::ensure_agencies(&db, 2).await.unwrap();
        store::bulk::seed_tickets(&db, 25_000, &agencies, 30, |_| {})
            .await
            .unwrap();
        db.analyze().await.unwrap();
        let mut found = Vec::new();
        let mut cursor = None;
        loop {
            let filter = TicketFilter {
                q: Some("kuda".into()),
                limit: 2,
                cursor,
                ..Default::default()
            };
            let page = db.list_tickets(&region, &filter).await.unwrap();
            found.extend(page.items.iter().map(|t| t.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        old.reverse();
        assert_eq!(found, old, "newest first, across the id windows");
        let oldest = TicketFilter {
            q: Some("kuda".into()),
            limit: 5,
            oldest_first: true,
            ..Default::default()
        };
        assert_eq!(
            db.list_tickets(&region, &oldest).await.unwrap().items.len(),
            3
        );
    }
}
