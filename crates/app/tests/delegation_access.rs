//! A Plt./Plh. never widens access: the delegate has exactly the delegator's capabilities in the
//! delegator's inbox, only the official, their agency's operator or the admin records it, and it
//! holds while the position is vacant. Run on SQLite and on PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::{AgencyId, Capability, Channel, IntakeInput, Role};
use store::delegations::NewDelegation;
use store::tickets::{ActionInput, NewTicket};
use store::{Access, StoreError, now_ms};

const DAY: i64 = 86_400_000;

struct World {
    dishub: i64,
    dinkes: i64,
    world: app::testing::World,
}

impl World {
    fn id(&self, name: &str) -> i64 {
        self.world.user(name)
    }
}

async fn access(db: &Db, id: i64) -> Access {
    db.access_for(&db.user(id).await.unwrap(), now_ms())
        .await
        .unwrap()
}

async fn world(db: &Db) -> World {
    let world = WorldBuilder::empty()
        .full_names(|username| format!("Pak {username}"))
        .agency("DISHUB", "Dinas Perhubungan")
        .agency("DINKES", "Dinas Kesehatan")
        .position("kadis", "DISHUB", "Kepala Dinas Perhubungan", None)
        .user("bupati", Role::HeadOfRegion, None)
        .user("kadishub", Role::HeadOfAgency, Some("DISHUB"))
        .in_position("kadis")
        .user("operator.dishub", Role::Operator, Some("DISHUB"))
        .user("staf.dishub", Role::Staff, Some("DISHUB"))
        .user("staf.dinkes", Role::Staff, Some("DINKES"))
        .user("operator.dinkes", Role::Operator, Some("DINKES"))
        .user("admin", Role::Admin, None)
        .build(db)
        .await;
    World {
        dishub: world.agency("DISHUB"),
        dinkes: world.agency("DINKES"),
        world,
    }
}

async fn ticket(db: &Db, agency: &str) -> i64 {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some("Jalan berlubang di depan pasar".into()),
        agency_code: Some(agency.into()),
        reporter_name: Some("Siti Aminah".into()),
        reporter_phone: Some("081234567890".into()),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    db.create_ticket(&NewTicket {
        intake,
        channel: Channel::Web,
        idempotency_key: None,
        received_at: now_ms() - 1000,
    })
    .await
    .unwrap()
    .id
}

fn plh(delegator: i64, delegate: i64) -> NewDelegation {
    let now = now_ms();
    NewDelegation {
        delegator_id: delegator,
        delegate_id: delegate,
        kind: "plh".into(),
        starts_at: now - 1000,
        ends_at: now + 3 * DAY,
        note: String::new(),
        basis: "Surat Perintah 800/21/2026".into(),
    }
}

fn note() -> ActionInput {
    ActionInput::Note {
        body: "Sudah dicek ke lapangan".into(),
    }
}

#[tokio::test]
async fn a_delegate_of_the_read_only_head_of_region_cannot_act() {
    for db in each_backend().await {
        let w = world(&db).await;
        let dishub_ticket = ticket(&db, "DISHUB").await;
        let dinkes_ticket = ticket(&db, "DINKES").await;
        let bupati = access(&db, w.id("bupati")).await;
        db.create_delegation(&bupati, &plh(w.id("bupati"), w.id("staf.dinkes")))
            .await
            .unwrap();
        let delegate = access(&db, w.id("staf.dinkes")).await;
        // The head of region's inbox: the delegate reads every ticket of the region…
        assert!(db.ticket(&delegate, dishub_ticket).await.is_ok());
        // …but acts on none outside their own agency.
        let e = db
            .apply_action(&delegate, dishub_ticket, &note())
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        db.apply_action(&delegate, dinkes_ticket, &note())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_delegate_of_an_operator_does_not_read_that_agencys_reporters() {
    for db in each_backend().await {
        let w = world(&db).await;
        let dishub_ticket = ticket(&db, "DISHUB").await;
        ticket(&db, "DINKES").await;
        let operator = access(&db, w.id("operator.dishub")).await;
        db.create_delegation(
            &operator,
            &plh(w.id("operator.dishub"), w.id("staf.dinkes")),
        )
        .await
        .unwrap();
        let delegate = access(&db, w.id("staf.dinkes")).await;
        assert!(db.ticket(&delegate, dishub_ticket).await.is_ok());
        assert!(!delegate.can(Capability::SeeReporterIdentity, Some(AgencyId(w.dishub))));
        assert!(delegate.can(Capability::SeeReporterIdentity, Some(AgencyId(w.dinkes))));
        let window = (now_ms() - DAY, now_ms() + DAY);
        let dishub_rows = db
            .recap_rows(&delegate, w.dishub, window.0, window.1)
            .await
            .unwrap();
        assert_eq!(dishub_rows.len(), 1);
        assert_eq!(dishub_rows[0].reporter_name, None);
        assert_eq!(dishub_rows[0].reporter_phone, None);
        let own_rows = db
            .recap_rows(&delegate, w.dinkes, window.0, window.1)
            .await
            .unwrap();
        assert_eq!(own_rows[0].reporter_name.as_deref(), Some("Siti Aminah"));
    }
}

#[tokio::test]
async fn who_records_a_delegation_and_what_recording_gives() {
    for db in each_backend().await {
        let w = world(&db).await;
        let kadishub = w.id("kadishub");
        // A colleague, another agency's operator: no.
        for recorder in ["staf.dishub", "operator.dinkes"] {
            let by = access(&db, w.id(recorder)).await;
            let e = db
                .create_delegation(&by, &plh(kadishub, w.id("staf.dinkes")))
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Forbidden), "{recorder}: {e:?}");
        }
        // Any user recording a Plh. of themselves for someone else's position: no.
        let staf = access(&db, w.id("staf.dishub")).await;
        let e = db
            .create_delegation(&staf, &plh(kadishub, w.id("staf.dishub")))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        // The agency's operator may, but not to themselves, and gains nothing by it.
        let operator = access(&db, w.id("operator.dishub")).await;
        let e = db
            .create_delegation(&operator, &plh(kadishub, w.id("operator.dishub")))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref m) if m.starts_with("delegate_id:")));
        let id = db
            .create_delegation(&operator, &plh(kadishub, w.id("staf.dishub")))
            .await
            .unwrap();
        let operator = access(&db, w.id("operator.dishub")).await;
        assert!(operator.head_of(AgencyId(w.dishub)).is_none());
        assert_eq!(operator.inboxes().len(), 1);
        let delegate = access(&db, w.id("staf.dishub")).await;
        let head = delegate.head_of(AgencyId(w.dishub)).expect("acting head");
        assert_eq!(
            head.acting.as_ref().map(|a| a.label.as_str()),
            Some("Plh. Kepala Dinas Perhubungan")
        );
        let recorded = db.delegations(Some(kadishub)).await.unwrap();
        let recorded = recorded.iter().find(|d| d.id == id).unwrap();
        assert_eq!(recorded.basis, "Surat Perintah 800/21/2026");
        assert_eq!(recorded.created_by, w.id("operator.dishub"));
        // The administrator's role is not a position.
        let admin = access(&db, w.id("admin")).await;
        let e = db
            .create_delegation(&admin, &plh(w.id("admin"), w.id("staf.dinkes")))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref m) if m.starts_with("delegator_id:")));
        // The operator of the agency may end it early.
        db.end_delegation(&operator, id, now_ms()).await.unwrap();
        let delegate = access(&db, w.id("staf.dishub")).await;
        assert!(delegate.head_of(AgencyId(w.dishub)).is_none());
    }
}

#[tokio::test]
async fn a_delegation_holds_while_the_position_is_vacant() {
    for db in each_backend().await {
        let w = world(&db).await;
        let kadishub = w.id("kadishub");
        let head = access(&db, kadishub).await;
        db.create_delegation(&head, &plh(kadishub, w.id("staf.dishub")))
            .await
            .unwrap();
        // The head retires: the account is switched off and leaves the agency.
        let mut user = db.user(kadishub).await.unwrap();
        user.agency_id = None;
        user.position_id = None;
        db.update_user(
            kadishub,
            &store::org::NewUser {
                username: user.username.clone(),
                full_name: user.full_name.clone(),
                role: "staff".into(),
                ..Default::default()
            },
            false,
            None,
        )
        .await
        .unwrap();
        let delegate = access(&db, w.id("staf.dishub")).await;
        let seat = delegate
            .head_of(AgencyId(w.dishub))
            .expect("the Plh. still holds the vacant position");
        assert_eq!(seat.role, Role::HeadOfAgency);
        assert!(delegate.can(Capability::Approve, Some(AgencyId(w.dishub))));
    }
}
