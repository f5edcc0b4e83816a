//! The consumer of one session's inbound events: MO messages (concatenated parts reassembled
//! first) and delivery receipts go to the sink, and each `deliver_sm` is acknowledged once what
//! it carried is committed.

use super::MO_ID_BUCKET_MS;
use super::pdu::{InboundKind, Mo};
use super::receipt::ReceiptMatcher;
use super::session::Inbound;
use crate::sink::{InboundSms, Sink, now_ms};
use domain::sms::{InboundPart, ReassembledMessage, Reassembler};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::sleep_until;

/// Commits the inbound messages of one SMPP gateway until `events` closes or shutdown turns
/// true: MO through [`crate::SmsSink::receive`] (concatenated parts reassembled first; parts
/// still missing after `parts_timeout`, normally [`super::PARTS_TIMEOUT`], are stored as a partial
/// message marked `partial`), receipts in batches (every [`super::RECEIPT_BATCH`] receipts or
/// [`super::RECEIPT_FLUSH_INTERVAL`]) through [`crate::SmsSink::record_reports`], each
/// answered once its batch is committed.
///
/// A part that does not complete its message is acknowledged once it is held in memory: if
/// Balai stops before the rest arrives, those parts are lost (the SMSC will not resend them).
pub async fn run_events(
    sink: Sink,
    gateway: String,
    mut events: mpsc::Receiver<Inbound>,
    parts_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut parts = MoAssembler::new(gateway.clone());
    let mut receipts = ReceiptMatcher::new(sink.clone(), gateway.clone());
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        let flush_at = receipts.due();
        tokio::select! {
            event = events.recv() => {
                let Some(Inbound { kind, ack }) = event else { break };
                let ok = match kind {
                    InboundKind::Receipt(receipt) => {
                        receipts.push(receipt, ack).await;
                        continue;
                    }
                    InboundKind::Mo(mo) => match parts.accept(mo, now_ms()) {
                        Ok(Some(sms)) => store_mo(&sink, sms).await,
                        Ok(None) => true,
                        Err(e) => {
                            tracing::warn!(gateway = %gateway, "SMPP: bad MO part dropped: {e}");
                            true
                        }
                    },
                };
                let _ = ack.send(ok);
            }
            _ = tick.tick() => {
                for sms in parts.expired(now_ms(), parts_timeout) {
                    store_mo(&sink, sms).await;
                }
                receipts.retry_unmatched().await;
            }
            _ = sleep_until(flush_at.unwrap_or_else(tokio::time::Instant::now)), if flush_at.is_some() => {
                receipts.flush().await;
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    receipts.flush().await;
    // Whatever is still waiting for parts is stored as it is.
    for sms in parts.drain() {
        store_mo(&sink, sms).await;
    }
}

async fn store_mo(sink: &Sink, sms: InboundSms) -> bool {
    let gateway = sms.gateway.clone();
    match sink.receive(sms).await {
        Ok(received) => {
            tracing::info!(gateway = %gateway, inbound = received.inbound_id, "SMPP MO stored: {}", received.outcome);
            true
        }
        Err(e) => {
            tracing::error!(gateway = %gateway, "SMPP MO not stored (the SMSC will retry): {e}");
            false
        }
    }
}

type PartKey = (String, u16, u8);

/// Turns MO (whole, or parts of a concatenated message in any order) into the SMS to store.
pub(super) struct MoAssembler {
    gateway: String,
    reassembler: Reassembler,
    /// The first part of each pending concatenated message, for the stored fields, and when it
    /// arrived.
    firsts: HashMap<PartKey, (Mo, i64)>,
}

impl MoAssembler {
    pub(super) fn new(gateway: String) -> Self {
        Self {
            gateway,
            reassembler: Reassembler::new(),
            firsts: HashMap::new(),
        }
    }

    /// A whole message to store, `None` for a part held until the rest comes, or why a part
    /// was refused.
    pub(super) fn accept(&mut self, mo: Mo, now: i64) -> Result<Option<InboundSms>, String> {
        let Some(info) = mo.concat else {
            let id = mo_message_id(&mo, None, false, now);
            return Ok(Some(self.sms(&mo, id, false, now)));
        };
        let key = (mo.sender.clone(), info.reference, info.total);
        self.firsts
            .entry(key.clone())
            .or_insert_with(|| (mo.clone(), now));
        let part = InboundPart::new(mo.sender.clone(), info, mo.text.clone());
        match self.reassembler.accept(part, now.max(0) as u64) {
            Ok(Some(whole)) => {
                let (first, first_at) = self.firsts.remove(&key).unwrap_or((mo, now));
                Ok(Some(self.reassembled(first, first_at, whole, now)))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Messages whose missing parts have not come within `timeout`, as partial messages.
    pub(super) fn expired(&mut self, now: i64, timeout: Duration) -> Vec<InboundSms> {
        let wholes = self
            .reassembler
            .flush_expired(now.max(0) as u64, timeout.as_millis() as u64);
        self.take(wholes, now)
    }

    /// Every message still waiting for parts, as it is.
    pub(super) fn drain(&mut self) -> Vec<InboundSms> {
        let wholes = self.reassembler.flush_all();
        self.take(wholes, now_ms())
    }

    fn take(&mut self, wholes: Vec<ReassembledMessage>, now: i64) -> Vec<InboundSms> {
        wholes
            .into_iter()
            .filter_map(|whole| {
                let key = (whole.sender.clone(), whole.reference, whole.total);
                let (first, first_at) = self.firsts.remove(&key)?;
                Some(self.reassembled(first, first_at, whole, now))
            })
            .collect()
    }

    fn reassembled(
        &self,
        first: Mo,
        first_at: i64,
        whole: ReassembledMessage,
        now: i64,
    ) -> InboundSms {
        let mo = Mo {
            text: whole.text,
            concat: None,
            ..first
        };
        let id = mo_message_id(
            &mo,
            Some((whole.reference, whole.total)),
            whole.partial,
            first_at,
        );
        self.sms(&mo, id, whole.partial, now)
    }

    fn sms(&self, mo: &Mo, gateway_message_id: String, partial: bool, now: i64) -> InboundSms {
        InboundSms {
            gateway: self.gateway.clone(),
            gateway_message_id,
            sender: mo.sender.clone(),
            receiver: mo.receiver.clone(),
            text: mo.text.clone(),
            coding: mo.coding.clone(),
            partial,
            received_at: now,
        }
    }
}

/// FNV-1a: a stable hash (the same in every build and process) for message ids.
fn fnv(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0xFF)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// `gateway_message_id` of an MO. SMPP 3.4 gives an MO no id of its own, and an SMSC that
/// retries a `deliver_sm` (because our answer was lost or late) sends a new sequence number,
/// so the sequence number would turn each retry into a new message. The id is therefore built
/// from what a retry repeats: sender, receiver, coding and text (hashed), the concatenation
/// reference for a concatenated message, and a 10-minute bucket of the arrival time, so that
/// the same text sent again later is a new message. Costs: a retry that crosses a bucket
/// boundary, or the same text sent twice by one citizen within the bucket, is taken as one
/// message (the second is answered but not stored again).
fn mo_message_id(mo: &Mo, concat: Option<(u16, u8)>, partial: bool, received_at: i64) -> String {
    let bucket = received_at.div_euclid(MO_ID_BUCKET_MS);
    let hash = fnv(&[&mo.sender, &mo.receiver, &mo.coding, &mo.text]);
    match concat {
        None => format!("smpp:{}:{hash:016x}:{bucket}", mo.sender),
        Some((reference, total)) => format!(
            "smpp:{}:c{reference}-{total}{}:{hash:016x}:{bucket}",
            mo.sender,
            if partial { "p" } else { "" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::sms::ConcatInfo;

    #[test]
    fn mo_ids_are_stable_for_retries() {
        let mo = Mo {
            sender: "+6281".into(),
            receiver: "1708".into(),
            text: "DISHUB jalan rusak".into(),
            coding: "0".into(),
            concat: None,
        };
        let t = 1_700_000_000_000;
        assert_eq!(
            mo_message_id(&mo, None, false, t),
            mo_message_id(&mo, None, false, t + 1000)
        );
        let other = Mo {
            text: "DISHUB lampu mati".into(),
            ..mo.clone()
        };
        assert_ne!(
            mo_message_id(&mo, None, false, t),
            mo_message_id(&other, None, false, t)
        );
        assert_ne!(
            mo_message_id(&mo, Some((1, 3)), false, t),
            mo_message_id(&mo, Some((1, 3)), true, t)
        );
    }

    fn part(sequence: u8, text: &str) -> Mo {
        Mo {
            sender: "+6281".into(),
            receiver: "1708".into(),
            text: text.into(),
            coding: "0".into(),
            concat: Some(ConcatInfo {
                reference: 7,
                total: 3,
                sequence,
            }),
        }
    }

    #[test]
    fn parts_in_any_order_make_one_message_with_a_stable_id() {
        let t = 1_700_000_000_000;
        let mut parts = MoAssembler::new("operator".into());
        assert_eq!(parts.accept(part(3, "c"), t), Ok(None));
        assert_eq!(parts.accept(part(1, "a"), t + 1), Ok(None));
        let sms = parts.accept(part(2, "b"), t + 2).unwrap().unwrap();
        assert_eq!((sms.text.as_str(), sms.partial), ("abc", false));
        assert_eq!(sms.gateway, "operator");
        assert_eq!(sms.received_at, t + 2);
        // The SMSC sends the same parts again (our answers were lost): the same id.
        let mut again = MoAssembler::new("operator".into());
        again.accept(part(2, "b"), t + 5000).unwrap();
        again.accept(part(1, "a"), t + 5000).unwrap();
        let retry = again.accept(part(3, "c"), t + 5000).unwrap().unwrap();
        assert_eq!(retry.gateway_message_id, sms.gateway_message_id);
        assert!(parts.drain().is_empty());
    }

    #[test]
    fn missing_parts_give_a_partial_message_after_the_timeout() {
        let t = 1_700_000_000_000;
        let mut parts = MoAssembler::new("operator".into());
        parts.accept(part(1, "a"), t).unwrap();
        parts.accept(part(3, "c"), t).unwrap();
        assert!(parts.expired(t + 500, Duration::from_secs(1)).is_empty());
        let partial = parts.expired(t + 1500, Duration::from_secs(1));
        assert_eq!(partial.len(), 1);
        assert!(partial[0].partial);
        assert_eq!(
            partial[0].text,
            format!("a{}c", domain::sms::reassembly::MISSING_MARKER)
        );
        assert!(parts.drain().is_empty());
    }
}
