//! The staff outbox query on SQLite and PostgreSQL: filters, scope and pagination.

use store::messages::OutboxFilter;
use store::sms::{InboundSms, SmsRules};
use store::testing::each_backend;

fn sms(gateway: &str, id: &str, from: &str, text: &str) -> InboundSms {
    InboundSms {
        gateway: gateway.into(),
        gateway_message_id: id.into(),
        sender: from.into(),
        receiver: "1708".into(),
        text: text.into(),
        coding: "0".into(),
        partial: false,
        received_at: store::now_ms(),
    }
}

async fn agency(db: &store::Db, code: &str) -> i64 {
    db.create_agency(&store::org::NewAgency {
        code: code.into(),
        name: format!("Dinas {code}"),
        kind: "agency".into(),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn outbox_filters_by_status_gateway_date_and_scope_with_pages() {
    for db in each_backend().await {
        let dishub = agency(&db, "DISHUB").await;
        let dinkes = agency(&db, "DINKES").await;
        db.create_keyword("JALAN", dishub, "").await.unwrap();
        db.create_keyword("SEHAT", dinkes, "").await.unwrap();
        let rules = SmsRules::default();
        let a = db
            .receive_sms(&sms("kannel", "1", "081234567890", "JALAN rusak"), &rules)
            .await
            .unwrap();
        let b = db
            .receive_sms(&sms("dev", "2", "081298765432", "SEHAT antre"), &rules)
            .await
            .unwrap();
        let c = db
            .receive_sms(
                &sms("kannel", "3", "081211112222", "JALAN berlubang"),
                &rules,
            )
            .await
            .unwrap();
        // A help reply has no ticket.
        let help = db
            .receive_sms(&sms("kannel", "4", "081233334444", "BANTUAN"), &rules)
            .await
            .unwrap();
        assert_eq!(help.ticket_id, None);
        let (a_ack, b_ack, c_ack, help_reply) =
            (a.replies[0], b.replies[0], c.replies[0], help.replies[0]);
        db.mark_message_failed(b_ack, "ditolak operator")
            .await
            .unwrap();

        let all = |f: OutboxFilter| OutboxFilter { limit: 50, ..f };
        let page = db.outbox_page(&all(OutboxFilter::default())).await.unwrap();
        let ids: Vec<i64> = page.items.iter().map(|e| e.message.id).collect();
        assert_eq!(ids, [help_reply, c_ack, b_ack, a_ack], "newest first");
        assert_eq!(page.next_before, None);
        let first = &page.items[1];
        assert_eq!(first.agency_id, Some(dishub));
        assert!(first.register_number.is_some());
        assert_eq!(page.items[0].register_number, None);

        let failed = db
            .outbox_page(&all(OutboxFilter {
                status: Some("failed".into()),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(failed.items.len(), 1);
        assert_eq!(failed.items[0].message.id, b_ack);
        assert_eq!(
            failed.items[0].message.last_error.as_deref(),
            Some("ditolak operator")
        );

        let via_dev = db
            .outbox_page(&all(OutboxFilter {
                gateway: Some("dev".into()),
                channel: Some("sms".into()),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(via_dev.items.len(), 1);
        assert_eq!(via_dev.items[0].message.id, b_ack);

        let now = store::now_ms();
        let none_yet = db
            .outbox_page(&all(OutboxFilter {
                from_ms: Some(now + 60_000),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert!(none_yet.items.is_empty());
        let today = db
            .outbox_page(&all(OutboxFilter {
                from_ms: Some(now - 60_000),
                to_ms: Some(now + 60_000),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(today.items.len(), 4);

        let of_ticket = db
            .outbox_page(&all(OutboxFilter {
                ticket_id: c.ticket_id,
                ..Default::default()
            }))
            .await
            .unwrap();
        let ids: Vec<i64> = of_ticket.items.iter().map(|e| e.message.id).collect();
        assert_eq!(ids, [c_ack]);

        // Scoped staff see only messages of their agencies' tickets.
        let scoped = db
            .outbox_page(&all(OutboxFilter {
                agency_scope: Some(vec![dishub]),
                ..Default::default()
            }))
            .await
            .unwrap();
        let ids: Vec<i64> = scoped.items.iter().map(|e| e.message.id).collect();
        assert_eq!(ids, [c_ack, a_ack]);
        let nothing = db
            .outbox_page(&all(OutboxFilter {
                agency_scope: Some(Vec::new()),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert!(nothing.items.is_empty());

        // Pages of two, following the cursor.
        let one = db
            .outbox_page(&OutboxFilter {
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(one.items.len(), 2);
        assert_eq!(one.next_before, Some(c_ack));
        let two = db
            .outbox_page(&OutboxFilter {
                limit: 2,
                before_id: one.next_before,
                ..Default::default()
            })
            .await
            .unwrap();
        let ids: Vec<i64> = two.items.iter().map(|e| e.message.id).collect();
        assert_eq!(ids, [b_ack, a_ack]);
        assert_eq!(two.next_before, None);

        // One entry, the gateways, and a resend.
        let entry = db.outbox_entry(b_ack).await.unwrap().unwrap();
        assert_eq!(entry.agency_id, Some(dinkes));
        assert!(db.outbox_entry(999_999).await.unwrap().is_none());
        assert_eq!(db.outbox_gateways().await.unwrap(), ["dev", "kannel"]);
        db.retry_message(b_ack).await.unwrap();
        let entry = db.outbox_entry(b_ack).await.unwrap().unwrap();
        assert_eq!(entry.message.status, "pending");
    }
}
