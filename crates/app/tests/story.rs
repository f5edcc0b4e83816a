//! The store's story, run on SQLite and on PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::{Channel, DeclineReason, IntakeInput, Role, TrackingCode};
use store::tickets::{ActionInput, NewTicket, TicketFilter};
use store::{Access, StoreError};

async fn setup(db: &Db) -> (i64, i64, Access) {
    let world = WorldBuilder::empty()
        .agency("DISHUB", "Dinas Perhubungan")
        .agency("DINKES", "Dinas Kesehatan")
        .user("sekretariat", Role::Secretariat, None)
        .named("Sekretariat")
        .build(db)
        .await;
    let region = world.access(db, "sekretariat").await;
    (world.agency("DISHUB"), world.agency("DINKES"), region)
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

async fn staff(db: &Db, username: &str, role: Role, agency: i64) -> Access {
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
    db.access_for(&db.user(id).await.unwrap(), store::now_ms())
        .await
        .unwrap()
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
        let year = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Jakarta)
            .format("%Y")
            .to_string();
        assert_eq!(a.register_number, format!("DISHUB/{year}/000001"));
        assert_eq!(b.register_number, format!("DISHUB/{year}/000002"));
        assert_eq!(triage.register_number, format!("SETDA/{year}/000001"));
        assert_eq!(db.count_tickets().await.unwrap(), 3);
        let tracked = db
            .track(&TrackingCode::parse(&a.tracking_code).unwrap())
            .await
            .unwrap();
        assert_eq!(tracked.status, domain::TicketStatus::Open);
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
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.apply_action(&officer, theirs.id, &ActionInput::Note { body: "x".into() })
                .await,
            Err(StoreError::NotFound)
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
        assert_eq!(forwarded.status, domain::TicketStatus::Open);
        db.apply_action(
            &head,
            id,
            &ActionInput::Assign {
                user_id: colleague.user().get(),
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
            Err(StoreError::Refused(domain::Refusal::NotInStatus(_)))
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
        assert_eq!(answered.status, domain::TicketStatus::Answered);
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
        assert_eq!(declined.status, domain::TicketStatus::Declined);

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
                "published",
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
        assert_eq!((report.tickets, report.events), (1, 9));
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
        let reader = store::Access::system(domain::UserId(0), Role::Admin);
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

#[tokio::test]
async fn tickets_are_due_in_working_time_with_holidays() {
    use store::calendar::CalendarSettings;
    for db in each_backend().await {
        setup(&db).await;
        // Friday 2026-11-27 15:00 WIB.
        let friday = chrono::DateTime::parse_from_rfc3339("2026-11-27T15:00:00+07:00")
            .unwrap()
            .timestamp_millis();
        let mut web = new_ticket("Jalan rusak", Some("DISHUB"), None);
        web.received_at = friday;
        let mut sms = new_ticket("DISHUB lampu mati", Some("DISHUB"), None);
        sms.received_at = friday;
        sms.channel = domain::Channel::Sms;
        let due = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let admin = store::Access::system(domain::UserId(0), domain::Role::Admin);
        let created = db.create_ticket(&web).await.unwrap();
        let ticket = db.ticket(&admin, created.id).await.unwrap();
        assert_eq!(ticket.due_at, Some(due("2026-12-04T15:00:00+07:00")), "5wd");
        let created = db.create_ticket(&sms).await.unwrap();
        let ticket = db.ticket(&admin, created.id).await.unwrap();
        assert_eq!(ticket.due_at, Some(due("2026-11-30T09:30:00+07:00")), "3wh");

        let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            db.add_holidays(&[(monday, "Cuti bersama".into())])
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            db.add_holidays(&[(monday, "Cuti bersama (ralat)".into())])
                .await
                .unwrap(),
            0
        );
        let created = db.create_ticket(&sms).await.unwrap();
        let ticket = db.ticket(&admin, created.id).await.unwrap();
        assert_eq!(ticket.due_at, Some(due("2026-12-01T09:30:00+07:00")));

        let mut settings = db.calendar_settings().await.unwrap();
        settings.answer_within_sms = "3jam".into();
        let err = db.update_calendar_settings(&settings).await.unwrap_err();
        assert!(err.to_string().contains("answer_within_sms"), "{err}");
        let settings = CalendarSettings {
            working_week: "sen-sab 08:00-14:00".into(),
            answer_within_sms: "1wh".into(),
            ..db.calendar_settings().await.unwrap()
        };
        db.update_calendar_settings(&settings).await.unwrap();
        // Saturday works now: Friday 15:00 is after hours, so Saturday 08:00 + 1 h.
        let created = db.create_ticket(&sms).await.unwrap();
        let ticket = db.ticket(&admin, created.id).await.unwrap();
        assert_eq!(ticket.due_at, Some(due("2026-11-28T09:00:00+07:00")));
        db.delete_holiday(monday).await.unwrap();
        assert!(db.holidays().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn asking_stops_the_clock_and_a_passed_deadline_is_escalated_once() {
    for db in each_backend().await {
        let (dishub, _, secretariat) = setup(&db).await;
        db.create_user(&store::org::NewUser {
            username: "kadishub".into(),
            password: "rahasia-sekali".into(),
            full_name: "Kepala Dishub".into(),
            role: Role::HeadOfAgency.as_str().into(),
            agency_id: Some(dishub),
            email: Some("kadishub@contoh.go.id".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let mut new = new_ticket("Trotoar rusak", Some("DISHUB"), None);
        new.received_at = at("2026-11-27T15:00:00+07:00");
        let id = db.create_ticket(&new).await.unwrap().id;
        let due = |db: &Db| {
            let db = db.clone();
            let secretariat = secretariat.clone();
            async move { db.ticket(&secretariat, id).await.unwrap().due_at.unwrap() }
        };
        assert_eq!(due(&db).await, at("2026-12-04T15:00:00+07:00"));

        let ask = ActionInput::Ask {
            question: "Di jalan apa?".into(),
        };
        db.apply_action_at(&secretariat, id, &ask, at("2026-11-30T08:00:00+07:00"))
            .await
            .unwrap();
        let paused = db.ticket(&secretariat, id).await.unwrap();
        assert!(
            !paused.is_overdue(at("2026-12-09T10:00:00+07:00")),
            "paused"
        );

        // No reply: the clock restarts after the pause limit (5 working days), and the
        // deadline moves by those 2,220 working minutes.
        let base = "https://lapor.contoh.go.id";
        let report = db
            .sweep_deadlines(at("2026-12-09T10:00:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!((report.resumed, report.breached), (1, 0));
        assert_eq!(due(&db).await, at("2026-12-11T15:00:00+07:00"));

        let report = db
            .sweep_deadlines(at("2026-12-11T15:30:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!((report.breached, report.notified), (1, 1));
        let again = db
            .sweep_deadlines(at("2026-12-11T16:00:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(again.breached, 0, "once");
        let events = db.events(id).await.unwrap();
        assert_eq!(
            events.iter().filter(|e| e.kind == "sla_breached").count(),
            1
        );
        let escalation: Vec<_> = db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "escalation")
            .collect();
        assert_eq!(escalation.len(), 1);
        assert_eq!(escalation[0].recipient, "kadishub@contoh.go.id");
        assert!(
            escalation[0]
                .body
                .contains(&format!("{base}/staf/aduan/{id}"))
        );
        assert!(db.verify_chains().await.unwrap().broken.is_empty());

        // Two nodes sweeping at once escalate a ticket once.
        let mut late = new_ticket("Lampu mati", Some("DISHUB"), None);
        late.received_at = at("2026-11-02T09:00:00+07:00");
        let late = db.create_ticket(&late).await.unwrap().id;
        let now = at("2026-12-14T09:00:00+07:00");
        let (a, b) = tokio::join!(db.sweep_deadlines(now, base), db.sweep_deadlines(now, base));
        assert_eq!(a.unwrap().breached + b.unwrap().breached, 1);
        let events = db.events(late).await.unwrap();
        assert_eq!(
            events.iter().filter(|e| e.kind == "sla_breached").count(),
            1
        );
    }
}

#[tokio::test]
async fn digests_reach_each_official_once_on_their_channels() {
    for db in each_backend().await {
        let (dishub, dinkes, secretariat) = setup(&db).await;
        let user = |name: &str,
                    role: Role,
                    agency: Option<i64>,
                    email: Option<&str>,
                    phone: Option<&str>| {
            let db = db.clone();
            let user = store::org::NewUser {
                username: name.into(),
                password: "rahasia-sekali".into(),
                full_name: name.into(),
                role: role.as_str().into(),
                agency_id: agency,
                email: email.map(str::to_string),
                phone: phone.map(str::to_string),
                ..Default::default()
            };
            async move { db.create_user(&user).await.unwrap() }
        };
        let head = user(
            "kadishub",
            Role::HeadOfAgency,
            Some(dishub),
            Some("kadis@contoh.go.id"),
            Some("+6281100000001"),
        )
        .await;
        let liaison = user(
            "penghubung",
            Role::LiaisonOfficer,
            Some(dishub),
            None,
            Some("+6281100000002"),
        )
        .await;
        user(
            "kadinkes",
            Role::HeadOfAgency,
            Some(dinkes),
            Some("kadinkes@contoh.go.id"),
            None,
        )
        .await;
        // Quiet hours at night: this official's SMS waits; email-less, so nothing goes.
        let sleepy = user(
            "malam",
            Role::Staff,
            Some(dishub),
            None,
            Some("+6281100000003"),
        )
        .await;
        db.execute_raw(&format!(
            "UPDATE users SET quiet_hours = '21:00-06:00' WHERE id = {sleepy}"
        ))
        .await
        .unwrap();
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        for (i, category) in ["pengaduan", "pengaduan", "saran"].iter().enumerate() {
            let mut new = new_ticket(&format!("aduan {i}"), Some("DISHUB"), None);
            new.intake.category = category.to_string();
            new.received_at = at("2026-11-25T22:10:00+07:00") + i as i64 * 60_000;
            db.create_ticket(&new).await.unwrap();
        }
        let base = "https://lapor.contoh.go.id";
        // 23:05 WIB: the hour 22:00–23:00 had three new DISHUB tickets, none for DINKES.
        let now = at("2026-11-25T23:05:00+07:00");
        let (a, b) = tokio::join!(
            db.send_hourly_digests(now, base),
            db.send_hourly_digests(now, base)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.recipients + b.recipients,
            3,
            "head, liaison and the sleepy one, once"
        );
        assert_eq!(
            a.messages + b.messages,
            3,
            "head: email + SMS; liaison: SMS; sleepy: none"
        );
        let again = db.send_hourly_digests(now + 600_000, base).await.unwrap();
        assert_eq!(again.recipients, 0);
        let sms = db.messages_to("+6281100000001", 10).await.unwrap();
        assert_eq!(sms.len(), 1);
        assert!(
            sms[0].body.contains("3 aduan baru") && sms[0].body.contains("pengaduan 2, saran 1"),
            "{}",
            sms[0].body
        );
        assert!(
            db.messages_to("+6281100000003", 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            db.messages_to("kadinkes@contoh.go.id", 10)
                .await
                .unwrap()
                .is_empty(),
            "nothing new for DINKES"
        );
        // The next hour was empty: nothing at all.
        let quiet = db
            .send_hourly_digests(at("2026-11-26T00:05:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(quiet, store::notify::DigestReport::default());

        // Daily at 07:00 WIB: not before, once after.
        let early = db
            .send_daily_digests(at("2026-11-26T06:59:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(early.recipients, 0);
        let daily = db
            .send_daily_digests(at("2026-11-26T07:01:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(daily.recipients, 3);
        let again = db
            .send_daily_digests(at("2026-11-26T09:00:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(again.recipients, 0);
        let sms = db.messages_to("+6281100000002", 10).await.unwrap();
        assert!(
            sms[0]
                .body
                .contains("3 aduan Dinas Perhubungan belum dijawab"),
            "{}",
            sms[0].body
        );

        // Forwarding tells the receiving agency's liaison officers.
        let triage = db
            .create_ticket(&new_ticket("tanpa OPD", None, None))
            .await
            .unwrap();
        db.apply_action(
            &secretariat,
            triage.id,
            &ActionInput::Forward {
                agency_code: "DISHUB".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
        let to_liaison = db.messages_to("+6281100000002", 10).await.unwrap();
        assert!(
            to_liaison
                .iter()
                .any(|m| m.kind == "forwarded" && m.ticket_id == Some(triage.id))
        );
        let _ = (head, liaison);
    }
}

#[tokio::test]
async fn register_numbers_follow_the_region_year() {
    for db in each_backend().await {
        setup(&db).await;
        // 31 December 18:00 UTC is 1 January 01:00 WIB: the new year's register.
        let mut new = new_ticket("Kembang api di jalan", Some("DISHUB"), None);
        new.received_at = chrono::DateTime::parse_from_rfc3339("2026-12-31T18:00:00Z")
            .unwrap()
            .timestamp_millis();
        let created = db.create_ticket(&new).await.unwrap();
        assert_eq!(created.register_number, "DISHUB/2027/000001");
        new.received_at -= 2 * 3_600_000; // 23:00 WIB on 31 December
        let created = db.create_ticket(&new).await.unwrap();
        assert_eq!(created.register_number, "DISHUB/2026/000001");
    }
}
