//! SMS gateways: configuration, the adapters that hand messages to a gateway, and the sender
//! worker that drains the outbox through them with retries and fail-over. What comes in and
//! what became of what went out go to an [`SmsSink`]; this crate knows nothing of Balai's
//! storage.

pub mod android;
pub mod config;
pub mod gammu;
pub mod kannel;
pub mod live;
pub mod sender;
pub mod sink;
pub mod smpp;

pub use config::{GatewayConfig, GatewayKind};
pub use live::LiveGateways;
pub use sender::{Gateways, SendError, Sent};
pub use sink::{Received, Sink, SinkError, SmsSink};
