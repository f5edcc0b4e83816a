//! The outbox drained by several senders at once (as several `balai serve` nodes on one
//! PostgreSQL would): every message is handed to a gateway exactly once.

use std::sync::Arc;
use store::sms::{InboundSms, SmsRules};

#[tokio::test]
async fn concurrent_senders_send_each_message_once() {
    for db in store::testing::each_backend().await {
        store::testing::agency_with_keyword(&db, "DISHUB").await;
        let rules = SmsRules {
            autoreplies_per_hour: 1000,
            flood_per_hour: 1000,
            ..SmsRules::default()
        };
        for i in 0..150 {
            let sms = InboundSms {
                gateway: "dev".into(),
                gateway_message_id: format!("m{i}"),
                sender: format!("+62812{:08}", i),
                receiver: "1708".into(),
                text: format!("DISHUB aduan {i}"),
                coding: "0".into(),
                partial: false,
                received_at: store::now_ms(),
            };
            app::App::new(db.clone())
                .receive_sms(&sms, &rules)
                .await
                .unwrap();
        }
        let dev = sms::GatewayConfig {
            name: "dev".into(),
            kind: Some(sms::GatewayKind::Dev),
            ..Default::default()
        };
        let mut tasks = Vec::new();
        for _ in 0..4 {
            // Each sender has its own gateway set and connections, like a separate node.
            let gateways = Arc::new(sms::Gateways::new(vec![dev.clone()]).unwrap());
            let sink = web::sms_sink::StoreSink::shared(db.clone(), rules.clone());
            tasks.push(tokio::spawn(async move {
                let mut sent = 0;
                for _ in 0..5 {
                    sent += gateways.send_due(&sink).await.unwrap();
                }
                sent
            }));
        }
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        assert_eq!(
            total,
            150,
            "{:?}: every acknowledgement sent exactly once",
            db.backend()
        );
        let outbox = db.outbox(None, 500).await.unwrap();
        assert_eq!(outbox.len(), 150);
        assert!(
            outbox
                .iter()
                .all(|m| m.status == domain::MessageStatus::Delivered && m.attempts == 1),
            "attempts: {:?}",
            outbox.iter().map(|m| m.attempts).collect::<Vec<_>>()
        );
    }
}
