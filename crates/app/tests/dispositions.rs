//! Dispositions and acting officials (Plt./Plh.), run on SQLite and on PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::{Channel, IntakeInput, Role, TrackingCode};
use store::delegations::NewDelegation;
use store::dispositions::{MineFilter, NewDisposition};
use store::tickets::{ActionInput, NewTicket};
use store::{Access, StoreError, now_ms};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

struct Org {
    dishub: i64,
    secretariat: Access,
    kadishub: Access,
    kabid: Access,
    staf: Access,
    penghubung: Access,
    sekdis: Access,
    kadinkes: Access,
    penghubung_dinkes: Access,
    admin: Access,
}

async fn user(
    db: &Db,
    username: &str,
    role: Role,
    agency: Option<i64>,
    position: Option<i64>,
    email: Option<&str>,
) -> i64 {
    db.create_user(&store::org::NewUser {
        username: username.into(),
        password: "rahasia-sekali".into(),
        full_name: format!("Pak {username}"),
        role: role.as_str().into(),
        agency_id: agency,
        position_id: position,
        email: email.map(str::to_string),
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn actor(db: &Db, id: i64) -> Access {
    db.access_for(&db.user(id).await.unwrap(), store::now_ms())
        .await
        .unwrap()
}

async fn setup(db: &Db) -> Org {
    let w = WorldBuilder::empty()
        .full_names(|username| format!("Pak {username}"))
        .agency("DISHUB", "Dinas Perhubungan")
        .agency("DINKES", "Dinas Kesehatan")
        .position("kadis", "DISHUB", "Kepala Dinas Perhubungan", None)
        .position(
            "kabid",
            "DISHUB",
            "Kepala Bidang Lalu Lintas",
            Some("kadis"),
        )
        .user("sekretariat", Role::Secretariat, None)
        .user("kadishub", Role::HeadOfAgency, Some("DISHUB"))
        .in_position("kadis")
        .email("kadishub@contoh.go.id")
        .user("kabid", Role::Staff, Some("DISHUB"))
        .in_position("kabid")
        .email("kabid@contoh.go.id")
        .user("staf", Role::Staff, Some("DISHUB"))
        .email("staf@contoh.go.id")
        .user("penghubung", Role::LiaisonOfficer, Some("DISHUB"))
        .user("sekdis", Role::Staff, Some("DISHUB"))
        .email("sekdis@contoh.go.id")
        .user("kadinkes", Role::HeadOfAgency, Some("DINKES"))
        .user("penghubung.dinkes", Role::LiaisonOfficer, Some("DINKES"))
        .user("admin", Role::Admin, None)
        .build(db)
        .await;
    Org {
        dishub: w.agency("DISHUB"),
        secretariat: w.access(db, "sekretariat").await,
        kadishub: w.access(db, "kadishub").await,
        kabid: w.access(db, "kabid").await,
        staf: w.access(db, "staf").await,
        penghubung: w.access(db, "penghubung").await,
        sekdis: w.access(db, "sekdis").await,
        kadinkes: w.access(db, "kadinkes").await,
        penghubung_dinkes: w.access(db, "penghubung.dinkes").await,
        admin: w.access(db, "admin").await,
    }
}

async fn ticket(db: &Db, agency: Option<&str>, received_at: i64) -> i64 {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some("Lampu lalu lintas di simpang mati".into()),
        agency_code: agency.map(str::to_string),
        reporter_email: Some("warga@contoh.id".into()),
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

fn to(recipients: &[&Access], instruction: &str) -> NewDisposition {
    NewDisposition {
        recipients: recipients.iter().map(|a| a.user().get()).collect(),
        instruction: instruction.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn head_disposes_recipients_sub_dispose_read_and_report() {
    for db in each_backend().await {
        let o = setup(&db).await;
        let id = ticket(&db, Some("DISHUB"), now_ms()).await;
        let before = now_ms();
        let made = db
            .dispose(
                &o.kadishub,
                id,
                &to(&[&o.kabid, &o.penghubung], "tindak_lanjuti"),
            )
            .await
            .unwrap();
        assert_eq!(made.len(), 2);
        assert!(
            made.iter()
                .all(|d| d.parent_id.is_none() && d.acting_as.is_none())
        );
        assert_eq!(made[0].instruction_label, "Tindak lanjuti");
        // Default due: the instruction's 2 working days on the region calendar.
        let calendar = db.deadlines().await.unwrap().calendar;
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap();
        let low = calendar
            .checked_add(at(before), "2wd".parse().unwrap())
            .unwrap();
        let high = calendar
            .checked_add(at(now_ms()), "2wd".parse().unwrap())
            .unwrap();
        assert!(
            made[0].due_at >= low.timestamp_millis() && made[0].due_at <= high.timestamp_millis()
        );

        // The recipients are told, like a forwarded ticket.
        let notices: Vec<_> = db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "disposed")
            .collect();
        assert_eq!(notices.len(), 1, "only kabid has an address");
        assert_eq!(notices[0].recipient, "kabid@contoh.go.id");
        assert!(notices[0].body.contains("Tindak lanjuti"));

        // The kabid disposes further below; the tree hangs from their disposition.
        let kabid_disp = made
            .iter()
            .find(|d| d.recipient_id == o.kabid.user().get())
            .unwrap();
        let due = now_ms() + 3 * DAY;
        let sub = db
            .dispose(
                &o.kabid,
                id,
                &NewDisposition {
                    recipients: vec![o.staf.user().get()],
                    instruction: "siapkan_jawaban".into(),
                    note: "Cek ke lapangan besok pagi".into(),
                    due_at: Some(due),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(sub[0].parent_id, Some(kabid_disp.id));
        assert_eq!(sub[0].due_at, due);
        let tree = db.ticket_dispositions(&o.secretariat, id).await.unwrap();
        assert_eq!(tree.len(), 3);
        assert_eq!(tree[2].parent_id, Some(kabid_disp.id));

        // Timeline: two public "disposed" events without names or instructions.
        let events = db.events(id).await.unwrap();
        let disposed: Vec<_> = events.iter().filter(|e| e.kind == "disposed").collect();
        assert_eq!(disposed.len(), 2);
        assert!(disposed.iter().all(|e| e.public && e.body.is_empty()));
        let code: String = db.ticket(&o.secretariat, id).await.unwrap().tracking_code;
        let public = db
            .track(&TrackingCode::parse(&code).unwrap())
            .await
            .unwrap();
        let json = serde_json::to_string(&public).unwrap();
        assert!(json.contains("Didisposisikan"), "{json}");
        for secret in [
            "Pak kabid",
            "Pak staf",
            "Tindak lanjuti",
            "Cek ke lapangan",
            "Siapkan",
        ] {
            assert!(
                !json.contains(secret),
                "public timeline shows {secret}: {json}"
            );
        }

        // "Disposisi saya": read, then report back.
        let mine = db
            .my_dispositions(&o.staf, MineFilter::Unread, None, 20)
            .await
            .unwrap();
        assert_eq!(mine.items.len(), 1);
        let read = db
            .read_disposition(&o.staf, mine.items[0].id)
            .await
            .unwrap();
        assert!(read.read_at.is_some() && read.reported_at.is_none());
        assert!(
            db.my_dispositions(&o.staf, MineFilter::Unread, None, 20)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let empty = db.report_disposition(&o.staf, read.id, "  ").await;
        assert!(matches!(empty, Err(ref e) if e.is_invalid()), "{empty:?}");
        let reported = db
            .report_disposition(&o.staf, read.id, "Lampu sudah diperbaiki tim")
            .await
            .unwrap();
        assert_eq!(
            reported.report.as_deref(),
            Some("Lampu sudah diperbaiki tim")
        );
        assert!(matches!(
            db.report_disposition(&o.staf, read.id, "lagi").await,
            Err(ref e) if e.is_conflict()
        ));
        // The kabid, who sent it, hears of the report.
        let heard: Vec<_> = db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "disposition_report")
            .collect();
        assert_eq!(heard.len(), 1);
        assert_eq!(heard[0].recipient, "kabid@contoh.go.id");
        assert!(heard[0].body.contains("Lampu sudah diperbaiki tim"));
        let events = db.events(id).await.unwrap();
        let report = events
            .iter()
            .find(|e| e.kind == "disposition_reported")
            .unwrap();
        assert!(!report.public);
        assert_eq!(report.body, "Lampu sudah diperbaiki tim");
        assert_eq!(
            db.my_dispositions(&o.staf, MineFilter::Reported, None, 20)
                .await
                .unwrap()
                .items
                .len(),
            1
        );

        // Pagination: newest first, one per page.
        db.dispose(&o.kadishub, id, &to(&[&o.penghubung], "koordinasikan"))
            .await
            .unwrap();
        let first = db
            .my_dispositions(&o.penghubung, MineFilter::All, None, 1)
            .await
            .unwrap();
        assert_eq!(first.items[0].instruction, "koordinasikan");
        let cursor = first.next_cursor.expect("a second page");
        let second = db
            .my_dispositions(&o.penghubung, MineFilter::All, Some(cursor), 1)
            .await
            .unwrap();
        assert_eq!(second.items[0].instruction, "tindak_lanjuti");
        assert!(second.next_cursor.is_none());
        assert!(db.verify_chains().await.unwrap().broken.is_empty());
    }
}

#[tokio::test]
async fn only_the_head_or_a_holder_disposes_within_the_agency() {
    for db in each_backend().await {
        let o = setup(&db).await;
        let id = ticket(&db, Some("DISHUB"), now_ms()).await;
        let refused = |r: Result<Vec<store::dispositions::Disposition>, StoreError>| match r {
            Err(e) => e,
            Ok(made) => panic!("accepted: {made:?}"),
        };
        // A liaison officer holding no disposition may not; nor may anyone of another agency.
        let e = refused(
            db.dispose(&o.penghubung, id, &to(&[&o.staf], "pelajari"))
                .await,
        );
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        let e = refused(
            db.dispose(&o.kadinkes, id, &to(&[&o.staf], "pelajari"))
                .await,
        );
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        let e = refused(
            db.dispose(&o.penghubung_dinkes, id, &to(&[&o.staf], "pelajari"))
                .await,
        );
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        // The secretariat sees the ticket but does not head the agency.
        let e = refused(
            db.dispose(&o.secretariat, id, &to(&[&o.staf], "pelajari"))
                .await,
        );
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        // Recipients come from the ticket's agency, and are not the sender.
        let e = refused(
            db.dispose(&o.kadishub, id, &to(&[&o.penghubung_dinkes], "pelajari"))
                .await,
        );
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.starts_with("recipients:")),
            "{e:?}"
        );
        let e = refused(
            db.dispose(&o.kadishub, id, &to(&[&o.kadishub], "pelajari"))
                .await,
        );
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.starts_with("recipients:")),
            "{e:?}"
        );
        let e = refused(
            db.dispose(&o.kadishub, id, &to(&[&o.staf], "terbang"))
                .await,
        );
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.starts_with("instruction:")),
            "{e:?}"
        );
        let e = refused(
            db.dispose(&o.kadishub, id, &to(&[&o.staf], "lainnya"))
                .await,
        );
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.starts_with("note:")),
            "{e:?}"
        );
        let mut past = to(&[&o.staf], "pelajari");
        past.due_at = Some(now_ms() - HOUR);
        let e = refused(db.dispose(&o.kadishub, id, &past).await);
        assert!(
            matches!(&e, StoreError::Invalid(m) if m.starts_with("due_at:")),
            "{e:?}"
        );
        // Positions resolve to their holders.
        let positions = db.positions().await.unwrap();
        let kabid_position = positions
            .iter()
            .find(|p| p.name.starts_with("Kepala Bidang"))
            .unwrap();
        let made = db
            .dispose(
                &o.kadishub,
                id,
                &NewDisposition {
                    positions: vec![kabid_position.id],
                    instruction: "pelajari".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].recipient_id, o.kabid.user().get());
        // Only the recipient reads and reports; other agencies do not even see it.
        let d = made[0].id;
        assert!(matches!(
            db.read_disposition(&o.staf, d).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            db.report_disposition(&o.penghubung_dinkes, d, "x").await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.ticket_dispositions(&o.penghubung_dinkes, id).await,
            Err(StoreError::NotFound)
        ));
        // The holder of a disposition may now dispose below it; a stranger's parent is refused.
        let mut with_parent = to(&[&o.staf], "pelajari");
        with_parent.parent_id = Some(d);
        let e = refused(db.dispose(&o.penghubung, id, &with_parent).await);
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        db.dispose(&o.kabid, id, &with_parent).await.unwrap();
        // Triage tickets and finished tickets are not disposed.
        let triage = ticket(&db, None, now_ms()).await;
        let e = refused(
            db.dispose(&o.secretariat, triage, &to(&[&o.staf], "pelajari"))
                .await,
        );
        assert!(e.is_invalid(), "{e:?}");
        db.apply_action(
            &o.kadishub,
            id,
            &ActionInput::Close {
                note: String::new(),
            },
        )
        .await
        .unwrap();
        let e = refused(
            db.dispose(&o.kadishub, id, &to(&[&o.staf], "pelajari"))
                .await,
        );
        assert!(e.is_conflict(), "{e:?}");
        assert!(
            db.dispose_authority(&o.kadishub, id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn acting_official_holds_the_position_during_the_window_only() {
    for db in each_backend().await {
        let o = setup(&db).await;
        let id = ticket(&db, Some("DISHUB"), now_ms()).await;
        let dinkes_ticket = ticket(&db, Some("DINKES"), now_ms()).await;
        let now = now_ms();
        let plh = |delegator: &Access, delegate: &Access, kind: &str, from: i64, until: i64| {
            NewDelegation {
                delegator_id: delegator.user().get(),
                delegate_id: delegate.user().get(),
                kind: kind.into(),
                starts_at: from,
                ends_at: until,
                note: String::new(),
                basis: String::new(),
            }
        };
        // Validation, with the field named.
        let invalid = |r: store::Result<i64>, field: &str| match r {
            Err(StoreError::Invalid(m)) => assert!(m.starts_with(field), "{m}"),
            other => panic!("expected {field}: {other:?}"),
        };
        invalid(
            db.create_delegation(
                &o.kadishub,
                &plh(&o.kadishub, &o.sekdis, "plh", now + DAY, now),
            )
            .await,
            "ends_at:",
        );
        invalid(
            db.create_delegation(
                &o.kadishub,
                &plh(&o.kadishub, &o.kadishub, "plh", now, now + DAY),
            )
            .await,
            "delegate_id:",
        );
        invalid(
            db.create_delegation(
                &o.kadishub,
                &plh(&o.kadishub, &o.sekdis, "wakil", now, now + DAY),
            )
            .await,
            "kind:",
        );
        assert!(matches!(
            db.create_delegation(&o.staf, &plh(&o.kadishub, &o.sekdis, "plh", now, now + DAY))
                .await,
            Err(StoreError::Forbidden)
        ));

        // Not started yet: the delegate has no authority.
        let future = db
            .create_delegation(
                &o.kadishub,
                &plh(&o.kadishub, &o.sekdis, "plh", now + HOUR, now + DAY),
            )
            .await
            .unwrap();
        invalid(
            db.create_delegation(
                &o.admin,
                &plh(&o.kadishub, &o.staf, "plh", now + 2 * HOUR, now + 2 * DAY),
            )
            .await,
            "starts_at:",
        );
        let sekdis = actor(&db, o.sekdis.user().get()).await;
        assert!(matches!(
            db.dispose(&sekdis, id, &to(&[&o.staf], "pelajari")).await,
            Err(StoreError::Forbidden)
        ));
        // Cancelled before it runs; a new one from now on (recorded by the admin) runs.
        db.end_delegation(&o.kadishub, future, now_ms())
            .await
            .unwrap();
        db.create_delegation(
            &o.admin,
            &plh(&o.kadishub, &o.sekdis, "plh", now - HOUR, now + DAY),
        )
        .await
        .unwrap();
        let sekdis = actor(&db, o.sekdis.user().get()).await;
        let made = db
            .dispose(&sekdis, id, &to(&[&o.staf], "pelajari"))
            .await
            .unwrap();
        assert_eq!(
            made[0].acting_as.as_deref(),
            Some("Plh. Kepala Dinas Perhubungan")
        );
        assert_eq!(made[0].on_behalf_of, Some(o.kadishub.user().get()));
        // A ticket past its deadline is escalated to the head and to their Plh.
        let late = ticket(&db, Some("DISHUB"), now - 30 * DAY).await;
        let swept = db
            .sweep_deadlines(now_ms(), "https://balai.contoh.go.id")
            .await
            .unwrap();
        assert_eq!(swept.breached, 1);
        let mut told: Vec<String> = db
            .ticket_messages(late)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "escalation")
            .map(|m| m.recipient)
            .collect();
        told.sort();
        assert_eq!(told, ["kadishub@contoh.go.id", "sekdis@contoh.go.id"]);
        let event = db
            .events(id)
            .await
            .unwrap()
            .into_iter()
            .rfind(|e| e.kind == "disposed")
            .unwrap();
        assert_eq!(event.actor_id, Some(o.sekdis.user().get()));
        assert!(event.payload.contains("Plh. Kepala Dinas Perhubungan"));

        // Dispositions to the official reach the acting official: notice, list, report.
        let to_head = db
            .dispose(&o.kadishub, id, &to(&[&o.kabid], "untuk_diketahui"))
            .await
            .unwrap();
        let kabid_plh = db
            .create_delegation(
                &o.kabid,
                &plh(&o.kabid, &o.penghubung, "plh", now - HOUR, now + DAY),
            )
            .await
            .unwrap();
        let again = db
            .dispose(&o.kadishub, id, &to(&[&o.kabid], "tindak_lanjuti"))
            .await
            .unwrap();
        let penghubung = actor(&db, o.penghubung.user().get()).await;
        let mine = db
            .my_dispositions(&penghubung, MineFilter::Open, None, 20)
            .await
            .unwrap();
        let ids: Vec<i64> = mine.items.iter().map(|d| d.id).collect();
        assert!(
            ids.contains(&to_head[0].id) && ids.contains(&again[0].id),
            "{ids:?}"
        );
        let reported = db
            .report_disposition(&penghubung, again[0].id, "Sudah dikoordinasikan")
            .await
            .unwrap();
        assert_eq!(reported.reported_by, Some(o.penghubung.user().get()));
        assert_eq!(
            reported.report_acting_as.as_deref(),
            Some("Plh. Kepala Bidang Lalu Lintas")
        );
        // Not someone else's: the staff member stands in for nobody.
        assert!(matches!(
            db.report_disposition(&o.staf, to_head[0].id, "x").await,
            Err(StoreError::Forbidden)
        ));

        // Plt. of another agency's head: the inbox widens, actions there are recorded as Plt.
        assert!(matches!(
            db.ticket(&sekdis, dinkes_ticket).await,
            Err(StoreError::NotFound)
        ));
        db.create_delegation(
            &o.kadinkes,
            &plh(&o.kadinkes, &o.sekdis, "plt", now - HOUR, now + DAY),
        )
        .await
        .unwrap();
        let sekdis = actor(&db, o.sekdis.user().get()).await;
        db.ticket(&sekdis, dinkes_ticket).await.unwrap();
        db.apply_action(
            &sekdis,
            dinkes_ticket,
            &ActionInput::Note {
                body: "Sudah saya cek".into(),
            },
        )
        .await
        .unwrap();
        let note = db
            .events(dinkes_ticket)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.kind == "note")
            .unwrap();
        assert!(
            note.payload.contains("Plt. Kepala OPD Dinas Kesehatan"),
            "{}",
            note.payload
        );
        // Own agency's tickets stay in their own name.
        db.apply_action(
            &sekdis,
            id,
            &ActionInput::Note {
                body: "Catatan sendiri".into(),
            },
        )
        .await
        .unwrap();
        let own = db
            .events(id)
            .await
            .unwrap()
            .into_iter()
            .rfind(|e| e.kind == "note")
            .unwrap();
        assert!(!own.payload.contains("acting_as"), "{}", own.payload);

        // Ended early: the window closes now.
        let active = db
            .acting_delegations(o.sekdis.user().get(), now_ms())
            .await
            .unwrap();
        assert_eq!(active.len(), 2);
        for d in &active {
            db.end_delegation(&o.sekdis, d.id, now_ms()).await.unwrap();
        }
        assert!(matches!(
            db.end_delegation(&o.sekdis, active[0].id, now_ms()).await,
            Err(ref e) if e.is_conflict()
        ));
        db.end_delegation(&o.admin, kabid_plh, now_ms())
            .await
            .unwrap();
        let sekdis = actor(&db, o.sekdis.user().get()).await;
        assert!(matches!(
            db.ticket(&sekdis, dinkes_ticket).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            db.dispose(&sekdis, id, &to(&[&o.staf], "pelajari")).await,
            Err(StoreError::Forbidden)
        ));
        let penghubung = actor(&db, o.penghubung.user().get()).await;
        assert!(
            !db.my_dispositions(&penghubung, MineFilter::All, None, 20)
                .await
                .unwrap()
                .items
                .iter()
                .any(|d| d.recipient_id == o.kabid.user().get())
        );
        let listed = db.delegations(Some(o.kadishub.user().get())).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|d| !d.is_active(now_ms())));
        let _ = o.dishub;
        assert!(db.verify_chains().await.unwrap().broken.is_empty());
    }
}

#[tokio::test]
async fn an_overdue_disposition_is_escalated_once_to_its_sender() {
    for db in each_backend().await {
        let o = setup(&db).await;
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let id = ticket(&db, Some("DISHUB"), at("2026-11-30T08:00:00+07:00")).await;
        let made = db
            .dispose_at(
                &o.kadishub,
                id,
                &to(&[&o.kabid, &o.staf], "pelajari"),
                at("2026-11-30T09:00:00+07:00"),
            )
            .await
            .unwrap();
        // Two working days on the default calendar.
        assert_eq!(made[0].due_at, at("2026-12-02T09:00:00+07:00"));
        // One reports in time; the other does not.
        db.report_disposition_at(
            &o.staf,
            made[1].id,
            "Sudah",
            at("2026-12-01T10:00:00+07:00"),
        )
        .await
        .unwrap();
        let base = "https://lapor.contoh.go.id";
        let early = db
            .sweep_deadlines(at("2026-12-02T08:59:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(early.dispositions_overdue, 0);
        let now = at("2026-12-02T09:30:00+07:00");
        let (a, b) = tokio::join!(db.sweep_deadlines(now, base), db.sweep_deadlines(now, base));
        assert_eq!(
            a.unwrap().dispositions_overdue + b.unwrap().dispositions_overdue,
            1
        );
        let again = db
            .sweep_deadlines(at("2026-12-03T09:30:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(again.dispositions_overdue, 0, "once");
        let events = db.events(id).await.unwrap();
        let overdue: Vec<_> = events
            .iter()
            .filter(|e| e.kind == "disposition_overdue")
            .collect();
        assert_eq!(overdue.len(), 1);
        assert!(!overdue[0].public);
        let escalations: Vec<_> = db
            .ticket_messages(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == "escalation" && m.body.contains("Disposisi"))
            .collect();
        assert_eq!(escalations.len(), 1);
        assert_eq!(escalations[0].recipient, "kadishub@contoh.go.id");
        assert!(escalations[0].body.contains("Pak kabid"));
        assert!(
            escalations[0]
                .body
                .contains(&format!("{base}/staf/aduan/{id}"))
        );
        let tree = db.ticket_dispositions(&o.kadishub, id).await.unwrap();
        assert!(tree[0].escalated_at.is_some() && tree[1].escalated_at.is_none());
        assert!(db.verify_chains().await.unwrap().broken.is_empty());
    }
}

#[tokio::test]
async fn the_hourly_digest_counts_new_dispositions() {
    for db in each_backend().await {
        let o = setup(&db).await;
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let id = ticket(&db, Some("DISHUB"), at("2026-11-30T06:00:00+07:00")).await;
        db.dispose_at(
            &o.kadishub,
            id,
            &to(&[&o.kabid, &o.staf], "pelajari"),
            at("2026-11-30T09:10:00+07:00"),
        )
        .await
        .unwrap();
        db.dispose_at(
            &o.kadishub,
            id,
            &to(&[&o.kabid], "koordinasikan"),
            at("2026-11-30T09:20:00+07:00"),
        )
        .await
        .unwrap();
        let base = "https://balai.contoh.go.id";
        let report = db
            .send_hourly_digests(at("2026-11-30T10:05:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(report.recipients, 2, "{report:?}");
        let again = db
            .send_hourly_digests(at("2026-11-30T10:40:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(again.recipients, 0, "once per hour");
        let digest = |to: &'static str| {
            let db = db.clone();
            async move {
                db.messages_to(to, 20)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|m| m.kind == "digest_hourly")
                    .map(|m| m.body)
                    .unwrap_or_else(|| panic!("no digest to {to}"))
            }
        };
        let kabid = digest("kabid@contoh.go.id").await;
        assert!(kabid.contains("2 disposisi baru"), "{kabid}");
        assert!(kabid.contains(&format!("{base}/staf/disposisi")), "{kabid}");
        let staf = digest("staf@contoh.go.id").await;
        assert!(staf.contains("1 disposisi baru"), "{staf}");

        // An operator has no inbox digest, but hears of dispositions to them.
        let operator = user(
            &db,
            "operator",
            Role::Operator,
            Some(o.dishub),
            None,
            Some("operator@contoh.go.id"),
        )
        .await;
        let operator = actor(&db, operator).await;
        db.dispose_at(
            &o.kadishub,
            id,
            &to(&[&operator], "untuk_diketahui"),
            at("2026-11-30T10:10:00+07:00"),
        )
        .await
        .unwrap();
        let report = db
            .send_hourly_digests(at("2026-11-30T11:05:00+07:00"), base)
            .await
            .unwrap();
        assert_eq!(report.recipients, 1, "{report:?}");
        let to_operator = digest("operator@contoh.go.id").await;
        assert!(to_operator.contains("1 disposisi baru"), "{to_operator}");
    }
}

#[tokio::test]
async fn an_acting_official_gets_the_digest_of_the_inbox_they_stand_in_for() {
    for db in each_backend().await {
        let o = setup(&db).await;
        // A future hour, whatever the clock says now.
        let hour = (now_ms() / HOUR + 2) * HOUR;
        ticket(&db, Some("DINKES"), hour + 10 * 60_000).await;
        let now = now_ms();
        db.create_delegation(
            &o.admin,
            &NewDelegation {
                delegator_id: o.kadinkes.user().get(),
                delegate_id: o.sekdis.user().get(),
                kind: "plt".into(),
                starts_at: now,
                ends_at: now + 2 * DAY,
                note: String::new(),
                basis: String::new(),
            },
        )
        .await
        .unwrap();
        let report = db
            .send_hourly_digests(hour + HOUR + 5 * 60_000, "https://balai.contoh.go.id")
            .await
            .unwrap();
        assert_eq!(report.recipients, 1, "{report:?}");
        let sent = db.messages_to("sekdis@contoh.go.id", 10).await.unwrap();
        let digest = sent.iter().find(|m| m.kind == "digest_hourly").unwrap();
        assert!(digest.body.contains("Dinas Kesehatan"), "{}", digest.body);

        // An hour with news in both inboxes: one digest names both, their own first.
        ticket(&db, Some("DINKES"), hour + HOUR + 10 * 60_000).await;
        ticket(&db, Some("DISHUB"), hour + HOUR + 20 * 60_000).await;
        db.send_hourly_digests(hour + 2 * HOUR + 5 * 60_000, "https://balai.contoh.go.id")
            .await
            .unwrap();
        let sent = db.messages_to("sekdis@contoh.go.id", 10).await.unwrap();
        let digests: Vec<_> = sent.iter().filter(|m| m.kind == "digest_hourly").collect();
        assert_eq!(digests.len(), 2, "one per hour");
        let both = digests
            .iter()
            .find(|m| m.body.contains("Dinas Perhubungan"))
            .unwrap_or_else(|| panic!("{digests:?}"));
        assert!(
            both.body.contains("Juga 1 aduan baru di Dinas Kesehatan"),
            "{}",
            both.body
        );

        // The daily digest, too: sekdis hears of both inboxes' unanswered tickets.
        // Noon WIB of the next day, inside the delegation.
        let next = hour + 2 * HOUR + DAY;
        let noon = next - (next + 7 * HOUR).rem_euclid(DAY) + 12 * HOUR;
        db.send_daily_digests(noon, "https://balai.contoh.go.id")
            .await
            .unwrap();
        let sent = db.messages_to("sekdis@contoh.go.id", 10).await.unwrap();
        let daily = sent
            .iter()
            .find(|m| m.kind == "digest_daily")
            .unwrap_or_else(|| panic!("{sent:?}"));
        assert!(daily.body.contains("Dinas Perhubungan"), "{}", daily.body);
        assert!(daily.body.contains("Dinas Kesehatan"), "{}", daily.body);
    }
}

/// Dispositions go down (seed 003): along the position tree where both hold positions, by role
/// where one does not; never up to the head. The form offers only who may receive.
#[tokio::test]
async fn dispositions_go_only_below_the_sender() {
    for db in each_backend().await {
        let o = setup(&db).await;
        let id = ticket(&db, Some("DISHUB"), now_ms()).await;
        // A recipient who is not below the sender is a typed refusal that names them.
        let invalid = |r: Result<Vec<store::dispositions::Disposition>, StoreError>,
                       field: &str| match r {
            Err(StoreError::Refused(domain::Refusal::NotBelowSender(name))) => {
                assert!(field.starts_with("recipients"), "{field}");
                assert!(!name.is_empty());
            }
            Err(StoreError::Invalid(m)) => assert!(m.starts_with(field), "{m}"),
            other => panic!("expected {field} refused: {other:?}"),
        };
        let positions = db.positions().await.unwrap();
        let position = |prefix: &str| {
            positions
                .iter()
                .find(|p| p.name.starts_with(prefix))
                .unwrap()
                .id
        };
        let (head_position, kabid_position) = (position("Kepala Dinas"), position("Kepala Bidang"));

        // The head reaches everyone of the agency and every position below the top.
        let choices = db
            .disposition_choices(&o.kadishub, id)
            .await
            .unwrap()
            .unwrap();
        let mut offered: Vec<i64> = choices.users.iter().map(|(u, _)| *u).collect();
        offered.sort_unstable();
        let mut expected = vec![
            o.kabid.user().get(),
            o.staf.user().get(),
            o.penghubung.user().get(),
            o.sekdis.user().get(),
        ];
        expected.sort_unstable();
        assert_eq!(offered, expected);
        assert_eq!(
            choices
                .positions
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>(),
            [kabid_position]
        );
        invalid(
            db.dispose(
                &o.kadishub,
                id,
                &NewDisposition {
                    positions: vec![head_position],
                    instruction: "pelajari".into(),
                    ..Default::default()
                },
            )
            .await,
            "positions:",
        );
        db.dispose(&o.kadishub, id, &to(&[&o.kabid, &o.penghubung], "pelajari"))
            .await
            .unwrap();

        // The kabid (a position under the head) reaches staff without a position, not the
        // liaison officer (a higher role) nor the head.
        let choices = db.disposition_choices(&o.kabid, id).await.unwrap().unwrap();
        let mut offered: Vec<i64> = choices.users.iter().map(|(u, _)| *u).collect();
        offered.sort_unstable();
        let mut expected = vec![o.staf.user().get(), o.sekdis.user().get()];
        expected.sort_unstable();
        assert_eq!(offered, expected);
        assert!(choices.positions.is_empty());
        invalid(
            db.dispose(&o.kabid, id, &to(&[&o.penghubung], "pelajari"))
                .await,
            "recipients:",
        );
        invalid(
            db.dispose(&o.kabid, id, &to(&[&o.kadishub], "pelajari"))
                .await,
            "recipients:",
        );

        // The liaison officer (no position) reaches staff, not the kabid's position or holder.
        invalid(
            db.dispose(&o.penghubung, id, &to(&[&o.kabid], "pelajari"))
                .await,
            "recipients:",
        );
        invalid(
            db.dispose(
                &o.penghubung,
                id,
                &NewDisposition {
                    positions: vec![kabid_position],
                    instruction: "pelajari".into(),
                    ..Default::default()
                },
            )
            .await,
            "positions:",
        );
        db.dispose(&o.penghubung, id, &to(&[&o.staf], "pelajari"))
            .await
            .unwrap();

        // Staff without a position have nobody below them: no form to fill, no disposition.
        let choices = db.disposition_choices(&o.staf, id).await.unwrap().unwrap();
        assert!(choices.users.is_empty() && choices.positions.is_empty());
        invalid(
            db.dispose(&o.staf, id, &to(&[&o.sekdis], "pelajari")).await,
            "recipients:",
        );
        // Someone without authority on the ticket gets no choices at all.
        assert!(
            db.disposition_choices(&o.sekdis, id)
                .await
                .unwrap()
                .is_none()
        );
    }
}
