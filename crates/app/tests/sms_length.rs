//! An SMS ticket is bounded like web intake: at most the longest concatenated SMS (255 parts),
//! cut with a visible mark; the inbound row keeps every character the citizen sent.

use app::testing::each_backend;
use domain::Role;
use domain::sms::longest::MAX_PARTS;
use store::sms::{InboundSms, SmsRules};
use store::{Access, Db};

fn sms(id: &str, text: &str) -> InboundSms {
    InboundSms {
        gateway: "kannel".into(),
        gateway_message_id: id.into(),
        sender: "081234567890".into(),
        receiver: "1708".into(),
        text: text.into(),
        coding: "0".into(),
        partial: false,
        received_at: store::now_ms(),
    }
}

async fn setup(db: &Db) {
    let dishub = db
        .create_agency(&store::org::NewAgency {
            code: "DISHUB".into(),
            name: "Dinas Perhubungan".into(),
            kind: "agency".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    db.create_keyword("DISHUB", dishub, "").await.unwrap();
}

fn admin() -> Access {
    Access::system(domain::UserId(0), Role::Admin)
}

#[tokio::test]
async fn a_huge_sms_makes_a_bounded_ticket_and_keeps_the_original() {
    for db in each_backend().await {
        setup(&db).await;
        let rules = SmsRules::default();
        let text = format!("DISHUB {}", "lampu mati ".repeat(18_182));
        assert!(text.chars().count() > 200_000);
        let outcome = db.receive_sms(&sms("big-1", &text), &rules).await.unwrap();
        assert_eq!(outcome.outcome, "ticket");
        let ticket = db
            .ticket(&admin(), outcome.ticket_id.unwrap())
            .await
            .unwrap();
        let kept = MAX_PARTS * 153;
        assert!(ticket.text.starts_with(&text[..kept]));
        assert!(!ticket.text.starts_with(&text[..kept + 1]));
        assert!(
            ticket.text.contains("SMS dipotong")
                && ticket
                    .text
                    .contains(&format!("/staf/sms/masuk/{}", outcome.inbound_id)),
            "{}",
            &ticket.text[kept..]
        );
        assert!(ticket.text.chars().count() < kept + 200);
        let original = db.inbound_message(outcome.inbound_id).await.unwrap();
        assert_eq!(original.text, text, "nothing the citizen sent is lost");
        assert_eq!(original.ticket_id, Some(ticket.id));

        // A long SMS that fits in 255 parts is kept whole, as before.
        let fits = format!("DISHUB {}", "é".repeat(MAX_PARTS * 153 - 7));
        let outcome = db.receive_sms(&sms("big-2", &fits), &rules).await.unwrap();
        let ticket = db
            .ticket(&admin(), outcome.ticket_id.unwrap())
            .await
            .unwrap();
        assert_eq!(ticket.text, fits);
    }
}
