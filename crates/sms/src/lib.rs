//! SMS gateways: configuration, the adapters that hand messages to a gateway, and the sender
//! worker that drains the outbox through them with retries and fail-over.

pub mod android;
pub mod config;
pub mod gammu;
pub mod kannel;
pub mod live;
pub mod sender;
pub mod smpp;

pub use config::{GatewayConfig, GatewayKind};
pub use live::LiveGateways;
pub use sender::{Gateways, SendError, Sent};
