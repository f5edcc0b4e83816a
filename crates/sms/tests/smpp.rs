//! The SMPP ESME against an SMSC simulator (tests/smsc/smsc.js on the npm `smpp` package):
//! bind, MT encodings and concatenation, throttling, refused binds, reconnects; and a whole
//! gateway (session and consumer) against an in-memory sink: MO (single and concatenated out
//! of order) received, acknowledgements leased and marked sent, receipts matched to them, and a
//! sink that cannot commit makes the SMSC retry. The same with Balai's database on both
//! backends: crates/web/tests/smpp.rs.

#[path = "smsc/harness.rs"]
mod harness;

use harness::{Smsc, WAIT, wait_until};
use serde_json::json;
use sms::sink::{
    DeliveryReport, InboundSms, OutboundSms, Received, SentMark, SinkFuture, StoredGateway,
};
use sms::smpp::{Inbound, SmppHandle};
use sms::{GatewayConfig, SendError, SinkError, SmsSink};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

fn message(id: i64, recipient: &str, body: &str) -> OutboundSms {
    OutboundSms {
        id,
        recipient: recipient.into(),
        body: body.into(),
        gateway: None,
        segments: 1,
    }
}

/// A session without a database; inbound events are acknowledged at once.
fn session(config: &GatewayConfig, shutdown: watch::Receiver<bool>) -> SmppHandle {
    let (events, mut rx) = mpsc::channel::<Inbound>(16);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let _ = event.ack.send(true);
        }
    });
    SmppHandle::start(config, events, shutdown)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt_encodings_concatenation_and_throttling() {
    let mut smsc = Smsc::start().await;
    let (stop, shutdown) = watch::channel(false);
    let esme = session(&smsc.gateway("operator", "rahasia"), shutdown);
    assert!(esme.wait_bound(WAIT).await, "bound");
    let bound = smsc.wait_count("bound", 1).await;
    assert_eq!(bound[0]["system_type"], "balai");

    // GSM-7, one part.
    let text = "Aduan Anda diterima, kode ABC123. Terima kasih!";
    let sent = esme.submit(&message(1, "+6281234567", text)).await.unwrap();
    let submits = smsc.wait_count("submit", 1).await;
    let s = &submits[0];
    assert_eq!(s["to"], "6281234567");
    assert_eq!(s["from"], "1708");
    assert_eq!(s["text"], text);
    assert_eq!(s["data_coding"], 0);
    assert_eq!(s["esm_class"], 0);
    assert_eq!(s["registered_delivery"], 1);
    assert_eq!(sent.reference.as_deref(), s["message_id"].as_str());

    // UCS-2: é and an emoji (a surrogate pair).
    let text = "Kafé di Jl. Merdeka sudah ditangani 👍";
    esme.submit(&message(2, "+6281234567", text)).await.unwrap();
    let s = &smsc.wait_count("submit", 2).await[1];
    assert_eq!(s["text"], text);
    assert_eq!(s["data_coding"], 8);

    // 400 GSM-7 characters: 3 parts of 153, 153, 94 septets with a concatenation UDH.
    let long: String = (0..400)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let sent = esme
        .submit(&message(3, "+6281234567", &long))
        .await
        .unwrap();
    let submits = smsc.wait_count("submit", 5).await;
    let parts = &submits[2..5];
    let mut joined = String::new();
    let mut reference = None;
    for (i, part) in parts.iter().enumerate() {
        assert_eq!(part["esm_class"].as_u64().unwrap() & 0x40, 0x40, "UDHI");
        assert_eq!(part["data_coding"], 0);
        let udh = part["udh"][0].as_str().unwrap();
        // IEI 00, length 03, reference, total 3, sequence i+1.
        assert_eq!(&udh[..4], "0003", "{udh}");
        assert_eq!(&udh[6..], format!("03{:02x}", i + 1), "{udh}");
        let r = &udh[4..6];
        assert!(reference.is_none_or(|prev| prev == r), "one reference");
        reference = Some(r);
        joined.push_str(part["text"].as_str().unwrap());
    }
    assert_eq!(joined, long);
    assert_eq!(
        sent.reference.as_deref(),
        parts[2]["message_id"].as_str(),
        "the reference is the last part's message id"
    );

    // ESME_RTHROTTLED twice, then accepted.
    smsc.command(json!({"throttle": 2})).await;
    smsc.wait_count("throttle_set", 1).await;
    esme.submit(&message(4, "+6281234567", "Coba lagi"))
        .await
        .unwrap();
    assert_eq!(smsc.named("throttled").len(), 2);
    assert_eq!(smsc.wait_count("submit", 6).await[5]["text"], "Coba lagi");

    // Shutdown unbinds.
    stop.send(true).unwrap();
    tokio::time::timeout(WAIT, esme.stopped())
        .await
        .expect("stopped");
    smsc.wait_count("unbind", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_unavailable_and_a_dropped_link_comes_back() {
    let mut smsc = Smsc::start().await;
    let (_stop, shutdown) = watch::channel(false);

    let wrong = session(&smsc.gateway("wrong", "salah"), shutdown.clone());
    smsc.wait_count("bind_refused", 1).await;
    assert!(!wrong.is_bound());
    match wrong.submit(&message(1, "+6281234567", "Halo")).await {
        Err(SendError::Unavailable(why)) => assert!(why.contains("not bound"), "{why}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    // It keeps trying, with backoff.
    smsc.wait_count("bind_refused", 2).await;

    let esme = session(&smsc.gateway("operator", "rahasia"), shutdown);
    assert!(esme.wait_bound(WAIT).await);
    esme.submit(&message(2, "+6281234567", "Sebelum putus"))
        .await
        .unwrap();
    smsc.command(json!({"drop": true})).await;
    smsc.wait_count("dropped", 1).await;
    // Bound again after the first backoff step.
    smsc.wait_count("bound", 2).await;
    assert!(esme.wait_bound(WAIT).await);
    esme.submit(&message(3, "+6281234567", "Sesudah putus"))
        .await
        .unwrap();
    let submits = smsc.wait_count("submit", 2).await;
    assert_eq!(submits[1]["text"], "Sesudah putus");
}

/// An outbox and inbox in memory, with the database's rules for what the gateways report: an
/// MO is taken in once per gateway message id, a mark keeps its first reference, and a report
/// matches a marked message of the same gateway by reference.
#[derive(Default)]
struct MemorySink {
    state: Mutex<Memory>,
    /// While set, taking in an MO fails (as a database that is down).
    refuse_mo: AtomicBool,
}

#[derive(Default)]
struct Memory {
    received: Vec<InboundSms>,
    outbox: Vec<OutboundSms>,
    leased: Vec<i64>,
    sent: HashMap<i64, SentMark>,
    /// Outbox id → the reports applied to it, in order.
    reports: HashMap<i64, Vec<DeliveryReport>>,
}

impl MemorySink {
    fn state(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.state.lock().unwrap()
    }

    fn take_in(&self, sms: InboundSms) -> Result<Received, SinkError> {
        if self.refuse_mo.load(Ordering::SeqCst) {
            return Err(SinkError::Failed("database down".into()));
        }
        let mut state = self.state();
        let duplicate = state
            .received
            .iter()
            .any(|r| r.gateway == sms.gateway && r.gateway_message_id == sms.gateway_message_id);
        if !duplicate {
            state.received.push(sms);
        }
        Ok(Received {
            inbound_id: state.received.len() as i64,
            outcome: if duplicate { "duplicate" } else { "ticket" }.into(),
        })
    }
}

impl SmsSink for MemorySink {
    fn receive(&self, sms: InboundSms) -> SinkFuture<'_, Received> {
        Box::pin(async move { self.take_in(sms) })
    }

    fn receive_batch(&self, batch: Vec<InboundSms>) -> SinkFuture<'_, Vec<Received>> {
        Box::pin(async move { batch.into_iter().map(|s| self.take_in(s)).collect() })
    }

    fn lease_due(&self, limit: usize) -> SinkFuture<'_, Vec<OutboundSms>> {
        Box::pin(async move {
            let mut state = self.state();
            let due: Vec<OutboundSms> = state
                .outbox
                .iter()
                .filter(|m| !state.leased.contains(&m.id))
                .take(limit)
                .cloned()
                .collect();
            state.leased.extend(due.iter().map(|m| m.id));
            Ok(due)
        })
    }

    fn lease_time(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn mark_sent<'a>(&'a self, marks: &'a [SentMark]) -> SinkFuture<'a, ()> {
        Box::pin(async move {
            let mut state = self.state();
            for mark in marks {
                state.sent.entry(mark.id).or_insert_with(|| mark.clone());
            }
            Ok(())
        })
    }

    fn record_reports<'a>(
        &'a self,
        gateway: &'a str,
        reports: &'a [DeliveryReport],
    ) -> SinkFuture<'a, Vec<String>> {
        Box::pin(async move {
            let mut state = self.state();
            let mut missing = Vec::new();
            for report in reports {
                let id = state.sent.values().find(|m| {
                    m.gateway == gateway && m.reference.as_deref() == Some(&report.reference)
                });
                match id.map(|m| m.id) {
                    Some(id) => state.reports.entry(id).or_default().push(report.clone()),
                    None if !missing.contains(&report.reference) => {
                        missing.push(report.reference.clone())
                    }
                    None => {}
                }
            }
            Ok(missing)
        })
    }

    fn mark_failed<'a>(&'a self, id: i64, reason: &'a str) -> SinkFuture<'a, ()> {
        Box::pin(async move { panic!("message {id} refused: {reason}") })
    }

    fn mark_attempt_failed<'a>(&'a self, id: i64, reason: &'a str) -> SinkFuture<'a, ()> {
        Box::pin(async move { panic!("message {id} not sent: {reason}") })
    }

    fn stored_gateways(&self) -> SinkFuture<'_, Vec<StoredGateway>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn gateways_revision(&self) -> SinkFuture<'_, i64> {
        Box::pin(async { Ok(0) })
    }
}

fn gateways_on(smsc: &Smsc, sink: &Arc<MemorySink>) -> (sms::Gateways, watch::Sender<bool>) {
    let (stop, shutdown) = watch::channel(false);
    let mut gateways = sms::Gateways::new(vec![smsc.gateway("operator", "rahasia")]).unwrap();
    let shared: sms::Sink = sink.clone();
    gateways.start_smpp(&shared, shutdown);
    (gateways, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_against_a_sink_in_memory() {
    let mut smsc = Smsc::start().await;
    let sink = Arc::new(MemorySink::default());
    let (gateways, stop) = gateways_on(&smsc, &sink);
    let esme = gateways.smpp("operator").unwrap();
    assert!(esme.wait_bound(WAIT).await, "bound");

    // A single UCS-2 MO, then the SMSC's retry of it: the same gateway id both times.
    let text = "DISHUB lampu jalan mati di depan Kafé ✓";
    for n in 1..=2 {
        smsc.command(
            json!({"mo": {"from": "+6281211112222", "to": "1708", "text": text, "coding": 8}}),
        )
        .await;
        assert_eq!(smsc.wait_count("deliver_resp", n).await[n - 1]["status"], 0);
    }
    {
        let state = sink.state();
        assert_eq!(state.received.len(), 1, "{:?}", state.received);
        let mo = &state.received[0];
        assert_eq!(
            (
                mo.gateway.as_str(),
                mo.sender.as_str(),
                mo.receiver.as_str()
            ),
            ("operator", "+6281211112222", "1708")
        );
        assert_eq!((mo.text.as_str(), mo.coding.as_str()), (text, "2"));
        assert!(!mo.partial);
    }

    // Three parts out of order: one message, answered part by part.
    let parts = ["DISHUB jalan berlubang ", "besar di ", "Jl. Sudirman."];
    smsc.command(
        json!({"mo_parts": {"from": "+6281233334444", "to": "1708", "texts": parts,
        "coding": 0, "ref": 513, "ref16": true, "order": [2, 0, 1]}}),
    )
    .await;
    let resps = smsc.wait_count("deliver_resp", 5).await;
    assert!(resps.iter().all(|r| r["status"] == 0), "{resps:?}");
    assert_eq!(sink.state().received[1].text, parts.concat());

    // A sink that cannot commit: the SMSC is told to retry (ESME_RX_T_APPN), nothing is kept.
    sink.refuse_mo.store(true, Ordering::SeqCst);
    smsc.command(
        json!({"mo": {"from": "+6281299990000", "to": "1708", "text": "DISHUB x", "coding": 0}}),
    )
    .await;
    assert_eq!(smsc.wait_count("deliver_resp", 6).await[5]["status"], 0x64);
    assert_eq!(sink.state().received.len(), 2);
    sink.refuse_mo.store(false, Ordering::SeqCst);

    // Two replies leased from the sink, marked sent with the SMSC's ids; receipts settle them.
    sink.state().outbox = vec![
        message(10, "+6281211112222", "Aduan diterima, kode ABC123."),
        message(11, "+6281255550000", "Aduan diterima, kode DEF456."),
    ];
    let shared: sms::Sink = sink.clone();
    assert_eq!(gateways.send_due(&shared).await.unwrap(), 2);
    let submits = smsc.wait_count("submit", 2).await;
    {
        let state = sink.state();
        for message in &state.outbox {
            let submit = submits.iter().find(|s| s["text"] == message.body).unwrap();
            let mark = &state.sent[&message.id];
            assert_eq!(mark.gateway, "operator");
            assert_eq!(mark.reference.as_deref(), submit["message_id"].as_str());
        }
    }
    wait_until("both receipts recorded", || async {
        sink.state().reports.len() == 2
    })
    .await;
    let report = |id: i64| {
        let reports = sink.state().reports[&id].clone();
        assert_eq!(reports.len(), 1, "{reports:?}");
        (reports[0].delivered, reports[0].detail.clone())
    };
    assert_eq!(report(10), (Some(true), "DELIVRD".to_string()));
    assert_eq!(report(11), (Some(false), "UNDELIV err:001".to_string()));

    stop.send(true).unwrap();
    tokio::time::timeout(WAIT, esme.stopped())
        .await
        .expect("stopped");
    smsc.wait_count("unbind", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_that_beats_its_mark_is_matched_later() {
    let mut smsc = Smsc::start().await;
    let sink = Arc::new(MemorySink::default());
    let (gateways, _stop) = gateways_on(&smsc, &sink);
    let esme = gateways.smpp("operator").unwrap();
    assert!(esme.wait_bound(WAIT).await, "bound");
    // Submitted straight through the session: the sink learns of it only after the receipt.
    let sent = esme
        .submit(&message(20, "+6281211112222", "Halo"))
        .await
        .unwrap();
    smsc.wait_count("deliver_resp", 1).await;
    assert!(sink.state().reports.is_empty());
    sink.state().sent.insert(
        20,
        SentMark {
            id: 20,
            gateway: "operator".into(),
            reference: sent.reference,
            segments: 1,
        },
    );
    wait_until("the receipt is looked up again", || async {
        sink.state().reports.contains_key(&20)
    })
    .await;
    assert_eq!(sink.state().reports[&20][0].detail, "DELIVRD");
    let _ = smsc.command(json!({"drop": true})).await;
}
