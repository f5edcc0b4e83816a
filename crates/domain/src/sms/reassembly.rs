//! Reassembly of inbound concatenated SMS. Pure: the caller passes the time in and persists
//! nothing here; parts are kept in memory until complete or flushed.

use super::udh::ConcatInfo;
use std::collections::BTreeMap;

/// Stands for a part that never arrived in a flushed message.
pub const MISSING_MARKER: &str = "[…]";

/// One decoded part of a concatenated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundPart {
    pub sender: String,
    pub reference: u16,
    pub total: u8,
    /// From 1 to `total`.
    pub sequence: u8,
    pub text: String,
}

impl InboundPart {
    pub fn new(sender: impl Into<String>, info: ConcatInfo, text: impl Into<String>) -> Self {
        Self {
            sender: sender.into(),
            reference: info.reference,
            total: info.total,
            sequence: info.sequence,
            text: text.into(),
        }
    }
}

/// A whole message, or with `partial` what had arrived when it was flushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReassembledMessage {
    pub sender: String,
    pub reference: u16,
    pub total: u8,
    /// Parts in order; each missing one replaced by [`MISSING_MARKER`].
    pub text: String,
    pub partial: bool,
    /// Sequence numbers that never arrived (empty unless `partial`).
    pub missing: Vec<u8>,
    /// When the first part arrived.
    pub first_received_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bagian pesan {sequence} di luar 1..={total}")]
pub struct InvalidPart {
    pub sequence: u8,
    pub total: u8,
}

type Key = (String, u16, u8);

#[derive(Debug)]
struct Pending {
    first_received_ms: u64,
    parts: Vec<Option<String>>,
}

#[derive(Debug)]
struct Completed {
    at_ms: u64,
    parts: Vec<String>,
}

/// Collects parts keyed by (sender, reference, total), in any order.
#[derive(Debug, Default)]
pub struct Reassembler {
    pending: BTreeMap<Key, Pending>,
    /// Recently completed messages, so that a late duplicate (an SMSC retry) does not start a
    /// new message; kept for one timeout.
    completed: BTreeMap<Key, Completed>,
}

impl Reassembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a part; returns the message when this part completes it. A part already received is
    /// ignored, also shortly after its message was completed.
    pub fn accept(
        &mut self,
        part: InboundPart,
        now_ms: u64,
    ) -> Result<Option<ReassembledMessage>, InvalidPart> {
        let InboundPart {
            sender,
            reference,
            total,
            sequence,
            text,
        } = part;
        if sequence == 0 || sequence > total {
            return Err(InvalidPart { sequence, total });
        }
        let index = usize::from(sequence - 1);
        let key = (sender, reference, total);
        if let Some(done) = self.completed.get(&key) {
            if done.parts[index] == text {
                return Ok(None);
            }
            // Same reference, different text: the sender has started a new message.
            self.completed.remove(&key);
        }
        let pending = self.pending.entry(key.clone()).or_insert_with(|| Pending {
            first_received_ms: now_ms,
            parts: vec![None; usize::from(total)],
        });
        if pending.parts[index].is_some() {
            return Ok(None);
        }
        pending.parts[index] = Some(text);
        if pending.parts.iter().any(Option::is_none) {
            return Ok(None);
        }
        let Some(pending) = self.pending.remove(&key) else {
            return Ok(None);
        };
        let parts: Vec<String> = pending.parts.into_iter().flatten().collect();
        let message = ReassembledMessage {
            sender: key.0.clone(),
            reference,
            total,
            text: parts.concat(),
            partial: false,
            missing: Vec::new(),
            first_received_ms: pending.first_received_ms,
        };
        self.completed.insert(
            key,
            Completed {
                at_ms: now_ms,
                parts,
            },
        );
        Ok(Some(message))
    }

    /// Gives up on messages whose first part arrived `timeout_ms` or longer ago and returns
    /// what arrived of them, oldest first.
    pub fn flush_expired(&mut self, now_ms: u64, timeout_ms: u64) -> Vec<ReassembledMessage> {
        let age = |since: u64| now_ms.saturating_sub(since);
        self.completed
            .retain(|_, done| age(done.at_ms) < timeout_ms);
        let expired: Vec<Key> = self
            .pending
            .iter()
            .filter(|(_, p)| age(p.first_received_ms) >= timeout_ms)
            .map(|(key, _)| key.clone())
            .collect();
        let mut messages: Vec<_> = expired
            .into_iter()
            .filter_map(|key| {
                let pending = self.pending.remove(&key)?;
                Some(partial(key, pending))
            })
            .collect();
        messages.sort_by_key(|m| m.first_received_ms);
        messages
    }

    /// Returns everything still waiting, as on shutdown, oldest first.
    pub fn flush_all(&mut self) -> Vec<ReassembledMessage> {
        self.completed.clear();
        let mut messages: Vec<_> = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(key, pending)| partial(key, pending))
            .collect();
        messages.sort_by_key(|m| m.first_received_ms);
        messages
    }

    /// Messages waiting for parts.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }
}

fn partial((sender, reference, total): Key, pending: Pending) -> ReassembledMessage {
    let mut text = String::new();
    let mut missing = Vec::new();
    for (sequence, part) in (1..=total).zip(pending.parts) {
        match part {
            Some(part) => text.push_str(&part),
            None => {
                text.push_str(MISSING_MARKER);
                missing.push(sequence);
            }
        }
    }
    ReassembledMessage {
        sender,
        reference,
        total,
        text,
        partial: true,
        missing,
        first_received_ms: pending.first_received_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn part(sender: &str, reference: u16, total: u8, sequence: u8, text: &str) -> InboundPart {
        InboundPart {
            sender: sender.into(),
            reference,
            total,
            sequence,
            text: text.into(),
        }
    }

    #[test]
    fn parts_in_any_order() {
        let mut r = Reassembler::new();
        assert_eq!(r.accept(part("+62811", 7, 3, 3, "ak."), 0), Ok(None));
        assert_eq!(r.accept(part("+62811", 7, 3, 1, "Jalan "), 5), Ok(None));
        assert_eq!(r.pending_count(), 1);
        let done = r
            .accept(part("+62811", 7, 3, 2, "rus"), 9)
            .unwrap()
            .unwrap();
        assert_eq!(done.text, "Jalan rusak.");
        assert!(!done.partial);
        assert!(done.missing.is_empty());
        assert_eq!(done.first_received_ms, 0);
        assert_eq!(r.pending_count(), 0);
    }

    #[test]
    fn single_part_message_is_complete_at_once() {
        let mut r = Reassembler::new();
        let done = r
            .accept(part("+62811", 1, 1, 1, "halo"), 0)
            .unwrap()
            .unwrap();
        assert_eq!(done.text, "halo");
        assert_eq!(r.accept(part("+62811", 1, 1, 1, "halo"), 1), Ok(None));
    }

    #[test]
    fn duplicates_are_ignored_even_after_completion() {
        let mut r = Reassembler::new();
        r.accept(part("a", 1, 2, 1, "x"), 0).unwrap();
        assert_eq!(r.accept(part("a", 1, 2, 1, "x"), 1), Ok(None));
        assert!(r.accept(part("a", 1, 2, 2, "y"), 2).unwrap().is_some());
        assert_eq!(r.accept(part("a", 1, 2, 2, "y"), 3), Ok(None));
        assert_eq!(r.pending_count(), 0);
        assert!(r.flush_expired(1_000_000, 1000).is_empty());
    }

    #[test]
    fn reused_reference_with_new_text_starts_a_new_message() {
        let mut r = Reassembler::new();
        r.accept(part("a", 1, 2, 1, "x"), 0).unwrap();
        r.accept(part("a", 1, 2, 2, "y"), 0).unwrap();
        assert_eq!(r.accept(part("a", 1, 2, 1, "other "), 10), Ok(None));
        let done = r.accept(part("a", 1, 2, 2, "text"), 11).unwrap().unwrap();
        assert_eq!(done.text, "other text");
        // After the timeout even an identical text is a new message.
        r.flush_expired(100_000, 1000);
        assert_eq!(r.accept(part("a", 1, 2, 1, "other "), 100_001), Ok(None));
        assert_eq!(r.pending_count(), 1);
    }

    #[test]
    fn keys_do_not_mix() {
        let mut r = Reassembler::new();
        r.accept(part("a", 1, 2, 1, "a1 "), 0).unwrap();
        r.accept(part("b", 1, 2, 1, "b1 "), 0).unwrap();
        r.accept(part("a", 2, 2, 1, "a'1 "), 0).unwrap();
        r.accept(part("a", 1, 3, 1, "a3 "), 0).unwrap();
        assert_eq!(r.pending_count(), 4);
        let done = r.accept(part("b", 1, 2, 2, "b2"), 0).unwrap().unwrap();
        assert_eq!((done.sender.as_str(), done.text.as_str()), ("b", "b1 b2"));
    }

    #[test]
    fn invalid_sequence_is_refused() {
        let mut r = Reassembler::new();
        assert_eq!(
            r.accept(part("a", 1, 2, 0, "x"), 0),
            Err(InvalidPart {
                sequence: 0,
                total: 2
            })
        );
        assert!(r.accept(part("a", 1, 2, 3, "x"), 0).is_err());
        assert!(r.accept(part("a", 1, 0, 0, "x"), 0).is_err());
        assert_eq!(r.pending_count(), 0);
    }

    #[test]
    fn expired_messages_are_flushed_with_markers() {
        let mut r = Reassembler::new();
        r.accept(part("a", 1, 4, 2, "tengah "), 1000).unwrap();
        r.accept(part("a", 1, 4, 4, "akhir"), 1500).unwrap();
        r.accept(part("b", 9, 2, 1, "awal "), 500).unwrap();
        assert!(r.flush_expired(1400, 1000).is_empty());
        let flushed = r.flush_expired(1500, 1000);
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].text, "awal […]");
        assert_eq!(flushed[0].missing, vec![2]);
        assert!(flushed[0].partial);
        let flushed = r.flush_expired(2000, 1000);
        assert_eq!(flushed[0].text, "[…]tengah […]akhir");
        assert_eq!(flushed[0].missing, vec![1, 3]);
        assert_eq!(r.pending_count(), 0);
    }

    #[test]
    fn clock_going_backwards_does_not_flush() {
        let mut r = Reassembler::new();
        r.accept(part("a", 1, 2, 1, "x"), 5000).unwrap();
        assert!(r.flush_expired(10, 1000).is_empty());
    }

    #[test]
    fn flush_all_returns_everything_oldest_first() {
        let mut r = Reassembler::new();
        r.accept(part("z", 1, 2, 2, "2"), 20).unwrap();
        r.accept(part("a", 1, 2, 1, "1"), 30).unwrap();
        let all = r.flush_all();
        assert_eq!(
            all.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
            vec!["[…]2", "1[…]"]
        );
        assert_eq!(r.pending_count(), 0);
    }

    #[test]
    fn built_from_a_parsed_header() {
        let info = ConcatInfo {
            reference: 300,
            total: 2,
            sequence: 2,
        };
        let p = InboundPart::new("+62811", info, "x");
        assert_eq!(p, part("+62811", 300, 2, 2, "x"));
    }

    /// Parts of a message and an arrival order covering each part at least once.
    fn parts_and_order() -> impl Strategy<Value = (Vec<String>, Vec<usize>)> {
        prop::collection::vec("\\PC{0,12}", 1..=10).prop_flat_map(|parts| {
            let n = parts.len();
            prop::collection::vec(0..n, 0..12).prop_flat_map(move |dups| {
                let order: Vec<usize> = (0..n).chain(dups).collect();
                (Just(parts.clone()), Just(order).prop_shuffle())
            })
        })
    }

    proptest! {
        #[test]
        fn any_order_with_duplicates_reassembles((parts, order) in parts_and_order(), reference in any::<u16>()) {
            let total = u8::try_from(parts.len()).unwrap();
            let mut r = Reassembler::new();
            let mut done = Vec::new();
            for (now, &i) in order.iter().enumerate() {
                let sequence = u8::try_from(i + 1).unwrap();
                let p = part("+6281234567890", reference, total, sequence, &parts[i]);
                if let Some(message) = r.accept(p, now as u64).unwrap() {
                    done.push(message);
                }
            }
            prop_assert_eq!(done.len(), 1);
            prop_assert_eq!(&done[0].text, &parts.concat());
            prop_assert!(!done[0].partial);
            prop_assert_eq!(r.pending_count(), 0);
            prop_assert!(r.flush_all().is_empty());
        }

        #[test]
        fn missing_parts_are_marked_in_place(
            parts in prop::collection::vec("[a-z ]{1,8}", 2..=10),
            keep in prop::collection::vec(any::<bool>(), 10),
        ) {
            let total = u8::try_from(parts.len()).unwrap();
            prop_assume!(keep[..parts.len()].iter().any(|k| !k));
            let mut r = Reassembler::new();
            let mut expected = String::new();
            let mut missing = Vec::new();
            for (i, text) in parts.iter().enumerate() {
                let sequence = u8::try_from(i + 1).unwrap();
                if keep[i] {
                    prop_assert_eq!(r.accept(part("a", 1, total, sequence, text), 0).unwrap(), None);
                    expected.push_str(text);
                } else {
                    expected.push_str(MISSING_MARKER);
                    missing.push(sequence);
                }
            }
            let flushed = r.flush_expired(60_000, 60_000);
            if keep[..parts.len()].iter().any(|k| *k) {
                prop_assert_eq!(flushed.len(), 1);
                prop_assert_eq!(&flushed[0].text, &expected);
                prop_assert_eq!(&flushed[0].missing, &missing);
                prop_assert!(flushed[0].partial);
            } else {
                prop_assert!(flushed.is_empty());
            }
        }
    }
}
