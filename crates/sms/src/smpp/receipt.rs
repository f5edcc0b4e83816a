//! Delivery receipts: what a receipt says (its text and TLVs), and matching receipts to the
//! outbox messages they belong to by the SMSC's message id, in batches, with a second look for
//! receipts that beat the record of their message.

use super::RECEIPT_MATCH_WINDOW;
use crate::sink::{DeliveryReport, Sink};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// A delivery receipt: the SMSC's message id and what became of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: String,
    /// `Some(true)` delivered, `Some(false)` failed for good, `None` not final.
    pub delivered: Option<bool>,
    /// For the outbox: the receipt's `stat` and, when not zero, its `err`.
    pub detail: String,
}

/// The value after `key:` in a receipt text, up to the next space (`text:` takes the rest).
fn receipt_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    let needle = format!("{key}:");
    let mut from = 0;
    while let Some(found) = lower[from..].find(&needle) {
        let at = from + found;
        if at == 0 || lower.as_bytes()[at - 1] == b' ' {
            let rest = &text[at + needle.len()..];
            let end = rest.find(' ').unwrap_or(rest.len());
            return Some(&rest[..end]);
        }
        from = at + needle.len();
    }
    None
}

/// The outcome of a receipt's `stat` (SMPP 3.4 Appendix B): DELIVRD delivered; UNDELIV,
/// REJECTD, EXPIRED, DELETED failed; ACCEPTD, ENROUTE, UNKNOWN and anything else not final.
pub fn stat_outcome(stat: &str) -> Option<bool> {
    match stat.trim().to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" => Some(true),
        "UNDELIV" | "REJECTD" | "EXPIRED" | "DELETED" | "UNDELIVERABLE" | "REJECTED" => Some(false),
        _ => None,
    }
}

/// The `message_state` TLV's outcome: 2 delivered; 3 expired, 4 deleted, 5 undeliverable,
/// 8 rejected failed; the rest not final.
pub fn message_state_outcome(state: u8) -> (Option<bool>, &'static str) {
    match state {
        2 => (Some(true), "DELIVRD"),
        3 => (Some(false), "EXPIRED"),
        4 => (Some(false), "DELETED"),
        5 => (Some(false), "UNDELIV"),
        8 => (Some(false), "REJECTD"),
        1 => (None, "ENROUTE"),
        6 => (None, "ACCEPTD"),
        _ => (None, "UNKNOWN"),
    }
}

/// Parses a delivery receipt from its text (`id:… sub:… dlvrd:… submit date:… done date:…
/// stat:… err:… text:…`) and, when present, the `receipted_message_id` and `message_state`
/// TLVs, which win over the text.
pub fn parse_receipt(
    text: &str,
    receipted_message_id: Option<&str>,
    message_state: Option<u8>,
) -> Option<Receipt> {
    let reference = receipted_message_id
        .filter(|id| !id.is_empty())
        .or_else(|| receipt_field(text, "id"))?
        .to_string();
    let stat = receipt_field(text, "stat");
    let err = receipt_field(text, "err").filter(|e| !e.trim_start_matches('0').is_empty());
    let (delivered, stat) = match (message_state, stat) {
        (Some(state), _) => {
            let (delivered, name) = message_state_outcome(state);
            (
                delivered,
                stat.map(str::to_string).unwrap_or(name.to_string()),
            )
        }
        (None, Some(stat)) => (stat_outcome(stat), stat.to_string()),
        (None, None) => (None, "UNKNOWN".to_string()),
    };
    let detail = match err {
        Some(err) => format!("{stat} err:{err}"),
        None => stat,
    };
    Some(Receipt {
        reference,
        delivered,
        detail,
    })
}

/// Receipts are stored in batches: when this many are waiting…
pub const RECEIPT_BATCH: usize = 200;
/// …or this long after the first of them arrived, whichever comes first.
pub const RECEIPT_FLUSH_INTERVAL: Duration = Duration::from_millis(5);
/// An unmatched receipt is looked up under the other spellings of its id (hex for decimal and
/// the other way round) only once it has been unmatched this long: before that, the message it
/// belongs to may simply not be marked sent yet (its outcome is written in batches), and an
/// alternative spelling could match another message.
pub const RECEIPT_ALT_DELAY: Duration = Duration::from_secs(2);

impl Receipt {
    fn report(&self, reference: &str) -> DeliveryReport {
        DeliveryReport {
            reference: reference.to_string(),
            delivered: self.delivered,
            detail: self.detail.clone(),
        }
    }
}

struct UnmatchedReceipt {
    receipt: Receipt,
    /// When it first failed to match.
    since: Instant,
    until: Instant,
}

/// The receipts of one gateway on their way to the sink.
pub(super) struct ReceiptMatcher {
    sink: Sink,
    gateway: String,
    /// Receipts waiting for the next batch, with their acknowledgements…
    waiting: Vec<(Receipt, oneshot::Sender<bool>)>,
    /// …and when that batch is due.
    flush_at: Instant,
    unmatched: Vec<UnmatchedReceipt>,
}

impl ReceiptMatcher {
    pub(super) fn new(sink: Sink, gateway: String) -> Self {
        Self {
            sink,
            gateway,
            waiting: Vec::new(),
            flush_at: Instant::now(),
            unmatched: Vec::new(),
        }
    }

    /// Queues a receipt for the next batch (stored at once when the batch is full); `ack` is
    /// answered once its batch is committed.
    pub(super) async fn push(&mut self, receipt: Receipt, ack: oneshot::Sender<bool>) {
        if self.waiting.is_empty() {
            self.flush_at = Instant::now() + RECEIPT_FLUSH_INTERVAL;
        }
        self.waiting.push((receipt, ack));
        if self.waiting.len() >= RECEIPT_BATCH {
            self.flush().await;
        }
    }

    /// When the waiting batch is due, if there is one.
    pub(super) fn due(&self) -> Option<Instant> {
        (!self.waiting.is_empty()).then_some(self.flush_at)
    }

    /// Stores the waiting receipts in one sink call and answers their `deliver_sm` when it is
    /// committed. A receipt whose message is not marked sent yet (its `submit_sm_resp` can beat
    /// the batched write of the outcome) is acknowledged and looked up again for
    /// [`RECEIPT_MATCH_WINDOW`] (see [`ReceiptMatcher::retry_unmatched`]). When the sink fails,
    /// every receipt of the batch is answered `ESME_RX_T_APPN` and the SMSC sends it again.
    pub(super) async fn flush(&mut self) {
        let batch = std::mem::take(&mut self.waiting);
        if batch.is_empty() {
            return;
        }
        let reports: Vec<DeliveryReport> =
            batch.iter().map(|(r, _)| r.report(&r.reference)).collect();
        match self.sink.record_reports(&self.gateway, &reports).await {
            Ok(missing) => {
                let missing: HashSet<String> = missing.into_iter().collect();
                let now = Instant::now();
                for (receipt, ack) in batch {
                    if missing.contains(&receipt.reference) {
                        self.unmatched.push(UnmatchedReceipt {
                            receipt,
                            since: now,
                            until: now + RECEIPT_MATCH_WINDOW,
                        });
                    }
                    let _ = ack.send(true);
                }
            }
            Err(e) => {
                tracing::error!(gateway = %self.gateway, "SMPP receipts not stored (the SMSC will retry): {e}");
                for (_, ack) in batch {
                    let _ = ack.send(false);
                }
            }
        }
    }

    /// Looks the unmatched receipts up again, in batches: by their own id, then (once they have
    /// waited [`RECEIPT_ALT_DELAY`]) by each other spelling in turn, the first that matches
    /// winning. Keeps those still unmatched and not expired.
    pub(super) async fn retry_unmatched(&mut self) {
        if self.unmatched.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.unmatched);
        let gateway = self.gateway.as_str();
        let store_error = |e: crate::sink::SinkError| {
            tracing::error!(gateway = %gateway, "SMPP receipts not stored: {e}");
        };
        let reports: Vec<DeliveryReport> = pending
            .iter()
            .map(|p| p.receipt.report(&p.receipt.reference))
            .collect();
        let missing = match self.sink.record_reports(gateway, &reports).await {
            Ok(missing) => missing.into_iter().collect::<HashSet<String>>(),
            Err(e) => {
                store_error(e);
                self.unmatched = pending;
                return;
            }
        };
        let now = Instant::now();
        // Each receipt still unmatched with the spellings left to try.
        let mut still: Vec<(UnmatchedReceipt, Vec<String>)> = pending
            .into_iter()
            .filter(|p| missing.contains(&p.receipt.reference))
            .map(|p| {
                let alternatives = if now.duration_since(p.since) >= RECEIPT_ALT_DELAY {
                    alternative_references(&p.receipt.reference)
                } else {
                    Vec::new()
                };
                (p, alternatives)
            })
            .collect();
        for round in 0..3 {
            let tried: Vec<usize> = (0..still.len())
                .filter(|&i| still[i].1.len() > round)
                .collect();
            if tried.is_empty() {
                break;
            }
            let reports: Vec<DeliveryReport> = tried
                .iter()
                .map(|&i| {
                    let (p, alternatives) = &still[i];
                    p.receipt.report(&alternatives[round])
                })
                .collect();
            let missing = match self.sink.record_reports(gateway, &reports).await {
                Ok(missing) => missing.into_iter().collect::<HashSet<String>>(),
                Err(e) => {
                    store_error(e);
                    break;
                }
            };
            // A matched receipt is done and tries no further spelling.
            let matched: HashSet<usize> = tried
                .into_iter()
                .filter(|&i| !missing.contains(&still[i].1[round]))
                .collect();
            let mut i = 0;
            still.retain(|_| {
                i += 1;
                !matched.contains(&(i - 1))
            });
        }
        self.unmatched = still
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| {
                let keep = p.until > now;
                if !keep {
                    tracing::debug!(gateway = %gateway, "SMPP receipt for unknown message {}", p.receipt.reference);
                }
                keep
            })
            .collect();
    }
}

/// Other spellings of a receipt's id: some SMSCs answer submit_sm with a hex id and put it in
/// decimal in the receipt text (or the other way round).
fn alternative_references(reference: &str) -> Vec<String> {
    let mut candidates = Vec::new();
    if let Ok(n) = reference.parse::<u64>() {
        candidates.push(format!("{n:x}"));
        candidates.push(format!("{n:X}"));
    }
    if let Ok(n) = u64::from_str_radix(reference, 16) {
        candidates.push(n.to_string());
    }
    candidates.retain(|c| c != reference);
    candidates.dedup();
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_text_is_parsed() {
        let r = parse_receipt(
            "id:1234 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:Halo",
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            r,
            Receipt {
                reference: "1234".into(),
                delivered: Some(true),
                detail: "DELIVRD".into()
            }
        );
        let r = parse_receipt(
            "id:abc sub:001 dlvrd:000 submit date:2501011200 done date:2501011201 stat:UNDELIV err:001 text:",
            None,
            None,
        )
        .unwrap();
        assert_eq!(r.delivered, Some(false));
        assert_eq!(r.detail, "UNDELIV err:001");
        for (stat, outcome) in [
            ("REJECTD", Some(false)),
            ("EXPIRED", Some(false)),
            ("DELETED", Some(false)),
            ("ACCEPTD", None),
            ("ENROUTE", None),
            ("UNKNOWN", None),
        ] {
            let r = parse_receipt(&format!("id:9 stat:{stat}"), None, None).unwrap();
            assert_eq!(r.delivered, outcome, "{stat}");
        }
        // "id:" inside another field is not the id.
        assert_eq!(
            parse_receipt("sub:001 xid:5 id:7 stat:DELIVRD", None, None)
                .unwrap()
                .reference,
            "7"
        );
        assert!(parse_receipt("stat:DELIVRD", None, None).is_none());
    }

    #[test]
    fn receipt_tlvs_win_over_the_text() {
        let r = parse_receipt("id:1 stat:ENROUTE", Some("0A1B"), Some(5)).unwrap();
        assert_eq!(r.reference, "0A1B");
        assert_eq!(r.delivered, Some(false));
        let r = parse_receipt("", Some("77"), Some(2)).unwrap();
        assert_eq!(
            (r.reference.as_str(), r.delivered, r.detail.as_str()),
            ("77", Some(true), "DELIVRD")
        );
    }

    #[test]
    fn other_spellings_of_an_id() {
        assert_eq!(alternative_references("255"), ["ff", "FF", "597"]);
        assert_eq!(alternative_references("0A1B"), ["2587"]);
        assert!(alternative_references("xyz").is_empty());
    }
}
