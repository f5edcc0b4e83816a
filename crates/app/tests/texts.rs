//! Snapshots of what a reporter receives by SMS and by email (acknowledgement, question,
//! answer), on both backends. The tracking code and register number are random per run and
//! shown as `{code}` and `{register}`.

use app::testing::{WorldBuilder, each_backend};
use domain::{Channel, IntakeInput};
use store::sms::SmsRules;
use store::tickets::{ActionInput, Created, NewTicket};

/// Monday 2 March 2026, 09:00 WIB.
const RECEIVED: i64 = 1_772_416_800_000;

/// A web complaint for DISHUB with the reporter's email (and phone), acknowledged.
async fn acknowledged(app: &app::App, phone: Option<&str>) -> Created {
    let intake = IntakeInput {
        category: Some("pengaduan".into()),
        text: Some("Lampu jalan mati di depan sekolah.".into()),
        agency_code: Some("DISHUB".into()),
        reporter_phone: phone.map(str::to_string),
        reporter_email: Some("warga@contoh.id".into()),
        ..Default::default()
    }
    .validate(|_| true, |_| true)
    .unwrap();
    let new = NewTicket {
        intake,
        channel: Channel::Web,
        idempotency_key: None,
        received_at: RECEIVED,
    };
    app.create_ticket_acknowledged(&new, &SmsRules::default(), None)
        .await
        .unwrap()
}

#[tokio::test]
async fn texts_to_the_reporter() {
    for app in each_backend().await {
        let world = WorldBuilder::standard().build(&app).await;
        let created = acknowledged(&app, Some("0812 3456 7890")).await;
        let officer = world.access(&app, "penghubung.dishub").await;
        for step in [
            ActionInput::Ask {
                question: "Di jalan apa tepatnya, dan sejak kapan?".into(),
            },
            ActionInput::Answer {
                body: "Lampu sudah diganti oleh petugas PJU.".into(),
            },
        ] {
            app.apply_action(&officer, created.id, &step).await.unwrap();
        }
        let messages = app.ticket_messages(created.id).await.unwrap();
        let text = messages
            .iter()
            .filter(|m| m.direction == "out")
            .map(|m| {
                format!(
                    "[{} {} → {}]\n{}\n{}",
                    m.kind, m.channel, m.recipient, m.subject, m.body
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n")
            .replace(&created.tracking_code, "{code}")
            .replace(&created.register_number, "{register}");
        insta::assert_snapshot!("reporter_texts", text);
    }
}

/// With the public site's address known, the reporter's emails link the tracking page in full.
#[tokio::test]
async fn emails_link_the_tracking_page_under_the_public_address() {
    for app in each_backend().await {
        let app = app.with_public_url("https://aduan.contoh.go.id/");
        WorldBuilder::standard().build(&app).await;
        let created = acknowledged(&app, None).await;
        let messages = app.ticket_messages(created.id).await.unwrap();
        let email = messages
            .iter()
            .find(|m| m.channel == domain::MessageChannel::Email)
            .expect("an acknowledgement by email");
        let link = format!("https://aduan.contoh.go.id/lacak/{}", created.tracking_code);
        assert!(email.body.contains(&link), "{}", email.body);
    }
}
