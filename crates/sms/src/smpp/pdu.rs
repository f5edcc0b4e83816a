//! The PDU codec: SMPP 3.4 frames on the wire (encoded and decoded by `rusmpp`), what a
//! `deliver_sm` carries (an MO or a delivery receipt) and the `submit_sm` PDUs of an outbox
//! message.

use super::receipt::{Receipt, parse_receipt};
use crate::sender::SendError;
use crate::sink::OutboundSms;
use bytes::BytesMut;
use domain::sms::encoding::{self, Encoding};
use domain::sms::udh::{self, ConcatInfo, ConcatReference};
use rusmpp::pdus::{DeliverSm, SubmitSm};
use rusmpp::tlvs::TlvValue;
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{DataCoding, EsmClass, Npi, RegisteredDelivery, Ton};
use rusmpp::{Command, CommandStatus, Pdu};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio_util::codec::{Decoder, Encoder};

/// One mobile-originated SMS (or one part of a concatenated one), decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mo {
    pub sender: String,
    pub receiver: String,
    pub text: String,
    /// Kannel's codes, as the other gateways store them: 0 = 7-bit/ASCII, 1 = 8-bit, 2 = UCS-2.
    pub coding: String,
    pub concat: Option<ConcatInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundKind {
    Mo(Mo),
    Receipt(Receipt),
}

/// Decodes short message bytes by SMPP data_coding: 0 GSM-7 default alphabet (unpacked, one
/// septet per octet), 1 IA5/ASCII, 3 Latin-1, 8 UCS-2; the GSM 03.38 coding groups (0x1X,
/// 0xFX) by their alphabet bits; other 8-bit codings as Latin-1. Returns the text and Kannel's
/// coding code.
pub fn decode_text(data_coding: u8, bytes: &[u8]) -> (String, &'static str) {
    #[derive(PartialEq)]
    enum Alphabet {
        Gsm7,
        Ascii,
        Latin1,
        Ucs2,
    }
    let alphabet = match data_coding {
        0x00 => Alphabet::Gsm7,
        0x01 => Alphabet::Ascii,
        0x08 => Alphabet::Ucs2,
        // General data coding group with the alphabet in bits 3..2.
        0x10..=0x3F => match (data_coding >> 2) & 0x03 {
            0 => Alphabet::Gsm7,
            2 => Alphabet::Ucs2,
            _ => Alphabet::Latin1,
        },
        // Message class group: bit 2 is 8-bit data.
        0xF0..=0xFF if data_coding & 0x04 == 0 => Alphabet::Gsm7,
        _ => Alphabet::Latin1,
    };
    match alphabet {
        Alphabet::Gsm7 => (encoding::decode_gsm7_unpacked(bytes), "0"),
        Alphabet::Ascii => (bytes.iter().map(|&b| char::from(b & 0x7F)).collect(), "0"),
        Alphabet::Latin1 => (encoding::decode_latin1(bytes), "1"),
        Alphabet::Ucs2 => (encoding::decode_ucs2(bytes), "2"),
    }
}

/// What a `deliver_sm` carries: a receipt when esm_class says so (message type 0x04, also the
/// SME acknowledgements 0x08/0x10 and intermediate notification 0x20 as receipts), otherwise an
/// MO, with its UDH parsed when esm_class has the UDHI bit (0x40).
pub fn parse_deliver_sm(pdu: &DeliverSm) -> Result<InboundKind, String> {
    let esm_class = u8::from(pdu.esm_class);
    let data_coding = u8::from(pdu.data_coding);
    let mut receipted_message_id = None;
    let mut message_state = None;
    let mut payload: Option<&[u8]> = None;
    for tlv in pdu.tlvs() {
        match tlv.value() {
            Some(TlvValue::ReceiptedMessageId(id)) => receipted_message_id = Some(id.as_str()),
            Some(TlvValue::MessageState(state)) => message_state = Some(u8::from(*state)),
            Some(TlvValue::MessagePayload(p)) => payload = Some(p.value.as_ref()),
            _ => {}
        }
    }
    let short_message: &[u8] = pdu.short_message().as_ref();
    let bytes = match payload {
        Some(p) if short_message.is_empty() => p,
        _ => short_message,
    };
    if esm_class & 0x3C != 0 {
        let (text, _) = decode_text(data_coding, bytes);
        return parse_receipt(&text, receipted_message_id, message_state)
            .map(InboundKind::Receipt)
            .ok_or_else(|| format!("delivery receipt without a message id: {text:?}"));
    }
    let (concat, user_data) = if esm_class & 0x40 != 0 {
        udh::split_user_data(bytes).map_err(|e| format!("bad UDH: {e}"))?
    } else {
        (None, bytes)
    };
    let (text, coding) = decode_text(data_coding, user_data);
    Ok(InboundKind::Mo(Mo {
        sender: address(pdu.source_addr_ton, pdu.source_addr.as_str()),
        receiver: pdu.destination_addr.as_str().to_string(),
        text,
        coding: coding.to_string(),
        concat,
    }))
}

/// An international number gets its `+` back (E.164, as the rest of Balai stores numbers).
fn address(ton: Ton, addr: &str) -> String {
    if ton == Ton::International && !addr.starts_with('+') && !addr.is_empty() {
        format!("+{addr}")
    } else {
        addr.to_string()
    }
}

/// The `submit_sm` PDUs of one message (GSM-7 with data_coding 0 when the text fits the GSM
/// alphabet, else UCS-2 with data_coding 8; long texts as concatenated parts with a UDH,
/// esm_class 0x40, under the 8-bit concatenation `reference`), each asking for a delivery
/// receipt. `source_addr`: `+` and digits is international, digits alone unknown, anything
/// else alphanumeric.
pub fn submit_pdus(
    message: &OutboundSms,
    source_addr: Option<&str>,
    reference: u8,
) -> Result<Vec<SubmitSm>, SendError> {
    let parts = udh::split_for_submit(&message.body, ConcatReference::Bits8(reference))
        .map_err(|e| SendError::Rejected(e.to_string()))?;
    let destination = message.recipient.trim().trim_start_matches('+');
    let destination: COctetString<1, 21> = destination
        .parse()
        .map_err(|_| SendError::Rejected(format!("bad destination {}", message.recipient)))?;
    let (source_ton, source_npi, source) = match source_addr {
        None => (Ton::Unknown, Npi::Unknown, String::new()),
        Some(s) if s.starts_with('+') => (Ton::International, Npi::Isdn, s[1..].to_string()),
        Some(s) if s.chars().all(|c| c.is_ascii_digit()) => {
            (Ton::Unknown, Npi::Isdn, s.to_string())
        }
        Some(s) => (Ton::Alphanumeric, Npi::Unknown, s.to_string()),
    };
    let source: COctetString<1, 21> = source
        .parse()
        .map_err(|_| SendError::Unavailable(format!("bad source_addr {source:?}")))?;
    let mut pdus = Vec::with_capacity(parts.len());
    for part in parts {
        let mut short_message = part.udh.clone().unwrap_or_default();
        short_message.extend_from_slice(&part.payload);
        let short_message = OctetString::from_vec(short_message)
            .map_err(|e| SendError::Rejected(format!("part too long: {e}")))?;
        let mut esm_class = 0u8;
        if part.udh.is_some() {
            esm_class |= 0x40;
        }
        pdus.push(
            SubmitSm::builder()
                .source_addr_ton(source_ton)
                .source_addr_npi(source_npi)
                .source_addr(source.clone())
                .dest_addr_ton(Ton::International)
                .dest_addr_npi(Npi::Isdn)
                .destination_addr(destination.clone())
                .esm_class(EsmClass::from(esm_class))
                .registered_delivery(RegisteredDelivery::from(1))
                .data_coding(match part.encoding {
                    Encoding::Gsm7 => DataCoding::from(0),
                    Encoding::Ucs2 => DataCoding::from(8),
                })
                .short_message(short_message)
                .build(),
        );
    }
    Ok(pdus)
}

/// The write half of a connection with its sequence numbers.
pub(super) struct Writer {
    pub(super) half: OwnedWriteHalf,
    codec: CommandCodec,
    buf: BytesMut,
    sequence: u32,
}

impl Writer {
    pub(super) fn new(half: OwnedWriteHalf) -> Self {
        Self {
            half,
            codec: CommandCodec::new(),
            buf: BytesMut::with_capacity(512),
            sequence: 0,
        }
    }

    fn next_sequence(&mut self) -> u32 {
        self.sequence = if self.sequence >= 0x7FFF_FFFF {
            1
        } else {
            self.sequence + 1
        };
        self.sequence
    }

    async fn send(&mut self, command: Command) -> std::io::Result<()> {
        self.buf.clear();
        self.codec
            .encode(command, &mut self.buf)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.half.write_all(&self.buf).await
    }

    pub(super) async fn request(&mut self, pdu: impl Into<Pdu>) -> std::io::Result<u32> {
        let sequence = self.next_sequence();
        self.send(Command::new(CommandStatus::EsmeRok, sequence, pdu))
            .await?;
        Ok(sequence)
    }

    pub(super) async fn respond(
        &mut self,
        sequence: u32,
        status: u32,
        pdu: impl Into<Pdu>,
    ) -> std::io::Result<()> {
        self.send(Command::new(CommandStatus::from(status), sequence, pdu))
            .await
    }
}

/// Reads and decodes PDUs until the connection ends; the channel closes then.
pub(super) async fn read_commands(
    mut half: OwnedReadHalf,
    frames: mpsc::Sender<Command>,
    name: String,
) {
    let mut codec = CommandCodec::new().with_max_length(64 * 1024);
    let mut buf = BytesMut::with_capacity(4096);
    loop {
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(command)) => {
                    if frames.send(command).await.is_err() {
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(gateway = %name, "SMPP: undecodable PDU, closing: {e}");
                    return;
                }
            }
        }
        match half.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_codings_decode() {
        // GSM-7 unpacked: "@£$" are 0x00 0x01 0x02; 0x1B 0x65 is the euro sign.
        assert_eq!(
            decode_text(0, &[0x00, 0x01, 0x02, 0x1B, 0x65]),
            ("@£$€".to_string(), "0")
        );
        assert_eq!(decode_text(1, b"Halo"), ("Halo".to_string(), "0"));
        assert_eq!(
            decode_text(3, &[0x4B, 0x61, 0x66, 0xE9]),
            ("Kafé".to_string(), "1")
        );
        assert_eq!(
            decode_text(8, &encoding::encode_ucs2("Kafé 😀")),
            ("Kafé 😀".to_string(), "2")
        );
        // Coding groups: 0x18 is UCS-2 in the general group, 0xF4 8-bit in the class group.
        assert_eq!(decode_text(0x18, &[0x00, 0x41]).0, "A");
        assert_eq!(decode_text(0xF4, &[0xE9]).0, "é");
        assert_eq!(decode_text(0xF0, &[0x41]).0, "A");
    }

    fn deliver(esm_class: u8, data_coding: u8, short_message: &[u8]) -> DeliverSm {
        DeliverSm::builder()
            .source_addr_ton(Ton::International)
            .source_addr("6281234".parse().unwrap())
            .destination_addr("1708".parse().unwrap())
            .esm_class(EsmClass::from(esm_class))
            .data_coding(DataCoding::from(data_coding))
            .short_message(OctetString::from_vec(short_message.to_vec()).unwrap())
            .build()
    }

    #[test]
    fn deliver_sm_becomes_mo_or_receipt() {
        let mut bytes = vec![0x05, 0x00, 0x03, 0x2A, 0x03, 0x02];
        bytes.extend(encoding::encode_ucs2("é"));
        let InboundKind::Mo(mo) = parse_deliver_sm(&deliver(0x40, 8, &bytes)).unwrap() else {
            panic!("an MO")
        };
        assert_eq!(mo.sender, "+6281234");
        assert_eq!(mo.text, "é");
        assert_eq!(mo.coding, "2");
        assert_eq!(
            mo.concat,
            Some(ConcatInfo {
                reference: 42,
                total: 3,
                sequence: 2
            })
        );
        // 16-bit reference.
        let mut bytes = vec![0x06, 0x08, 0x04, 0x01, 0x02, 0x02, 0x01];
        bytes.extend(b"Hi");
        let InboundKind::Mo(mo) = parse_deliver_sm(&deliver(0x40, 0, &bytes)).unwrap() else {
            panic!("an MO")
        };
        assert_eq!(mo.concat.unwrap().reference, 0x0102);
        assert_eq!(mo.text, "Hi");
        let receipt = parse_deliver_sm(&deliver(0x04, 0, b"id:55 stat:DELIVRD err:000")).unwrap();
        assert_eq!(
            receipt,
            InboundKind::Receipt(Receipt {
                reference: "55".into(),
                delivered: Some(true),
                detail: "DELIVRD".into()
            })
        );
    }

    #[test]
    fn submit_pdus_split_long_texts_and_pick_the_source_type() {
        let message = OutboundSms {
            id: 1,
            recipient: "+6281234567".into(),
            body: "a".repeat(200),
            gateway: None,
            segments: 2,
        };
        let pdus = submit_pdus(&message, Some("+6281100"), 7).unwrap();
        assert_eq!(pdus.len(), 2);
        assert!(pdus.iter().all(|p| u8::from(p.esm_class) == 0x40));
        assert_eq!(pdus[0].destination_addr.as_str(), "6281234567");
        assert_eq!(pdus[0].source_addr_ton, Ton::International);
        assert_eq!(pdus[0].source_addr.as_str(), "6281100");
        let short = OutboundSms {
            body: "Halo".into(),
            ..message.clone()
        };
        let pdus = submit_pdus(&short, Some("BALAI"), 7).unwrap();
        assert_eq!(pdus.len(), 1);
        assert_eq!(u8::from(pdus[0].esm_class), 0);
        assert_eq!(pdus[0].source_addr_ton, Ton::Alphanumeric);
        let bad = OutboundSms {
            recipient: "0".repeat(30),
            ..short
        };
        assert!(matches!(
            submit_pdus(&bad, None, 7),
            Err(SendError::Rejected(_))
        ));
    }
}
