//! Email through a real SMTP server (aiosmtpd from PyPI, installed by scripts/test.sh): answers to
//! reporters and digests to officials.

mod common;

use common::smtp::{smtp_config, start_smtp};
use store::testing::free_port;
use store::tickets::ActionInput;

async fn answered_ticket(db: &store::Db) -> (i64, String) {
    let db = &app::App::new(db.clone());
    let created = common::post_ticket_direct(db, "warga@contoh.id").await;
    let user = db
        .user_by_username("penghubung.dishub")
        .await
        .unwrap()
        .unwrap();
    let actor = db.access_for(&user, store::now_ms()).await.unwrap();
    db.apply_action(
        &actor,
        created.id,
        &ActionInput::Answer {
            body: "Lampu sudah menyala kembali.".into(),
        },
    )
    .await
    .unwrap();
    (created.id, created.tracking_code)
}

#[tokio::test]
async fn answers_are_emailed_through_smtp() {
    let smtp = start_smtp().await;
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let (id, code) = answered_ticket(&db).await;
        let sent = web::mail::send_due(&db, &smtp_config(smtp.port))
            .await
            .unwrap();
        assert_eq!(sent, 1);
        let messages = db.ticket_messages(id).await.unwrap();
        assert_eq!(messages[0].status, domain::MessageStatus::Sent);
        assert_eq!(
            web::mail::send_due(&db, &smtp_config(smtp.port))
                .await
                .unwrap(),
            0,
            "sent once only"
        );

        let found = smtp
            .wait_for(|text| text.contains(&code) && text.contains("warga@contoh.id"))
            .await;
        assert!(found, "the SMTP server received the answer for {code}");
    }
}

#[tokio::test]
async fn an_unreachable_smtp_server_leaves_the_message_pending_with_the_reason() {
    let db = store::testing::migrated(&store::testing::sqlite_url()).await;
    common::seed_org(&db).await;
    let (id, _) = answered_ticket(&db).await;
    let sent = web::mail::send_due(&db, &smtp_config(free_port()))
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let message = &db.ticket_messages(id).await.unwrap()[0];
    assert_eq!(message.status, domain::MessageStatus::Pending);
    assert_eq!(message.attempts, 1);
    assert!(message.last_error.as_deref().is_some_and(|e| !e.is_empty()));
}

#[tokio::test]
async fn hourly_digests_reach_officials_by_email_through_smtp() {
    let smtp = start_smtp().await;
    for db in store::testing::each_backend().await {
        common::seed_org(&db).await;
        let recipient = format!("kadishub-{}@contoh.go.id", db.backend().as_str());
        db.execute_raw(&format!(
            "UPDATE users SET email = '{recipient}', notify_channels = 'email' WHERE username = 'kadishub'"
        ))
        .await
        .unwrap();
        let now = store::now_ms();
        let intake = domain::IntakeInput {
            category: Some("pengaduan".into()),
            text: Some("Lampu jalan mati".into()),
            agency_code: Some("DISHUB".into()),
            ..Default::default()
        }
        .validate(|_| true, |_| true)
        .unwrap();
        let created = app::App::new(db.clone())
            .create_ticket(&store::tickets::NewTicket {
                intake,
                channel: domain::Channel::Web,
                idempotency_key: None,
                received_at: now - 3_600_000,
            })
            .await
            .unwrap();
        let report = app::App::new(db.clone())
            .send_hourly_digests(now, "https://lapor.contoh.go.id")
            .await
            .unwrap();
        assert!(report.recipients >= 1, "{report:?}");
        assert!(
            web::mail::send_due(&db, &smtp_config(smtp.port))
                .await
                .unwrap()
                >= 1
        );
        let digests = db.messages_to(&recipient, 10).await.unwrap();
        assert_eq!(digests.len(), 1, "one digest for the hour");
        assert_eq!(digests[0].status, domain::MessageStatus::Sent);
        assert!(
            smtp.wait_for(|text| text.contains(&recipient) && text.contains("1 aduan baru"))
                .await,
            "the SMTP server received the digest for {} (ticket {})",
            recipient,
            created.tracking_code
        );
    }
}
