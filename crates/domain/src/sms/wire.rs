//! What passes between the SMS gateways (the `sms` crate) and Balai's storage: the messages that
//! come in and go out, what became of the ones sent, and the gateways the admin stored. Plain
//! data, so that neither side needs the other's crate.

use serde::Serialize;

/// One SMS as a gateway delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundSms {
    pub gateway: String,
    /// The gateway's id for this message: a retry carries the same id and changes nothing.
    pub gateway_message_id: String,
    pub sender: String,
    pub receiver: String,
    pub text: String,
    /// Kannel's codes, which every gateway stores: 0 = 7-bit/ASCII, 1 = 8-bit, 2 = UCS-2.
    pub coding: String,
    /// Parts of a concatenated message are missing.
    pub partial: bool,
    pub received_at: i64,
}

/// One leased outbox message, as a gateway sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundSms {
    /// The outbox id.
    pub id: i64,
    pub recipient: String,
    pub body: String,
    /// The gateway it should go out on first (the one the citizen wrote to), if any.
    pub gateway: Option<String>,
    pub segments: i64,
}

/// A message a gateway accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMark {
    /// The outbox id.
    pub id: i64,
    pub gateway: String,
    /// The gateway's reference for delivery reports, if it gave one.
    pub reference: Option<String>,
    pub segments: i64,
}

/// A delivery report that names the gateway's reference of a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub reference: String,
    /// `Some(true)` delivered, `Some(false)` failed for good, `None` not final.
    pub delivered: Option<bool>,
    /// Stored as the message's `dlr_status`.
    pub detail: String,
}

/// A gateway the admin manages in the web UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredGateway {
    pub name: String,
    /// The gateway's `[[gateway]]` table as JSON (the `sms` crate owns its meaning).
    pub settings: String,
    pub enabled: bool,
    pub updated_at: i64,
}
