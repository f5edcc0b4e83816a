use crate::config::{GatewayConfig, GatewayKind};
use crate::kannel;
use std::sync::Arc;
use std::time::Duration;
use store::messages::Message;
use store::{Db, StoreError};
use tokio::sync::watch;

/// A gateway accepted the message; `reference` is its id for delivery reports, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub reference: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    /// The gateway could not take the message now (down, overloaded, misconfigured): retry,
    /// through another gateway when there is one.
    #[error("gateway tidak tersedia: {0}")]
    Unavailable(String),
    /// The gateway refused this message (bad number, bad text): retrying will not help.
    #[error("ditolak gateway: {0}")]
    Rejected(String),
}

/// The configured gateways and one HTTP client for those that speak HTTP.
pub struct Gateways {
    configs: Vec<GatewayConfig>,
    http: reqwest::Client,
}

impl Gateways {
    pub fn new(configs: Vec<GatewayConfig>) -> Result<Self, String> {
        crate::config::validate_all(&configs)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { configs, http })
    }

    /// No gateways: SMS stay pending in the outbox.
    pub fn none() -> Self {
        Self {
            configs: Vec::new(),
            http: reqwest::Client::new(),
        }
    }

    pub fn configs(&self) -> &[GatewayConfig] {
        &self.configs
    }

    pub fn by_name(&self, name: &str) -> Option<&GatewayConfig> {
        self.configs.iter().find(|g| g.name == name)
    }

    pub fn first_of_kind(&self, kind: GatewayKind) -> Option<&GatewayConfig> {
        self.configs.iter().find(|g| g.kind() == kind)
    }

    /// The gateway a message without a preference goes out on: the one marked default, else the first.
    pub fn default_gateway(&self) -> Option<&GatewayConfig> {
        self.configs
            .iter()
            .find(|g| g.default)
            .or_else(|| self.configs.first())
    }

    /// The preferred gateway first (the one the citizen wrote to), then the default, then the rest.
    fn attempt_order(&self, preferred: Option<&str>) -> Vec<&GatewayConfig> {
        let candidates = preferred
            .and_then(|p| self.by_name(p))
            .into_iter()
            .chain(self.default_gateway())
            .chain(self.configs.iter());
        let mut order: Vec<&GatewayConfig> = Vec::new();
        for g in candidates {
            if !order.iter().any(|o| o.name == g.name) {
                order.push(g);
            }
        }
        order
    }

    async fn send_through(
        &self,
        gateway: &GatewayConfig,
        message: &Message,
    ) -> Result<Sent, SendError> {
        match gateway.kind() {
            GatewayKind::Kannel => kannel::send(&self.http, gateway, message).await,
            GatewayKind::Android => crate::android::send(&self.http, gateway, message).await,
            GatewayKind::Dev => Ok(Sent {
                reference: Some(format!("dev-{}", message.id)),
            }),
            other => Err(SendError::Unavailable(format!(
                "gateway kind {other:?} cannot send yet"
            ))),
        }
    }

    /// Sends every due SMS once through the gateways, failing over when one is unavailable.
    /// Returns how many were handed to a gateway.
    pub async fn send_due(&self, db: &Db) -> Result<usize, StoreError> {
        if self.configs.is_empty() {
            return Ok(0);
        }
        let mut sent = 0;
        for message in db.lease_due_messages("sms", 100).await? {
            let mut outcome = Err(SendError::Unavailable("no gateway".into()));
            for gateway in self.attempt_order(message.gateway.as_deref()) {
                outcome = self
                    .send_through(gateway, &message)
                    .await
                    .map(|s| (gateway, s));
                match &outcome {
                    Ok(_) | Err(SendError::Rejected(_)) => break,
                    Err(SendError::Unavailable(reason)) => {
                        tracing::warn!(gateway = %gateway.name, message = message.id, "SMS not sent: {reason}");
                        metrics::counter!("balai_sms_gateway_errors_total", "gateway" => gateway.name.clone()).increment(1);
                    }
                }
            }
            match outcome {
                Ok((gateway, receipt)) => {
                    db.mark_sms_sent(
                        message.id,
                        &gateway.name,
                        receipt.reference.as_deref(),
                        message.segments,
                    )
                    .await?;
                    if gateway.kind() == GatewayKind::Dev {
                        db.record_delivery_report(message.id, Some(true), "dev")
                            .await?;
                    }
                    metrics::counter!("balai_sms_sent_total", "gateway" => gateway.name.clone())
                        .increment(1);
                    sent += 1;
                }
                Err(SendError::Rejected(reason)) => {
                    db.mark_message_failed(message.id, &reason).await?
                }
                Err(SendError::Unavailable(reason)) => {
                    db.mark_message_attempt_failed(message.id, &reason).await?
                }
            }
        }
        Ok(sent)
    }

    /// Drains the outbox every `interval` until `shutdown` turns true.
    pub async fn run_worker(
        self: Arc<Self>,
        db: Db,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.send_due(&db).await {
                tracing::error!("SMS sender: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }
}
