//! Web and app reporters are reached on the contacts they gave: the acknowledgement and the
//! answer go by SMS and by email, within the daily limit for messages the public can trigger
//! and never by SMS to a blocked number. On SQLite and PostgreSQL.

use app::App as Db;
use app::testing::{WorldBuilder, each_backend};
use domain::{Channel, IntakeInput, Role, TrackingCode};
use store::Access;
use store::reach::{CodeBySms, Withheld};
use store::sms::SmsRules;
use store::tickets::{ActionInput, Created, NewTicket};

const PHONE: &str = "0812 3456 7890";
const E164: &str = "+6281234567890";

async fn officer(db: &Db) -> Access {
    let w = WorldBuilder::empty()
        .agency("DISHUB", "Dinas DISHUB")
        .keyword("DISHUB", "DISHUB")
        .user("penghubung", Role::LiaisonOfficer, Some("DISHUB"))
        .named("Penghubung")
        .build(db)
        .await;
    w.access(db, "penghubung").await
}

async fn submit(
    db: &Db,
    channel: Channel,
    phone: Option<&str>,
    email: Option<&str>,
    rules: &SmsRules,
) -> Created {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some("Lampu jalan mati di depan sekolah.".into()),
        agency_code: Some("DISHUB".into()),
        reporter_phone: phone.map(str::to_string),
        reporter_email: email.map(str::to_string),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    db.create_ticket_acknowledged(
        &NewTicket {
            intake,
            channel,
            idempotency_key: None,
            received_at: store::now_ms(),
        },
        rules,
        None,
    )
    .await
    .unwrap()
}

/// (kind, channel, recipient) of a ticket's messages, in order.
async fn sent(db: &Db, ticket: i64) -> Vec<(String, String, String)> {
    db.ticket_messages(ticket)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.channel.to_string(), m.recipient))
        .collect()
}

fn row(kind: &str, channel: &str, recipient: &str) -> (String, String, String) {
    (kind.into(), channel.into(), recipient.into())
}

async fn answer(db: &Db, actor: &Access, ticket: i64) {
    db.apply_action(
        actor,
        ticket,
        &ActionInput::Answer {
            body: "Lampu sudah diganti hari ini.".into(),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn web_and_app_reporters_get_the_acknowledgement_and_the_answer_on_each_contact() {
    let rules = SmsRules::default();
    for db in each_backend().await {
        let actor = officer(&db).await;

        let phone_only = submit(&db, Channel::Web, Some(PHONE), None, &rules).await;
        assert_eq!(sent(&db, phone_only.id).await, [row("ack", "sms", E164)]);
        let ack = &db.ticket_messages(phone_only.id).await.unwrap()[0];
        assert!(ack.body.contains(&phone_only.tracking_code), "{}", ack.body);
        assert_eq!(ack.gateway, None, "the default gateway carries it");
        answer(&db, &actor, phone_only.id).await;
        assert_eq!(
            sent(&db, phone_only.id).await,
            [row("ack", "sms", E164), row("answer", "sms", E164)]
        );
        let reach = db.answer_reach(phone_only.id).await.unwrap();
        assert_eq!(reach.deliveries.len(), 1);
        assert_eq!(
            (
                reach.deliveries[0].channel.as_str(),
                reach.deliveries[0].status.as_str()
            ),
            ("sms", "pending")
        );

        let both = submit(
            &db,
            Channel::Api,
            Some(PHONE),
            Some("warga@contoh.id"),
            &rules,
        )
        .await;
        answer(&db, &actor, both.id).await;
        assert_eq!(
            sent(&db, both.id).await,
            [
                row("ack", "sms", E164),
                row("ack", "email", "warga@contoh.id"),
                row("answer", "sms", E164),
                row("answer", "email", "warga@contoh.id"),
            ]
        );
        let channels: Vec<String> = db
            .answer_reach(both.id)
            .await
            .unwrap()
            .deliveries
            .into_iter()
            .map(|d| d.channel.to_string())
            .collect();
        assert_eq!(channels, ["sms", "email"]);

        let nobody = submit(&db, Channel::Web, None, None, &rules).await;
        answer(&db, &actor, nobody.id).await;
        assert!(sent(&db, nobody.id).await.is_empty());
        assert!(
            db.answer_reach(nobody.id)
                .await
                .unwrap()
                .deliveries
                .is_empty()
        );
        let code = TrackingCode::parse(&nobody.tracking_code).unwrap();
        assert_eq!(
            db.send_tracking_code(&code, &rules).await.unwrap(),
            CodeBySms::NoPhone
        );
    }
}

#[tokio::test]
async fn the_public_cannot_make_the_region_text_a_number_more_than_the_daily_limit() {
    let rules = SmsRules {
        web_intake_per_day: 3,
        ..SmsRules::default()
    };
    for db in each_backend().await {
        let actor = officer(&db).await;
        let mut tickets = Vec::new();
        for _ in 0..5 {
            tickets.push(submit(&db, Channel::Web, Some(PHONE), None, &rules).await);
        }
        let acks: usize = {
            let mut n = 0;
            for t in &tickets {
                n += sent(&db, t.id).await.len();
            }
            n
        };
        assert_eq!(acks, 3, "three acknowledgements to one number per day");
        let code = TrackingCode::parse(&tickets[0].tracking_code).unwrap();
        assert_eq!(
            db.send_tracking_code(&code, &rules).await.unwrap(),
            CodeBySms::Withheld(Withheld::DailyLimit)
        );
        // Another number has its own allowance.
        let other = submit(&db, Channel::Web, Some("0813 1111 2222"), None, &rules).await;
        let code = TrackingCode::parse(&other.tracking_code).unwrap();
        assert_eq!(
            db.send_tracking_code(&code, &rules).await.unwrap(),
            CodeBySms::Queued("+6281311112222".into())
        );
        assert_eq!(sent(&db, other.id).await.len(), 2);
        // An officer's answer is not the public's doing: it still goes out.
        answer(&db, &actor, tickets[4].id).await;
        assert_eq!(sent(&db, tickets[4].id).await, [row("answer", "sms", E164)]);
    }
}

#[tokio::test]
async fn no_sms_goes_to_a_blocked_number() {
    let rules = SmsRules::default();
    for db in each_backend().await {
        let actor = officer(&db).await;
        db.block_number(PHONE, "penyalahgunaan formulir")
            .await
            .unwrap();
        let ticket = submit(
            &db,
            Channel::Web,
            Some(PHONE),
            Some("warga@contoh.id"),
            &rules,
        )
        .await;
        assert_eq!(
            sent(&db, ticket.id).await,
            [row("ack", "email", "warga@contoh.id")]
        );
        let code = TrackingCode::parse(&ticket.tracking_code).unwrap();
        assert_eq!(
            db.send_tracking_code(&code, &rules).await.unwrap(),
            CodeBySms::Withheld(Withheld::Blocked)
        );
        answer(&db, &actor, ticket.id).await;
        let reach = db.answer_reach(ticket.id).await.unwrap();
        assert!(reach.phone_blocked);
        let channels: Vec<&str> = reach
            .deliveries
            .iter()
            .map(|d| d.channel.as_str())
            .collect();
        assert_eq!(channels, ["email"]);
        let contact = db.reporter_contact(&code).await.unwrap();
        assert_eq!(contact.phone_tail.as_deref(), Some("890"));
        assert!(contact.has_email);
        assert_eq!(contact.acknowledgements.len(), 1);
    }
}
