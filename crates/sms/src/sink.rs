//! What the gateways need from the rest of Balai, and nothing more: somewhere to put the SMS
//! that come in, the outbox to drain, a place for the fate of each message sent, and the
//! gateways the admin stored. `balai` wires it to its storage (`web::sms_sink`); a test can
//! give the gateways an in-memory sink instead.

pub use domain::sms::wire::{DeliveryReport, InboundSms, OutboundSms, SentMark, StoredGateway};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The future a sink returns (boxed, so that a sink can be shared as `Arc<dyn SmsSink>`).
pub type SinkFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SinkError>> + Send + 'a>>;

/// The sink the gateways of one process share.
pub type Sink = Arc<dyn SmsSink>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SinkError {
    /// The sink is shutting down.
    #[error("SMS sink stopped")]
    Stopped,
    #[error("{0}")]
    Failed(String),
}

/// What the sink made of an inbound SMS, for the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub inbound_id: i64,
    /// E.g. `ticket`, `triage`, `duplicate` (a retry of a message taken in before).
    pub outcome: String,
}

pub trait SmsSink: Send + Sync + 'static {
    /// Takes in one SMS; `Ok` only once it is committed (a gateway may be told "received" then).
    /// A message whose gateway id was taken in before changes nothing.
    fn receive(&self, sms: InboundSms) -> SinkFuture<'_, Received>;

    /// Takes in several SMS at once, with the same result as one by one in this order; fails as
    /// a whole.
    fn receive_batch(&self, batch: Vec<InboundSms>) -> SinkFuture<'_, Vec<Received>>;

    /// Leases up to `limit` due outbox messages: no other worker or node gets them until they
    /// are marked or the lease ([`SmsSink::lease_time`]) expires.
    fn lease_due(&self, limit: usize) -> SinkFuture<'_, Vec<OutboundSms>>;

    /// How long a lease of [`SmsSink::lease_due`] lasts.
    fn lease_time(&self) -> Duration;

    /// Records messages handed to a gateway, in one commit. A message marked before keeps its
    /// first mark; a delivery report that came first keeps its status.
    fn mark_sent<'a>(&'a self, marks: &'a [SentMark]) -> SinkFuture<'a, ()>;

    /// Records delivery reports of `gateway`'s messages by the gateway's reference; returns the
    /// references that matched no sent message (yet), in the order given.
    fn record_reports<'a>(
        &'a self,
        gateway: &'a str,
        reports: &'a [DeliveryReport],
    ) -> SinkFuture<'a, Vec<String>>;

    /// A gateway refused the message for good.
    fn mark_failed<'a>(&'a self, id: i64, reason: &'a str) -> SinkFuture<'a, ()>;

    /// No gateway could take the message now: it is tried again later, up to a limit.
    fn mark_attempt_failed<'a>(&'a self, id: i64, reason: &'a str) -> SinkFuture<'a, ()>;

    /// The gateways the admin stored.
    fn stored_gateways(&self) -> SinkFuture<'_, Vec<StoredGateway>>;

    /// A number that every change of the stored gateways raises.
    fn gateways_revision(&self) -> SinkFuture<'_, i64>;
}

/// Milliseconds since the Unix epoch, as the stored times are.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
