//! gammu's `inbox` rows as inbound messages: concatenated parts joined by their UDH.

use super::hex_decode;
use domain::sms::reassembly::MISSING_MARKER;
use domain::sms::udh::parse_udh;
use std::collections::{BTreeMap, HashSet};

/// Balai's `coding` of an inbound message (as Kannel numbers them) from gammu's `Coding`.
pub fn inbound_coding(gammu_coding: &str) -> &'static str {
    match gammu_coding {
        "Unicode_No_Compression" | "Unicode_Compression" => "2",
        "8bit" => "1",
        _ => "0",
    }
}

/// An unprocessed row of gammu's `inbox`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub id: i64,
    pub sender: String,
    pub recipient_id: String,
    pub smsc: String,
    pub text: String,
    pub coding: String,
    pub udh: String,
    pub raw_text: String,
}

impl InboxRow {
    fn decoded_text(&self) -> String {
        if self.coding == "8bit" {
            let bytes = hex_decode(&self.raw_text).unwrap_or_default();
            return match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => domain::sms::encoding::decode_latin1(e.as_bytes()),
            };
        }
        self.text.clone()
    }

    fn receiver(&self) -> String {
        if self.recipient_id.trim().is_empty() {
            self.smsc.clone()
        } else {
            self.recipient_id.clone()
        }
    }
}

/// Inbound messages assembled from inbox rows, with the rows each one consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundBatchItem {
    /// gammu inbox IDs, lowest first; the first names the message.
    pub row_ids: Vec<i64>,
    pub sender: String,
    pub receiver: String,
    pub text: String,
    pub coding: String,
    pub partial: bool,
}

pub(super) type PartKey = (String, u16, u8);

/// Joins the parts of concatenated messages (by their UDH) and passes single messages through.
/// An incomplete message waits until `expired(key)` says its parts will not come any more.
pub fn assemble_inbox(
    rows: &[InboxRow],
    mut expired: impl FnMut(&PartKey) -> bool,
) -> (Vec<InboundBatchItem>, Vec<PartKey>) {
    let mut items = Vec::new();
    let mut groups: BTreeMap<PartKey, Vec<(u8, &InboxRow)>> = BTreeMap::new();
    for row in rows {
        let concat = hex_decode(&row.udh)
            .filter(|udh| !udh.is_empty())
            .and_then(|udh| parse_udh(&udh).ok().flatten());
        match concat {
            Some(info) if info.total > 1 => groups
                .entry((row.sender.clone(), info.reference, info.total))
                .or_default()
                .push((info.sequence, row)),
            _ => items.push(InboundBatchItem {
                row_ids: vec![row.id],
                sender: row.sender.clone(),
                receiver: row.receiver(),
                text: row.decoded_text(),
                coding: inbound_coding(&row.coding).to_string(),
                partial: false,
            }),
        }
    }
    let mut waiting = Vec::new();
    for (key, mut parts) in groups {
        parts.sort_by_key(|(sequence, row)| (*sequence, row.id));
        let present: HashSet<u8> = parts.iter().map(|(s, _)| *s).collect();
        let complete = (1..=key.2).all(|s| present.contains(&s));
        if !complete && !expired(&key) {
            waiting.push(key);
            continue;
        }
        let mut text = String::new();
        let mut coding = "0";
        for sequence in 1..=key.2 {
            match parts.iter().find(|(s, _)| *s == sequence) {
                Some((_, row)) => {
                    text.push_str(&row.decoded_text());
                    if inbound_coding(&row.coding) != "0" {
                        coding = inbound_coding(&row.coding);
                    }
                }
                None => text.push_str(MISSING_MARKER),
            }
        }
        let mut row_ids: Vec<i64> = parts.iter().map(|(_, row)| row.id).collect();
        row_ids.sort_unstable();
        items.push(InboundBatchItem {
            row_ids,
            sender: key.0.clone(),
            receiver: parts[0].1.receiver(),
            text,
            coding: coding.to_string(),
            partial: !complete,
        });
    }
    items.sort_by_key(|item| item.row_ids[0]);
    (items, waiting)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gammu_codings_map_to_balai_codes() {
        assert_eq!(inbound_coding("Default_No_Compression"), "0");
        assert_eq!(inbound_coding("Unicode_No_Compression"), "2");
        assert_eq!(inbound_coding("8bit"), "1");
    }

    fn row(id: i64, udh: &str, text: &str) -> InboxRow {
        InboxRow {
            id,
            sender: "+6281234567890".into(),
            recipient_id: "modem1".into(),
            smsc: "+6281100000".into(),
            text: text.into(),
            coding: "Default_No_Compression".into(),
            udh: udh.into(),
            raw_text: String::new(),
        }
    }

    #[test]
    fn inbox_parts_are_joined_in_order() {
        let rows = [
            row(10, "", "DISHUB satu"),
            row(11, "050003110202", " bagian dua"),
            row(12, "050003110201", "DISHUB bagian satu"),
            row(13, "050003220201", "menunggu"),
        ];
        let (items, waiting) = assemble_inbox(&rows, |_| false);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].row_ids, [10]);
        assert_eq!(items[0].receiver, "modem1");
        assert_eq!(items[1].row_ids, [11, 12]);
        assert_eq!(items[1].text, "DISHUB bagian satu bagian dua");
        assert!(!items[1].partial);
        assert_eq!(waiting, [("+6281234567890".to_string(), 0x22, 2)]);

        let (items, waiting) = assemble_inbox(&rows[3..], |_| true);
        assert!(waiting.is_empty());
        assert_eq!(items[0].text, format!("menunggu{MISSING_MARKER}"));
        assert!(items[0].partial);
    }

    #[test]
    fn eight_bit_text_comes_from_hex() {
        let mut r = row(1, "", "");
        r.coding = "8bit".into();
        r.raw_text = "444953485542".into();
        assert_eq!(r.decoded_text(), "DISHUB");
        r.recipient_id = String::new();
        assert_eq!(r.receiver(), "+6281100000");
    }
}
