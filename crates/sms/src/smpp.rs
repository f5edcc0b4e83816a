//! SMPP 3.4 ESME: one transceiver session per `kind = "smpp"` gateway, straight to an operator
//! SMSC.
//!
//! - [`SmppHandle::start`] spawns the session task: `bind_transceiver`, `enquire_link` every
//!   [`ENQUIRE_LINK_INTERVAL`], answers the SMSC's `enquire_link`, reconnects with exponential
//!   backoff ([`BACKOFF_START`] doubling to [`BACKOFF_MAX`]) when the link drops or the bind is
//!   refused, and `unbind`s when shutdown turns true.
//! - [`SmppHandle::submit`] sends one outbox message as one or more `submit_sm` (GSM-7 with
//!   data_coding 0 when the text fits the GSM alphabet, else UCS-2 with data_coding 8; long
//!   texts as concatenated parts with a UDH, esm_class 0x40). At most `window` `submit_sm` are
//!   outstanding per session, matched to their `submit_sm_resp` by sequence number, paced to
//!   `throughput_per_sec` when set.
//! - Inbound `deliver_sm` become [`Inbound`] events; [`run_events`] commits them (MO through
//!   `db.receive_sms`, receipts in batches through `record_delivery_reports_by_ref`) and only
//!   then does the session
//!   answer `deliver_sm_resp`, so the SMSC redelivers what we did not commit (a commit that
//!   does not finish within [`ACK_TIMEOUT`] is answered `ESME_RX_T_APPN`, which asks the SMSC to
//!   retry).

use crate::config::GatewayConfig;
use crate::sender::{SendError, Sent};
use bytes::BytesMut;
use domain::sms::encoding::{self, Encoding};
use domain::sms::udh::{self, ConcatInfo, ConcatReference};
use domain::sms::{InboundPart, ReassembledMessage, Reassembler};
use rusmpp::pdus::{BindTransceiver, DeliverSm, DeliverSmResp, SubmitSm};
use rusmpp::tlvs::TlvValue;
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{DataCoding, EsmClass, InterfaceVersion, Npi, RegisteredDelivery, Ton};
use rusmpp::{Command, CommandId, CommandStatus, Pdu};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;
use store::Db;
use store::messages::Message;
use store::sms::{InboundSms, SmsRules};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep, sleep_until, timeout};
use tokio_util::codec::{Decoder, Encoder};

/// How often the ESME checks the link with `enquire_link`.
pub const ENQUIRE_LINK_INTERVAL: Duration = Duration::from_secs(30);
/// Longest wait for any response (bind, submit, enquire_link, unbind).
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
/// First delay before reconnecting; doubles after each failure up to [`BACKOFF_MAX`].
pub const BACKOFF_START: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// `ESME_RTHROTTLED` / `ESME_RMSGQFUL`: the same PDU is retried this many times, after a delay
/// that starts at [`THROTTLE_DELAY_START`] and doubles up to [`THROTTLE_DELAY_MAX`].
pub const THROTTLE_RETRIES: u32 = 6;
pub const THROTTLE_DELAY_START: Duration = Duration::from_millis(500);
pub const THROTTLE_DELAY_MAX: Duration = Duration::from_secs(10);
/// How long the session waits for the consumer to commit an inbound message before answering
/// `ESME_RX_T_APPN` (the SMSC retries).
pub const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// Parts of a concatenated MO still missing after this long are stored as a partial message.
pub const PARTS_TIMEOUT: Duration = Duration::from_secs(60);
/// A receipt can beat `mark_sms_sent` (the SMSC answers before we stored its message id): an
/// unmatched receipt is looked up again for this long.
pub const RECEIPT_MATCH_WINDOW: Duration = Duration::from_secs(30);
/// Default window of outstanding `submit_sm`.
pub const DEFAULT_WINDOW: usize = 10;

pub const ESME_ROK: u32 = 0x00;
pub const ESME_RMSGQFUL: u32 = 0x14;
pub const ESME_RTHROTTLED: u32 = 0x58;
pub const ESME_RX_T_APPN: u32 = 0x64;
pub const ESME_RX_P_APPN: u32 = 0x65;
const ESME_RINVCMDID: u32 = 0x03;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time bucket of MO ids (see [`mo_message_id`]).
const MO_ID_BUCKET_MS: i64 = 10 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Events from the SMSC
// ---------------------------------------------------------------------------------------------

/// A delivery receipt: the SMSC's message id and what became of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: String,
    /// `Some(true)` delivered, `Some(false)` failed for good, `None` not final.
    pub delivered: Option<bool>,
    /// For the outbox: the receipt's `stat` and, when not zero, its `err`.
    pub detail: String,
}

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

/// An inbound `deliver_sm`; the session answers it when `ack` is sent (`true`: committed,
/// `false`: answer `ESME_RX_T_APPN` so the SMSC retries) or dropped (same as `false`).
#[derive(Debug)]
pub struct Inbound {
    pub kind: InboundKind,
    pub ack: oneshot::Sender<bool>,
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

// ---------------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
enum SubmitFailure {
    Status(u32),
    Unavailable(String),
}

struct SubmitRequest {
    pdu: SubmitSm,
    reply: oneshot::Sender<Result<String, SubmitFailure>>,
}

#[derive(Clone)]
struct SessionConfig {
    name: String,
    addr: String,
    system_id: String,
    password: String,
    system_type: String,
    window: usize,
    min_interval: Option<Duration>,
}

/// A running ESME session of one gateway. Dropping the handle does not stop the session; turn
/// the shutdown signal given to [`SmppHandle::start`] true.
pub struct SmppHandle {
    name: String,
    source_addr: Option<String>,
    requests: mpsc::Sender<SubmitRequest>,
    bound: watch::Receiver<bool>,
    next_reference: AtomicU16,
}

impl SmppHandle {
    /// Spawns the session task (call inside a tokio runtime). Inbound messages go to `events`
    /// (give the receiver to [`run_events`]).
    pub fn start(
        config: &GatewayConfig,
        events: mpsc::Sender<Inbound>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let session = SessionConfig {
            name: config.name.clone(),
            addr: format!(
                "{}:{}",
                config.host.as_deref().unwrap_or("127.0.0.1"),
                config.port.unwrap_or(2775)
            ),
            system_id: config.system_id.clone().unwrap_or_default(),
            password: config.password.clone().unwrap_or_default(),
            system_type: config.system_type.clone().unwrap_or_default(),
            window: config.window.unwrap_or(DEFAULT_WINDOW).max(1),
            min_interval: config
                .throughput_per_sec
                .filter(|&t| t > 0)
                .map(|t| Duration::from_secs(1) / t),
        };
        let (requests, requests_rx) = mpsc::channel(256);
        let (bound_tx, bound) = watch::channel(false);
        tokio::spawn(run_session(
            session,
            requests_rx,
            events,
            bound_tx,
            shutdown,
        ));
        // Start concatenation references somewhere else after every restart.
        let seed = (store::now_ms() as u64 % 256) as u16;
        Self {
            name: config.name.clone(),
            source_addr: config.source_addr.clone().filter(|s| !s.trim().is_empty()),
            requests,
            bound,
            next_reference: AtomicU16::new(seed),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the session is bound now.
    pub fn is_bound(&self) -> bool {
        *self.bound.borrow()
    }

    /// Waits until the session is bound; false after `wait`.
    pub async fn wait_bound(&self, wait: Duration) -> bool {
        let mut bound = self.bound.clone();
        timeout(wait, bound.wait_for(|b| *b))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits until the session task has ended (after shutdown and unbind).
    pub async fn stopped(&self) {
        let mut bound = self.bound.clone();
        while bound.changed().await.is_ok() {}
    }

    /// Sends a message; `Sent.reference` is the SMSC's message_id of the LAST part (the one
    /// stored as `gateway_ref`, which delivery receipts are matched against: a receipt for an
    /// earlier part of a long message is ignored). When a later part fails, the earlier parts
    /// have gone out and are sent again on retry.
    pub async fn submit(&self, message: &Message) -> Result<Sent, SendError> {
        if !self.is_bound() {
            return Err(SendError::Unavailable(format!(
                "SMPP gateway {} is not bound",
                self.name
            )));
        }
        let reference = self.next_reference.fetch_add(1, Ordering::Relaxed) as u8;
        let parts = udh::split_for_submit(&message.body, ConcatReference::Bits8(reference))
            .map_err(|e| SendError::Rejected(e.to_string()))?;
        let destination = message.recipient.trim().trim_start_matches('+');
        let destination: COctetString<1, 21> = destination
            .parse()
            .map_err(|_| SendError::Rejected(format!("bad destination {}", message.recipient)))?;
        let (source_ton, source_npi, source) = match self.source_addr.as_deref() {
            None => (Ton::Unknown, Npi::Unknown, String::new()),
            Some(s) if s.starts_with('+') => (Ton::International, Npi::Isdn, s[1..].to_string()),
            Some(s) if s.chars().all(|c| c.is_ascii_digit()) => {
                (Ton::Unknown, Npi::Isdn, s.to_string())
            }
            Some(s) => (Ton::Alphanumeric, Npi::Unknown, s.to_string()),
        };
        let source: COctetString<1, 21> = source
            .parse()
            .map_err(|_| SendError::Unavailable(format!("bad source_addr of {}", self.name)))?;
        let mut last = None;
        for part in parts {
            let mut short_message = part.udh.clone().unwrap_or_default();
            short_message.extend_from_slice(&part.payload);
            let short_message = OctetString::from_vec(short_message)
                .map_err(|e| SendError::Rejected(format!("part too long: {e}")))?;
            let mut esm_class = 0u8;
            if part.udh.is_some() {
                esm_class |= 0x40;
            }
            let pdu = SubmitSm::builder()
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
                .build();
            last = Some(self.submit_part(pdu).await?);
        }
        Ok(Sent { reference: last })
    }

    /// One `submit_sm`, retried after a growing delay while the SMSC throttles.
    async fn submit_part(&self, pdu: SubmitSm) -> Result<String, SendError> {
        let mut delay = THROTTLE_DELAY_START;
        for attempt in 0..=THROTTLE_RETRIES {
            let (reply, answer) = oneshot::channel();
            let request = SubmitRequest {
                pdu: pdu.clone(),
                reply,
            };
            let unavailable =
                |why: &str| SendError::Unavailable(format!("SMPP gateway {}: {why}", self.name));
            self.requests
                .send(request)
                .await
                .map_err(|_| unavailable("session stopped"))?;
            // The session answers every request (response, timeout or lost link); the outer
            // timeout only guards against a request stuck behind a full window.
            let outcome = timeout(RESPONSE_TIMEOUT * 2, answer)
                .await
                .map_err(|_| unavailable("no submit_sm_resp"))?
                .map_err(|_| unavailable("session stopped"))?;
            match outcome {
                Ok(message_id) => return Ok(message_id),
                Err(SubmitFailure::Status(status @ (ESME_RTHROTTLED | ESME_RMSGQFUL))) => {
                    if attempt == THROTTLE_RETRIES {
                        return Err(unavailable(&format!(
                            "SMPP status 0x{status:02X} (throttled)"
                        )));
                    }
                    tracing::info!(gateway = %self.name, "SMSC throttles (0x{status:02X}); retrying in {delay:?}");
                    sleep(delay).await;
                    delay = (delay * 2).min(THROTTLE_DELAY_MAX);
                }
                Err(SubmitFailure::Status(status)) => {
                    return Err(SendError::Rejected(format!("SMPP status 0x{status:02X}")));
                }
                Err(SubmitFailure::Unavailable(why)) => return Err(unavailable(&why)),
            }
        }
        unreachable!("the loop returns on its last attempt")
    }
}

/// The write half of a connection with its sequence numbers.
struct Writer {
    half: OwnedWriteHalf,
    codec: CommandCodec,
    buf: BytesMut,
    sequence: u32,
}

impl Writer {
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

    async fn request(&mut self, pdu: impl Into<Pdu>) -> std::io::Result<u32> {
        let sequence = self.next_sequence();
        self.send(Command::new(CommandStatus::EsmeRok, sequence, pdu))
            .await?;
        Ok(sequence)
    }

    async fn respond(
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
async fn read_commands(
    mut half: tokio::net::tcp::OwnedReadHalf,
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

enum Ended {
    Shutdown,
    Lost(String),
}

async fn run_session(
    config: SessionConfig,
    mut requests: mpsc::Receiver<SubmitRequest>,
    events: mpsc::Sender<Inbound>,
    bound: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = BACKOFF_START;
    loop {
        if *shutdown.borrow() {
            break;
        }
        match connect_and_bind(&config).await {
            Ok((writer, frames)) => {
                tracing::info!(gateway = %config.name, "SMPP bound to {}", config.addr);
                backoff = BACKOFF_START;
                bound.send_replace(true);
                let ended = serve(
                    &config,
                    writer,
                    frames,
                    &mut requests,
                    &events,
                    &mut shutdown,
                )
                .await;
                bound.send_replace(false);
                match ended {
                    Ended::Shutdown => break,
                    Ended::Lost(why) => {
                        tracing::warn!(gateway = %config.name, "SMPP link lost: {why}");
                    }
                }
            }
            Err(why) => {
                tracing::warn!(gateway = %config.name, "SMPP bind to {} failed: {why}; retrying in {backoff:?}", config.addr);
            }
        }
        // Wait before reconnecting; what is sent meanwhile fails at once (the outbox retries it,
        // through another gateway when there is one).
        let deadline = Instant::now() + backoff;
        loop {
            tokio::select! {
                _ = sleep_until(deadline) => break,
                request = requests.recv() => match request {
                    Some(request) => {
                        let _ = request.reply.send(Err(SubmitFailure::Unavailable("not bound".into())));
                    }
                    None => return,
                },
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

async fn connect_and_bind(
    config: &SessionConfig,
) -> Result<(Writer, mpsc::Receiver<Command>), String> {
    let stream = timeout(CONNECT_TIMEOUT, TcpStream::connect(&config.addr))
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let (frames_tx, mut frames) = mpsc::channel(64);
    tokio::spawn(read_commands(read, frames_tx, config.name.clone()));
    let mut writer = Writer {
        half: write,
        codec: CommandCodec::new(),
        buf: BytesMut::with_capacity(512),
        sequence: 0,
    };
    let field = |value: &str, what: &str| format!("{what} {value:?} is too long for SMPP");
    let bind = BindTransceiver::builder()
        .system_id(
            config
                .system_id
                .parse()
                .map_err(|_| field(&config.system_id, "system_id"))?,
        )
        .password(
            config
                .password
                .parse()
                .map_err(|_| "password is too long for SMPP (8 characters at most)".to_string())?,
        )
        .system_type(
            config
                .system_type
                .parse()
                .map_err(|_| field(&config.system_type, "system_type"))?,
        )
        .interface_version(InterfaceVersion::Smpp3_4)
        .build();
    let sequence = writer
        .request(Pdu::BindTransceiver(bind))
        .await
        .map_err(|e| format!("send bind: {e}"))?;
    let deadline = Instant::now() + RESPONSE_TIMEOUT;
    loop {
        let command = timeout_at(deadline, frames.recv())
            .await
            .ok_or("no bind_transceiver_resp")?
            .ok_or("connection closed during bind")?;
        // A response with an error status may come without a body (no PDU): go by the id.
        match command.pdu() {
            _ if command.sequence_number() == sequence
                && matches!(
                    command.id(),
                    CommandId::BindTransceiverResp | CommandId::GenericNack
                ) =>
            {
                let status = u32::from(command.status());
                if status != ESME_ROK {
                    return Err(format!("bind refused: SMPP status 0x{status:02X}"));
                }
                return Ok((writer, frames));
            }
            Some(Pdu::EnquireLink) => {
                let _ = writer
                    .respond(command.sequence_number(), ESME_ROK, Pdu::EnquireLinkResp)
                    .await;
            }
            _ => {}
        }
    }
}

async fn timeout_at<F: std::future::Future>(deadline: Instant, f: F) -> Option<F::Output> {
    tokio::time::timeout_at(deadline, f).await.ok()
}

type Pending = HashMap<u32, (oneshot::Sender<Result<String, SubmitFailure>>, Instant)>;

async fn serve(
    config: &SessionConfig,
    mut writer: Writer,
    mut frames: mpsc::Receiver<Command>,
    requests: &mut mpsc::Receiver<SubmitRequest>,
    events: &mpsc::Sender<Inbound>,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended {
    let mut pending: Pending = HashMap::new();
    let (resp_tx, mut resp_rx) = mpsc::unbounded_channel::<(u32, u32)>();
    let mut enquire = tokio::time::interval_at(
        Instant::now() + ENQUIRE_LINK_INTERVAL,
        ENQUIRE_LINK_INTERVAL,
    );
    let mut enquire_sent: Option<Instant> = None;
    let mut housekeeping = tokio::time::interval(Duration::from_secs(1));
    let mut next_send = Instant::now();
    let ended = loop {
        let window_open = pending.len() < config.window;
        let paced = Instant::now() < next_send;
        tokio::select! {
            frame = frames.recv() => {
                let Some(command) = frame else { break Ended::Lost("connection closed".into()) };
                let sequence = command.sequence_number();
                let status = u32::from(command.status());
                match command.pdu() {
                    // A response with an error status may come without a body: go by the id.
                    pdu if command.id() == CommandId::SubmitSmResp => {
                        if let Some((reply, _)) = pending.remove(&sequence) {
                            let outcome = if status == ESME_ROK {
                                match pdu {
                                    Some(Pdu::SubmitSmResp(resp)) => Ok(resp.message_id().as_str().to_string()),
                                    _ => Err(SubmitFailure::Unavailable("submit_sm_resp without a message id".into())),
                                }
                            } else {
                                Err(SubmitFailure::Status(status))
                            };
                            if matches!(status, ESME_RTHROTTLED | ESME_RMSGQFUL) {
                                // Slow the whole session down a little, not only this PDU.
                                next_send = next_send.max(Instant::now() + THROTTLE_DELAY_START);
                            }
                            let _ = reply.send(outcome);
                        }
                    }
                    _ if command.id() == CommandId::GenericNack => {
                        if let Some((reply, _)) = pending.remove(&sequence) {
                            let _ = reply.send(Err(SubmitFailure::Status(status)));
                        }
                    }
                    Some(Pdu::DeliverSm(deliver)) => {
                        handle_deliver(config, sequence, deliver, events, &resp_tx);
                    }
                    Some(Pdu::EnquireLink) => {
                        if let Err(e) = writer.respond(sequence, ESME_ROK, Pdu::EnquireLinkResp).await {
                            break Ended::Lost(format!("write: {e}"));
                        }
                    }
                    Some(Pdu::EnquireLinkResp) => enquire_sent = None,
                    Some(Pdu::Unbind) => {
                        let _ = writer.respond(sequence, ESME_ROK, Pdu::UnbindResp).await;
                        break Ended::Lost("the SMSC unbound".into());
                    }
                    Some(pdu) if !command.id().is_response() => {
                        tracing::debug!(gateway = %config.name, "SMPP: unsupported {pdu:?}");
                        if let Err(e) = writer.respond(sequence, ESME_RINVCMDID, Pdu::GenericNack).await {
                            break Ended::Lost(format!("write: {e}"));
                        }
                    }
                    _ => {}
                }
            }
            request = requests.recv(), if window_open && !paced => {
                let Some(request) = request else { break Ended::Shutdown };
                match writer.request(Pdu::SubmitSm(request.pdu)).await {
                    Ok(sequence) => {
                        pending.insert(sequence, (request.reply, Instant::now()));
                        if let Some(interval) = config.min_interval {
                            next_send = Instant::now() + interval;
                        }
                    }
                    Err(e) => {
                        let _ = request.reply.send(Err(SubmitFailure::Unavailable(format!("write: {e}"))));
                        break Ended::Lost(format!("write: {e}"));
                    }
                }
            }
            _ = sleep_until(next_send), if window_open && paced => {}
            Some((sequence, status)) = resp_rx.recv() => {
                let resp = DeliverSmResp::new(COctetString::empty(), Vec::new());
                if let Err(e) = writer.respond(sequence, status, Pdu::DeliverSmResp(resp)).await {
                    break Ended::Lost(format!("write: {e}"));
                }
            }
            _ = enquire.tick() => {
                if enquire_sent.is_some_and(|at| at.elapsed() > RESPONSE_TIMEOUT) {
                    break Ended::Lost("no enquire_link_resp".into());
                }
                if enquire_sent.is_none() {
                    if let Err(e) = writer.request(Pdu::EnquireLink).await {
                        break Ended::Lost(format!("write: {e}"));
                    }
                    enquire_sent = Some(Instant::now());
                }
            }
            _ = housekeeping.tick() => {
                let expired: Vec<u32> = pending
                    .iter()
                    .filter(|(_, (_, at))| at.elapsed() > RESPONSE_TIMEOUT)
                    .map(|(sequence, _)| *sequence)
                    .collect();
                for sequence in expired {
                    if let Some((reply, _)) = pending.remove(&sequence) {
                        let _ = reply.send(Err(SubmitFailure::Unavailable("no submit_sm_resp".into())));
                    }
                }
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    unbind(&mut writer, &mut frames).await;
                    break Ended::Shutdown;
                }
            }
        }
    };
    for (_, (reply, _)) in pending.drain() {
        let _ = reply.send(Err(SubmitFailure::Unavailable(
            "SMPP connection lost before the SMSC answered".into(),
        )));
    }
    ended
}

async fn unbind(writer: &mut Writer, frames: &mut mpsc::Receiver<Command>) {
    let Ok(sequence) = writer.request(Pdu::Unbind).await else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Some(Some(command)) = timeout_at(deadline, frames.recv()).await {
        if command.sequence_number() == sequence && matches!(command.pdu(), Some(Pdu::UnbindResp)) {
            break;
        }
    }
    let _ = writer.half.shutdown().await;
}

/// Hands a `deliver_sm` to the consumer and answers it when the consumer is done.
fn handle_deliver(
    config: &SessionConfig,
    sequence: u32,
    deliver: &DeliverSm,
    events: &mpsc::Sender<Inbound>,
    resp: &mpsc::UnboundedSender<(u32, u32)>,
) {
    let kind = match parse_deliver_sm(deliver) {
        Ok(kind) => kind,
        Err(why) => {
            // Retrying will not make it readable.
            tracing::warn!(gateway = %config.name, "SMPP: deliver_sm dropped: {why}");
            let _ = resp.send((sequence, ESME_RX_P_APPN));
            return;
        }
    };
    let (ack, acked) = oneshot::channel();
    if events.try_send(Inbound { kind, ack }).is_err() {
        let _ = resp.send((sequence, ESME_RX_T_APPN));
        return;
    }
    let resp = resp.clone();
    tokio::spawn(async move {
        let status = match timeout(ACK_TIMEOUT, acked).await {
            Ok(Ok(true)) => ESME_ROK,
            _ => ESME_RX_T_APPN,
        };
        let _ = resp.send((sequence, status));
    });
}

// ---------------------------------------------------------------------------------------------
// Consumer
// ---------------------------------------------------------------------------------------------

struct UnmatchedReceipt {
    receipt: Receipt,
    /// When it first failed to match.
    since: Instant,
    until: Instant,
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

/// Commits the inbound messages of one SMPP gateway until `events` closes or shutdown turns
/// true: MO through `db.receive_sms` (concatenated parts reassembled first; parts still missing
/// after `parts_timeout`, normally [`PARTS_TIMEOUT`], are stored as a partial message marked
/// `partial`), receipts in batches (every [`RECEIPT_BATCH`] receipts or
/// [`RECEIPT_FLUSH_INTERVAL`]) through `record_delivery_reports_by_ref`, each answered once
/// its batch is committed.
///
/// A part that does not complete its message is acknowledged once it is held in memory: if
/// Balai stops before the rest arrives, those parts are lost (the SMSC will not resend them).
pub async fn run_events(
    db: Db,
    rules: SmsRules,
    gateway: String,
    mut events: mpsc::Receiver<Inbound>,
    parts_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut reassembler = Reassembler::new();
    // The first part of each pending concatenated message, for the stored fields.
    let mut firsts: HashMap<(String, u16, u8), (Mo, i64)> = HashMap::new();
    let mut unmatched: Vec<UnmatchedReceipt> = Vec::new();
    // Receipts waiting for the next batch, with their acknowledgements, and when it is due.
    let mut receipts: Vec<(Receipt, oneshot::Sender<bool>)> = Vec::new();
    let mut flush_at = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(Inbound { kind, ack }) = event else { break };
                let ok = match kind {
                    InboundKind::Receipt(receipt) => {
                        if receipts.is_empty() {
                            flush_at = Instant::now() + RECEIPT_FLUSH_INTERVAL;
                        }
                        receipts.push((receipt, ack));
                        if receipts.len() >= RECEIPT_BATCH {
                            flush_receipts(&db, &gateway, std::mem::take(&mut receipts), &mut unmatched).await;
                        }
                        continue;
                    }
                    InboundKind::Mo(mo) => {
                        let now = store::now_ms();
                        match mo.concat {
                            None => {
                                let id = mo_message_id(&mo, None, false, now);
                                store_mo(&db, &rules, &gateway, &mo, id, false, now).await
                            }
                            Some(info) => {
                                let key = (mo.sender.clone(), info.reference, info.total);
                                firsts.entry(key.clone()).or_insert_with(|| (mo.clone(), now));
                                let part = InboundPart::new(mo.sender.clone(), info, mo.text.clone());
                                match reassembler.accept(part, now.max(0) as u64) {
                                    Ok(Some(whole)) => {
                                        let (first, first_at) = firsts.remove(&key).unwrap_or((mo.clone(), now));
                                        store_reassembled(&db, &rules, &gateway, first, first_at, whole).await
                                    }
                                    Ok(None) => true,
                                    Err(e) => {
                                        tracing::warn!(gateway = %gateway, "SMPP: bad MO part dropped: {e}");
                                        true
                                    }
                                }
                            }
                        }
                    }
                };
                let _ = ack.send(ok);
            }
            _ = tick.tick() => {
                let now = store::now_ms();
                for whole in reassembler.flush_expired(now.max(0) as u64, parts_timeout.as_millis() as u64) {
                    let key = (whole.sender.clone(), whole.reference, whole.total);
                    if let Some((first, first_at)) = firsts.remove(&key) {
                        store_reassembled(&db, &rules, &gateway, first, first_at, whole).await;
                    }
                }
                if !unmatched.is_empty() {
                    unmatched = retry_unmatched(&db, &gateway, std::mem::take(&mut unmatched)).await;
                }
            }
            _ = sleep_until(flush_at), if !receipts.is_empty() => {
                flush_receipts(&db, &gateway, std::mem::take(&mut receipts), &mut unmatched).await;
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    flush_receipts(&db, &gateway, receipts, &mut unmatched).await;
    // Whatever is still waiting for parts is stored as it is.
    for whole in reassembler.flush_all() {
        let key = (whole.sender.clone(), whole.reference, whole.total);
        if let Some((first, first_at)) = firsts.remove(&key) {
            store_reassembled(&db, &rules, &gateway, first, first_at, whole).await;
        }
    }
}

/// Stores a batch of receipts in one store call and answers their `deliver_sm` when it is
/// committed. A receipt whose message is not marked sent yet (its `submit_sm_resp` can beat the
/// batched write of the outcome) is acknowledged and kept in `unmatched` to be looked up again
/// for [`RECEIPT_MATCH_WINDOW`]. When the store fails, every receipt of the batch is answered
/// `ESME_RX_T_APPN` and the SMSC sends it again.
async fn flush_receipts(
    db: &Db,
    gateway: &str,
    batch: Vec<(Receipt, oneshot::Sender<bool>)>,
    unmatched: &mut Vec<UnmatchedReceipt>,
) {
    if batch.is_empty() {
        return;
    }
    let reports: Vec<store::sms::RefReport> = batch
        .iter()
        .map(|(r, _)| (r.reference.clone(), r.delivered, r.detail.clone()))
        .collect();
    match db.record_delivery_reports_by_ref(gateway, &reports).await {
        Ok(missing) => {
            let missing: std::collections::HashSet<String> = missing.into_iter().collect();
            let now = Instant::now();
            for (receipt, ack) in batch {
                if missing.contains(&receipt.reference) {
                    unmatched.push(UnmatchedReceipt {
                        receipt,
                        since: now,
                        until: now + RECEIPT_MATCH_WINDOW,
                    });
                }
                let _ = ack.send(true);
            }
        }
        Err(e) => {
            tracing::error!(gateway = %gateway, "SMPP receipts not stored (the SMSC will retry): {e}");
            for (_, ack) in batch {
                let _ = ack.send(false);
            }
        }
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

/// Looks the unmatched receipts up again, in batches: by their own id, then (once they have
/// waited [`RECEIPT_ALT_DELAY`]) by each other spelling in turn, the first that matches
/// winning. Returns those still unmatched and not expired.
async fn retry_unmatched(
    db: &Db,
    gateway: &str,
    pending: Vec<UnmatchedReceipt>,
) -> Vec<UnmatchedReceipt> {
    let store_error = |e: store::StoreError| {
        tracing::error!(gateway = %gateway, "SMPP receipts not stored: {e}");
    };
    let reports: Vec<store::sms::RefReport> = pending
        .iter()
        .map(|p| {
            (
                p.receipt.reference.clone(),
                p.receipt.delivered,
                p.receipt.detail.clone(),
            )
        })
        .collect();
    let missing = match db.record_delivery_reports_by_ref(gateway, &reports).await {
        Ok(missing) => missing
            .into_iter()
            .collect::<std::collections::HashSet<String>>(),
        Err(e) => {
            store_error(e);
            return pending;
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
        let reports: Vec<store::sms::RefReport> = tried
            .iter()
            .map(|&i| {
                let (p, alternatives) = &still[i];
                (
                    alternatives[round].clone(),
                    p.receipt.delivered,
                    p.receipt.detail.clone(),
                )
            })
            .collect();
        let missing = match db.record_delivery_reports_by_ref(gateway, &reports).await {
            Ok(missing) => missing
                .into_iter()
                .collect::<std::collections::HashSet<String>>(),
            Err(e) => {
                store_error(e);
                break;
            }
        };
        // A matched receipt is done and tries no further spelling.
        let matched: std::collections::HashSet<usize> = tried
            .into_iter()
            .filter(|&i| !missing.contains(&still[i].1[round]))
            .collect();
        let mut i = 0;
        still.retain(|_| {
            i += 1;
            !matched.contains(&(i - 1))
        });
    }
    still
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            let keep = p.until > now;
            if !keep {
                tracing::debug!(gateway = %gateway, "SMPP receipt for unknown message {}", p.receipt.reference);
            }
            keep
        })
        .collect()
}

async fn store_reassembled(
    db: &Db,
    rules: &SmsRules,
    gateway: &str,
    first: Mo,
    first_at: i64,
    whole: ReassembledMessage,
) -> bool {
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
    store_mo(db, rules, gateway, &mo, id, whole.partial, store::now_ms()).await
}

async fn store_mo(
    db: &Db,
    rules: &SmsRules,
    gateway: &str,
    mo: &Mo,
    gateway_message_id: String,
    partial: bool,
    received_at: i64,
) -> bool {
    let sms = InboundSms {
        gateway: gateway.to_string(),
        gateway_message_id,
        sender: mo.sender.clone(),
        receiver: mo.receiver.clone(),
        text: mo.text.clone(),
        coding: mo.coding.clone(),
        partial,
        received_at,
    };
    match db.receive_sms(&sms, rules).await {
        Ok(outcome) => {
            tracing::info!(gateway = %gateway, inbound = outcome.inbound_id, "SMPP MO stored: {}", outcome.outcome);
            true
        }
        Err(e) => {
            tracing::error!(gateway = %gateway, "SMPP MO not stored (the SMSC will retry): {e}");
            false
        }
    }
}

/// Starts the session and the event consumer of one SMPP gateway.
pub fn start(
    config: &GatewayConfig,
    db: Db,
    rules: SmsRules,
    shutdown: watch::Receiver<bool>,
) -> SmppHandle {
    let (events_tx, events_rx) = mpsc::channel(4096);
    let handle = SmppHandle::start(config, events_tx, shutdown.clone());
    tokio::spawn(run_events(
        db,
        rules,
        config.name.clone(),
        events_rx,
        PARTS_TIMEOUT,
        shutdown,
    ));
    handle
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
}
