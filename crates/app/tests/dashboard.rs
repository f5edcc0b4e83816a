//! Dashboard numbers on SQLite and PostgreSQL.

use app::App as Db;
use app::testing::each_backend;
use domain::{Channel, IntakeInput, Role};
use store::Access;
use store::tickets::{ActionInput, NewTicket};

fn at(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp_millis()
}

fn ticket(agency: Option<&str>, channel: Channel, received: &str, located: bool) -> NewTicket {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some("Lampu jalan mati".into()),
        agency_code: agency.map(str::to_string),
        reporter_email: Some("warga@contoh.id".into()),
        lat: located.then_some(-6.2),
        long: located.then_some(106.8),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    NewTicket {
        intake,
        channel,
        idempotency_key: None,
        received_at: at(received),
    }
}

async fn user(db: &Db, username: &str, role: Role, agency: Option<i64>) -> Access {
    let id = db
        .create_user(&store::org::NewUser {
            username: username.into(),
            password: "rahasia-sekali".into(),
            full_name: username.into(),
            role: role.as_str().into(),
            agency_id: agency,
            ..Default::default()
        })
        .await
        .unwrap();
    db.access_for(&db.user(id).await.unwrap(), store::now_ms())
        .await
        .unwrap()
}

#[tokio::test]
async fn dashboard_counts_per_day_agency_channel_and_overdue_within_scope() {
    for db in each_backend().await {
        let mut agencies = Vec::new();
        for (code, name) in [
            ("DISHUB", "Dinas Perhubungan"),
            ("DINKES", "Dinas Kesehatan"),
        ] {
            agencies.push(
                db.create_agency(&store::org::NewAgency {
                    code: code.into(),
                    name: name.into(),
                    kind: "agency".into(),
                    ..Default::default()
                })
                .await
                .unwrap(),
            );
        }
        let region = user(&db, "sekretariat", Role::Secretariat, None).await;
        // The shipped SMS Center workflow (one step, no approval) becomes the region default.
        let sop = db
            .workflow_templates()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.name == "SMS Center")
            .unwrap();
        db.update_workflow_template(
            sop.id,
            &store::workflow::TemplateInput {
                name: sop.name.clone(),
                is_default: true,
                steps: sop.steps.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let liaison = user(&db, "penghubung", Role::LiaisonOfficer, Some(agencies[0])).await;

        // Monday 2026-11-02 … : DISHUB gets three (one answered on time, one located, one by
        // SMS), DINKES one, triage one; one DISHUB ticket is from before the period.
        let a = db
            .create_ticket(&ticket(
                Some("DISHUB"),
                Channel::Web,
                "2026-11-02T09:00:00+07:00",
                true,
            ))
            .await
            .unwrap()
            .id;
        db.create_ticket(&ticket(
            Some("DISHUB"),
            Channel::Sms,
            "2026-11-02T23:30:00+07:00",
            false,
        ))
        .await
        .unwrap();
        db.create_ticket(&ticket(
            Some("DISHUB"),
            Channel::Web,
            "2026-11-04T10:00:00+07:00",
            false,
        ))
        .await
        .unwrap();
        db.create_ticket(&ticket(
            Some("DINKES"),
            Channel::Web,
            "2026-11-03T10:00:00+07:00",
            true,
        ))
        .await
        .unwrap();
        db.create_ticket(&ticket(
            None,
            Channel::Web,
            "2026-11-03T11:00:00+07:00",
            false,
        ))
        .await
        .unwrap();
        db.create_ticket(&ticket(
            Some("DISHUB"),
            Channel::Web,
            "2026-10-01T10:00:00+07:00",
            false,
        ))
        .await
        .unwrap();
        db.apply_action_at(
            &region,
            a,
            &ActionInput::Answer {
                body: "Sudah diperbaiki.".into(),
            },
            at("2026-11-03T09:00:00+07:00"),
        )
        .await
        .unwrap();

        let from = at("2026-11-01T00:00:00+07:00");
        let to = at("2026-11-08T00:00:00+07:00");
        let now = at("2026-12-20T09:00:00+07:00");
        let board = db.dashboard(&region, from, to, now).await.unwrap();
        let days: Vec<i64> = board.per_day.iter().map(|d| d.count).collect();
        // 23:30 WIB on the 2nd is the 2nd locally, not the 3rd.
        assert_eq!(days, vec![0, 2, 2, 1, 0, 0, 0]);
        assert_eq!(board.per_day[0].date.to_string(), "2026-11-01");
        assert_eq!(board.totals.received, 5);
        assert_eq!(board.totals.answered, 1);
        assert_eq!(board.totals.answered_on_time, 1);
        let dishub = board.agencies.iter().find(|r| r.code == "DISHUB").unwrap();
        assert_eq!((dishub.received, dishub.answered), (3, 1));
        // Open now: two of the period and the October one; all past their deadline by now.
        assert_eq!((dishub.open, dishub.overdue), (3, 3));
        assert_eq!(dishub.on_time_percent(), Some(100.0));
        assert!(
            board.agencies.iter().any(|r| r.agency_id.is_none()),
            "triage row"
        );
        assert_eq!(board.agencies[0].code, "DISHUB", "most overdue first");
        assert_eq!(board.channels[0], ("web".to_string(), 4));
        assert_eq!(board.located.len(), 2);
        assert_eq!(board.overdue.len(), 5);
        assert!(board.overdue.windows(2).all(|w| w[0].due_at <= w[1].due_at));
        // Every open ticket follows the region's default workflow and is late on its current step.
        let by_step: i64 = board.overdue_by_step.iter().map(|s| s.overdue).sum();
        assert_eq!(by_step, 5, "{:?}", board.overdue_by_step);
        assert!(
            board
                .overdue_by_step
                .iter()
                .all(|s| !s.step_name.is_empty())
        );

        // The liaison officer sees their agency only.
        let own = db.dashboard(&liaison, from, to, now).await.unwrap();
        assert_eq!(own.totals.received, 3);
        assert_eq!(own.agencies.len(), 1);
        assert_eq!(own.located.len(), 1);
        assert!(
            own.overdue
                .iter()
                .all(|t| t.agency_name.as_deref() == Some("Dinas Perhubungan"))
        );
        assert_eq!(own.overdue.len(), 3);
        let own_by_step: i64 = own.overdue_by_step.iter().map(|s| s.overdue).sum();
        assert_eq!(own_by_step, 3);
    }
}
