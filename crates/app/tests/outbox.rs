//! The staff outbox query on SQLite and PostgreSQL: filters, scope and pagination.

use app::testing::each_backend;
use store::messages::OutboxFilter;
use store::sms::{DeliveryReport, InboundSms, SentMark, SmsRules};

fn report(reference: &str, delivered: Option<bool>, detail: &str) -> DeliveryReport {
    DeliveryReport {
        reference: reference.into(),
        delivered,
        detail: detail.into(),
    }
}

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
        assert_eq!(entry.message.status, domain::MessageStatus::Pending);
    }
}

/// The batched outcome functions of the SMS sender: many messages marked sent in one call
/// (a delivery report that came first keeps its status), and receipts matched by the gateway's
/// reference in one call, with the references not found returned.
#[tokio::test]
async fn batched_sent_marks_and_receipts_by_reference() {
    for db in each_backend().await {
        let backend = format!("{:?}", db.backend());
        let dishub = agency(&db, "DISHUB").await;
        db.create_keyword("JALAN", dishub, "").await.unwrap();
        let rules = SmsRules::default();
        for i in 0..5 {
            db.receive_sms(
                &sms(
                    "smsc",
                    &i.to_string(),
                    &format!("08123456780{i}"),
                    "JALAN rusak",
                ),
                &rules,
            )
            .await
            .unwrap();
        }
        let leased = db.lease_due_messages("sms", 100).await.unwrap();
        assert_eq!(leased.len(), 5, "{backend}");
        let ids: Vec<i64> = leased.iter().map(|m| m.id).collect();
        // The report of the third message beats its mark (matched by id, as Kannel's are).
        db.record_delivery_report(ids[2], Some(true), "DELIVRD")
            .await
            .unwrap();
        let marks: Vec<SentMark> = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| SentMark {
                id,
                gateway: "smsc".to_string(),
                reference: (i != 4).then(|| format!("ref-{i}")),
                segments: 2,
            })
            .collect();
        db.mark_sms_sent_many(&marks).await.unwrap();
        // Marking again changes nothing (attempts stay at 1).
        db.mark_sms_sent_many(&marks[..2]).await.unwrap();
        db.mark_sms_sent_many(&[]).await.unwrap();
        let outbox = db.outbox(None, 50).await.unwrap();
        for (i, &id) in ids.iter().enumerate() {
            let m = outbox.iter().find(|m| m.id == id).unwrap();
            let status = if i == 2 {
                domain::MessageStatus::Delivered
            } else {
                domain::MessageStatus::Sent
            };
            assert_eq!(m.status, status, "{backend}: {m:?}");
            assert_eq!(m.attempts, 1, "{backend}: {m:?}");
            assert_eq!(m.gateway.as_deref(), Some("smsc"));
            assert_eq!(m.gateway_ref, (i != 4).then(|| format!("ref-{i}")));
            assert_eq!(m.segments, 2);
            assert!(m.sent_at.is_some());
        }
        // Nothing is leased again.
        assert!(db.lease_due_messages("sms", 100).await.unwrap().is_empty());

        let missing = db
            .record_delivery_reports_by_ref(
                "smsc",
                &[
                    report("ref-0", Some(true), "DELIVRD"),
                    report("ref-1", Some(false), "UNDELIV err:001"),
                    report("unknown", Some(true), "DELIVRD"),
                    // Same reference twice: applied in order, the last one wins.
                    report("ref-3", None, "ENROUTE"),
                    report("ref-3", Some(true), "DELIVRD"),
                    report("unknown", None, "ENROUTE"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(missing, vec!["unknown".to_string()], "{backend}");
        // Another gateway's reference does not match.
        let missing = db
            .record_delivery_reports_by_ref("other", &[report("ref-0", Some(false), "X")])
            .await
            .unwrap();
        assert_eq!(missing, vec!["ref-0".to_string()], "{backend}");
        assert!(
            db.record_delivery_reports_by_ref("smsc", &[])
                .await
                .unwrap()
                .is_empty()
        );
        let outbox = db.outbox(None, 50).await.unwrap();
        let by_ref = |r: &str| {
            outbox
                .iter()
                .find(|m| m.gateway_ref.as_deref() == Some(r))
                .unwrap()
                .clone()
        };
        let m0 = by_ref("ref-0");
        assert_eq!(
            (m0.status.as_str(), m0.dlr_status.as_deref()),
            ("delivered", Some("DELIVRD")),
            "{backend}"
        );
        assert!(m0.dlr_at.is_some());
        let m1 = by_ref("ref-1");
        assert_eq!(m1.status, domain::MessageStatus::Failed, "{backend}");
        assert_eq!(m1.last_error.as_deref(), Some("UNDELIV err:001"));
        let m3 = by_ref("ref-3");
        assert_eq!(
            (m3.status.as_str(), m3.dlr_status.as_deref()),
            ("delivered", Some("DELIVRD")),
            "{backend}"
        );
        // A report that is not final keeps the status.
        db.record_delivery_reports_by_ref("smsc", &[report("ref-2", None, "ENROUTE")])
            .await
            .unwrap();
        let m2 = db
            .outbox(None, 50)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.id == ids[2])
            .unwrap();
        assert_eq!(
            (m2.status.as_str(), m2.dlr_status.as_deref()),
            ("delivered", Some("ENROUTE")),
            "{backend}"
        );

        // A batch larger than one statement.
        let many: Vec<DeliveryReport> = (0..2500)
            .map(|i| report(&format!("none-{i}"), Some(true), "DELIVRD"))
            .collect();
        let missing = db
            .record_delivery_reports_by_ref("smsc", &many)
            .await
            .unwrap();
        assert_eq!(missing.len(), 2500, "{backend}");
    }
}
