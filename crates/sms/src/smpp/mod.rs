//! SMPP 3.4 ESME: one transceiver session per `kind = "smpp"` gateway, straight to an operator
//! SMSC.
//!
//! - [`pdu`]: the codec — frames on the wire, what a `deliver_sm` carries, the `submit_sm` of
//!   an outbox message (GSM-7 with data_coding 0 when the text fits the GSM alphabet, else UCS-2
//!   with data_coding 8; long texts as concatenated parts with a UDH, esm_class 0x40).
//! - [`session`]: [`SmppHandle::start`] spawns the session task: `bind_transceiver`,
//!   `enquire_link` every [`ENQUIRE_LINK_INTERVAL`], answers the SMSC's `enquire_link`,
//!   reconnects with exponential backoff ([`BACKOFF_START`] doubling to [`BACKOFF_MAX`]) when the
//!   link drops or the bind is refused, and `unbind`s when shutdown turns true.
//!   [`SmppHandle::submit`] sends one outbox message; at most `window` `submit_sm` are
//!   outstanding per session, matched to their `submit_sm_resp` by sequence number, paced to
//!   `throughput_per_sec` when set.
//! - [`inbound`]: inbound `deliver_sm` become [`Inbound`] events; [`run_events`] commits them
//!   to the [`crate::SmsSink`] (MO reassembled and sent to `receive`, receipts in batches
//!   through [`receipt`]'s matching to `record_reports`) and only then does the session answer
//!   `deliver_sm_resp`, so the SMSC redelivers what was not committed (a commit that does not
//!   finish within [`ACK_TIMEOUT`] is answered `ESME_RX_T_APPN`, which asks the SMSC to retry).

use crate::config::GatewayConfig;
use crate::sink::Sink;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

pub mod inbound;
pub mod pdu;
pub mod receipt;
pub mod session;

pub use inbound::run_events;
pub use pdu::{InboundKind, Mo, decode_text, parse_deliver_sm};
pub use receipt::{
    RECEIPT_ALT_DELAY, RECEIPT_BATCH, RECEIPT_FLUSH_INTERVAL, Receipt, message_state_outcome,
    parse_receipt, stat_outcome,
};
pub use session::{Inbound, SmppHandle};

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
pub(crate) const ESME_RINVCMDID: u32 = 0x03;

pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time bucket of MO ids (see `inbound::mo_message_id`).
pub(crate) const MO_ID_BUCKET_MS: i64 = 10 * 60 * 1000;

/// Starts the session and the event consumer of one SMPP gateway.
pub fn start(config: &GatewayConfig, sink: Sink, shutdown: watch::Receiver<bool>) -> SmppHandle {
    let (events_tx, events_rx) = mpsc::channel(4096);
    let handle = SmppHandle::start(config, events_tx, shutdown.clone());
    tokio::spawn(run_events(
        sink,
        config.name.clone(),
        events_rx,
        PARTS_TIMEOUT,
        shutdown,
    ));
    handle
}
