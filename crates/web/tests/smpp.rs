//! The SMPP ESME against an SMSC simulator (crates/sms/tests/smsc/smsc.js on the npm `smpp`
//! package) with Balai's database behind it, on both backends: MO (single and concatenated out
//! of order) become tickets, retries are stored once, the acknowledgements go out through SMPP
//! and delivery receipts settle them; a concatenated MO with a lost part is stored as partial.
//! The session itself against an in-memory sink: crates/sms/tests/smpp.rs.

#[path = "../../sms/tests/smsc/harness.rs"]
mod harness;

use harness::{Smsc, WAIT, wait_until};
use serde_json::json;
use sms::smpp::SmppHandle;
use std::time::Duration;
use store::sms::SmsRules;
use tokio::sync::{mpsc, watch};
use web::sms_sink::StoreSink;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mo_and_delivery_receipts_reach_the_database() {
    for db in store::testing::each_backend().await {
        let backend = format!("{:?}", db.backend());
        let mut smsc = Smsc::start().await;
        store::testing::agency_with_keyword(&db, "DISHUB").await;
        let rules = SmsRules {
            autoreplies_per_hour: 1000,
            flood_per_hour: 1000,
            ..SmsRules::default()
        };
        let sink = StoreSink::shared(db.clone(), rules);
        let (stop, shutdown) = watch::channel(false);
        let mut gateways = sms::Gateways::new(vec![smsc.gateway("operator", "rahasia")]).unwrap();
        gateways.start_smpp(&sink, shutdown);
        let esme = gateways.smpp("operator").unwrap();
        assert!(esme.wait_bound(WAIT).await, "{backend}: bound");

        // A single UCS-2 MO becomes a ticket; the SMSC gets its deliver_sm_resp after the commit.
        let text = "DISHUB lampu jalan mati di depan Kafé ✓";
        smsc.command(
            json!({"mo": {"from": "+6281211112222", "to": "1708", "text": text, "coding": 8}}),
        )
        .await;
        let resps = smsc.wait_count("deliver_resp", 1).await;
        assert_eq!(resps[0]["status"], 0, "{backend}");
        let inbound = db
            .inbound_messages(Some("+6281211112222"), 10)
            .await
            .unwrap();
        assert_eq!(inbound.len(), 1, "{backend}");
        assert_eq!(inbound[0].text, text);
        assert_eq!(inbound[0].gateway, "operator");
        assert_eq!(inbound[0].coding, "2");
        assert!(inbound[0].ticket_id.is_some(), "{backend}: a ticket");

        // The same MO again (an SMSC retry) changes nothing.
        smsc.command(
            json!({"mo": {"from": "+6281211112222", "to": "1708", "text": text, "coding": 8}}),
        )
        .await;
        smsc.wait_count("deliver_resp", 2).await;
        assert_eq!(
            db.inbound_messages(Some("+6281211112222"), 10)
                .await
                .unwrap()
                .len(),
            1,
            "{backend}: a retry is stored once"
        );

        // Three parts, out of order, 16-bit reference, GSM-7: one message, one ticket.
        let parts = [
            "DISHUB jalan berlubang ",
            "besar di Jl. Sudirman ",
            "dekat pasar.",
        ];
        smsc.command(
            json!({"mo_parts": {"from": "+6281233334444", "to": "1708", "texts": parts,
            "coding": 0, "ref": 513, "ref16": true, "order": [2, 0, 1]}}),
        )
        .await;
        let resps = smsc.wait_count("deliver_resp", 5).await;
        assert!(resps.iter().all(|r| r["status"] == 0), "{resps:?}");
        let inbound = db
            .inbound_messages(Some("+6281233334444"), 10)
            .await
            .unwrap();
        assert_eq!(inbound.len(), 1, "{backend}: one message");
        assert_eq!(inbound[0].text, parts.concat());
        assert!(!inbound[0].partial);
        assert!(inbound[0].ticket_id.is_some(), "{backend}: a ticket");

        // A reporter whose number the SMSC cannot reach (ends in 0000).
        smsc.command(json!({"mo": {"from": "+6281255550000", "to": "1708",
            "text": "DISHUB trotoar rusak", "coding": 0}}))
            .await;
        smsc.wait_count("deliver_resp", 6).await;

        // The acknowledgements go out through SMPP; receipts settle them.
        let sent = gateways.send_due(&sink).await.unwrap();
        assert_eq!(
            sent,
            3,
            "{backend}: three acknowledgements: {:?}",
            db.outbox(None, 50).await.unwrap()
        );
        let outbox = db.outbox(None, 50).await.unwrap();
        assert!(
            outbox
                .iter()
                .all(|m| m.gateway.as_deref() == Some("operator") && m.gateway_ref.is_some()),
            "{backend}: {outbox:?}"
        );
        wait_until("receipts recorded", || async {
            db.outbox(None, 50).await.unwrap().iter().all(|m| {
                m.status == domain::MessageStatus::Delivered
                    || m.status == domain::MessageStatus::Failed
            })
        })
        .await;
        for m in db.outbox(None, 50).await.unwrap() {
            if m.recipient.ends_with("0000") {
                assert_eq!(m.status, domain::MessageStatus::Failed, "{backend}: {m:?}");
                assert_eq!(m.dlr_status.as_deref(), Some("UNDELIV err:001"));
            } else {
                assert_eq!(
                    m.status,
                    domain::MessageStatus::Delivered,
                    "{backend}: {m:?}"
                );
                assert_eq!(m.dlr_status.as_deref(), Some("DELIVRD"));
            }
        }

        stop.send(true).unwrap();
        tokio::time::timeout(WAIT, esme.stopped())
            .await
            .expect("stopped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concatenated_mo_with_a_lost_part_is_stored_as_partial() {
    for db in store::testing::each_backend().await {
        let backend = format!("{:?}", db.backend());
        let mut smsc = Smsc::start().await;
        let (_stop, shutdown) = watch::channel(false);
        let (events, rx) = mpsc::channel(16);
        let esme = SmppHandle::start(
            &smsc.gateway("operator", "rahasia"),
            events,
            shutdown.clone(),
        );
        tokio::spawn(sms::smpp::run_events(
            StoreSink::shared(db.clone(), SmsRules::default()),
            "operator".into(),
            rx,
            Duration::from_secs(1),
            shutdown,
        ));
        assert!(esme.wait_bound(WAIT).await);
        // Parts 3 and 1 of 3 (8-bit reference); part 2 never comes.
        smsc.command(json!({"mo_parts": {"from": "+6281277778888", "to": "1708",
            "texts": ["Halo ", "(hilang) ", "akhir"], "coding": 8, "ref": 9, "order": [2, 0]}}))
            .await;
        smsc.wait_count("deliver_resp", 2).await;
        wait_until("partial stored", || async {
            !db.inbound_messages(Some("+6281277778888"), 10)
                .await
                .unwrap()
                .is_empty()
        })
        .await;
        let inbound = db
            .inbound_messages(Some("+6281277778888"), 10)
            .await
            .unwrap();
        assert_eq!(inbound.len(), 1, "{backend}");
        assert!(inbound[0].partial, "{backend}");
        assert_eq!(
            inbound[0].text,
            format!("Halo {}akhir", domain::sms::reassembly::MISSING_MARKER)
        );
    }
}
