use crate::config::{GatewayConfig, GatewayKind};
use crate::kannel;
use crate::sink::{DeliveryReport, OutboundSms, SentMark, Sink, SinkError};
use crate::smpp::SmppHandle;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;

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

/// Messages leased at a time when the outbox is quiet.
pub const LEASE_BATCH: usize = 100;
/// Messages leased at a time while the previous lease came back full (a backlog).
pub const BACKLOG_LEASE_BATCH: usize = 500;
/// Outcomes are written to the store when this many have been collected…
pub const FLUSH_BATCH: usize = 200;
/// …or this long after the first of them arrived, whichever comes first.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(5);
/// A leased message whose lease is older than this when its turn comes is not sent by this
/// worker (it could expire while the message is out, and another node would send it again);
/// it goes out after the lease expires. Larger leases are only taken while batches go fast,
/// so this is for slow gateways.
fn lease_safe(lease: Duration) -> Duration {
    lease / 2
}
/// How long a round waits for an SMPP session that is binding; see `Router::wait_ready`.
const READY_WAIT: Duration = Duration::from_secs(2);
/// A batch that took longer than this to hand out is followed by a small lease.
const SLOW_BATCH: Duration = Duration::from_secs(5);
/// Messages in flight at once per kind of gateway: twice the window for SMPP (so that the
/// session always has the next `submit_sm` ready when a response frees a slot), a few for
/// HTTP gateways, one for a modem.
const IN_FLIGHT_KANNEL: usize = 8;
const IN_FLIGHT_DEV: usize = 32;

/// The configured gateways and one HTTP client for those that speak HTTP.
pub struct Gateways {
    router: Arc<Router>,
}

/// What sending needs, shared with the tasks that carry the messages in flight.
#[derive(Clone)]
struct Router {
    configs: Vec<GatewayConfig>,
    http: reqwest::Client,
    /// Running sessions of the `smpp` gateways, by name; see [`Gateways::start_smpp`].
    smpp: HashMap<String, Arc<SmppHandle>>,
}

/// What became of one leased message, for the collector that writes outcomes in batches.
enum Outcome {
    Sent {
        id: i64,
        gateway: String,
        dev: bool,
        reference: Option<String>,
        segments: i64,
    },
    Rejected {
        id: i64,
        reason: String,
    },
    Unavailable {
        id: i64,
        reason: String,
    },
}

impl Gateways {
    pub fn new(configs: Vec<GatewayConfig>) -> Result<Self, String> {
        crate::config::validate_all(&configs)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            router: Arc::new(Router {
                configs,
                http,
                smpp: HashMap::new(),
            }),
        })
    }

    /// No gateways: SMS stay pending in the outbox.
    pub fn none() -> Self {
        Self {
            router: Arc::new(Router {
                configs: Vec::new(),
                http: reqwest::Client::new(),
                smpp: HashMap::new(),
            }),
        }
    }

    /// Starts an ESME session (and the consumer that stores its MO and delivery receipts) for
    /// every `smpp` gateway not started yet. Call once inside the tokio runtime, before wrapping
    /// the gateways in an `Arc` for [`Gateways::run_worker`]; the sessions unbind when
    /// `shutdown` turns true.
    pub fn start_smpp(&mut self, sink: &Sink, shutdown: watch::Receiver<bool>) {
        let router = Arc::make_mut(&mut self.router);
        for config in &router.configs {
            if config.kind() == GatewayKind::Smpp && !router.smpp.contains_key(&config.name) {
                let handle = crate::smpp::start(config, sink.clone(), shutdown.clone());
                router.smpp.insert(config.name.clone(), Arc::new(handle));
            }
        }
    }

    /// The running SMPP session of a gateway.
    pub fn smpp(&self, name: &str) -> Option<&SmppHandle> {
        self.router.smpp.get(name).map(|h| &**h)
    }

    pub fn configs(&self) -> &[GatewayConfig] {
        &self.router.configs
    }

    pub fn by_name(&self, name: &str) -> Option<&GatewayConfig> {
        self.router.by_name(name)
    }

    pub fn first_of_kind(&self, kind: GatewayKind) -> Option<&GatewayConfig> {
        self.router.configs.iter().find(|g| g.kind() == kind)
    }

    /// The gateway a message without a preference goes out on: the one marked default, else the first.
    pub fn default_gateway(&self) -> Option<&GatewayConfig> {
        self.router.default_gateway()
    }

    /// Sends every due SMS through the gateways, failing over when one is unavailable, and
    /// returns how many were handed to a gateway (and recorded as such).
    ///
    /// Up to twice the SMPP windows (a few for HTTP gateways) messages are out at once (so an
    /// SMPP window is kept full);
    /// each one still tries its gateways in order, one after the other. Leases are taken in
    /// batches of [`LEASE_BATCH`], of [`BACKLOG_LEASE_BATCH`] while the previous lease came
    /// back full, and the next lease is taken as soon as the previous batch is handed out, so
    /// a backlog drains without pauses; this returns once a lease comes back short and every
    /// outcome is stored.
    ///
    /// Outcomes are written by a collector task in batches (every [`FLUSH_BATCH`] outcomes or
    /// [`FLUSH_INTERVAL`]). A message is recorded sent only after its gateway accepted it. At
    /// least once: if the process dies (or the sink fails) between the gateway's acceptance
    /// and the write of the batch, the row is still `pending` with its lease, and the message
    /// is sent again once the lease expires — the same window as writing each outcome at once,
    /// a few milliseconds wider. Other workers and nodes never take a leased row, so a message
    /// is not sent twice otherwise.
    pub async fn send_due(&self, sink: &Sink) -> Result<usize, SinkError> {
        if self.router.configs.is_empty() || !self.router.wait_ready().await {
            return Ok(0);
        }
        // Set when a gateway was unavailable: the next lease waits for the next round instead
        // of failing a whole backlog over at once.
        let trouble = Arc::new(AtomicBool::new(false));
        let permits = Arc::new(Semaphore::new(self.router.in_flight()));
        let (outcomes, collected) = mpsc::unbounded_channel();
        let collector = tokio::spawn(collect_outcomes(sink.clone(), collected));
        let lease_safe = lease_safe(sink.lease_time());
        let mut limit = LEASE_BATCH;
        let mut lease_error = None;
        loop {
            let leased_at = Instant::now();
            let batch = match sink.lease_due(limit).await {
                Ok(batch) => batch,
                Err(e) => {
                    lease_error = Some(e);
                    break;
                }
            };
            let full = batch.len() == limit;
            let mut late = 0;
            for message in batch {
                let permit = permits
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                if leased_at.elapsed() > lease_safe {
                    late += 1;
                    continue;
                }
                let router = self.router.clone();
                let outcomes = outcomes.clone();
                let trouble = trouble.clone();
                tokio::spawn(async move {
                    let outcome = router.send(message).await;
                    if matches!(outcome, Outcome::Unavailable { .. }) {
                        trouble.store(true, Ordering::Relaxed);
                    }
                    let _ = outcomes.send(outcome);
                    drop(permit);
                });
            }
            if late > 0 {
                tracing::warn!(
                    "SMS sender: {late} leased messages left for after their lease (gateways too slow)"
                );
            }
            if !full || trouble.load(Ordering::Relaxed) {
                break;
            }
            limit = if leased_at.elapsed() > SLOW_BATCH {
                LEASE_BATCH
            } else {
                BACKLOG_LEASE_BATCH
            };
        }
        drop(outcomes);
        let (sent, flush_error) = collector
            .await
            .unwrap_or_else(|e| (0, Some(SinkError::Failed(format!("SMS collector: {e}")))));
        match lease_error.or(flush_error) {
            Some(e) => Err(e),
            None => Ok(sent),
        }
    }

    /// Starts one [`crate::gammu::run_poller`] task per gammu gateway: MO messages from
    /// gammu-smsd's inbox and the status of sent messages. Returns the tasks; they end when
    /// `shutdown` turns true.
    pub fn start_gammu_pollers(
        &self,
        sink: &Sink,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        self.router
            .configs
            .iter()
            .filter(|g| g.kind() == GatewayKind::Gammu)
            .map(|g| {
                tokio::spawn(crate::gammu::run_poller(
                    g.clone(),
                    sink.clone(),
                    shutdown.clone(),
                ))
            })
            .collect()
    }

    /// Drains the outbox every `interval` until `shutdown` turns true.
    pub async fn run_worker(
        self: Arc<Self>,
        sink: Sink,
        interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.send_due(&sink).await {
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

impl Router {
    fn by_name(&self, name: &str) -> Option<&GatewayConfig> {
        self.configs.iter().find(|g| g.name == name)
    }

    fn default_gateway(&self) -> Option<&GatewayConfig> {
        self.configs
            .iter()
            .find(|g| g.default)
            .or_else(|| self.configs.first())
    }

    /// Whether anything can go out now. Every gateway being SMPP with no session started (a
    /// set that is not running) means no; with sessions not bound, waits up to
    /// [`READY_WAIT`] for one to bind (at startup the sender's first round would otherwise
    /// beat the bind and put the first messages back for 30 s), then goes on as usual, so an
    /// outage still counts attempts and fails over as before.
    async fn wait_ready(&self) -> bool {
        if self.configs.iter().any(|g| g.kind() != GatewayKind::Smpp) {
            return true;
        }
        let sessions: Vec<&Arc<SmppHandle>> = self
            .configs
            .iter()
            .filter_map(|g| self.smpp.get(&g.name))
            .collect();
        if sessions.is_empty() {
            return false;
        }
        let deadline = Instant::now() + READY_WAIT;
        while Instant::now() < deadline {
            if sessions.iter().any(|s| s.is_bound()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// How many messages [`Gateways::send_due`] keeps out at once.
    fn in_flight(&self) -> usize {
        self.configs
            .iter()
            .map(|g| match g.kind() {
                GatewayKind::Smpp => 2 * g.window.unwrap_or(crate::smpp::DEFAULT_WINDOW).max(1),
                GatewayKind::Kannel => IN_FLIGHT_KANNEL,
                GatewayKind::Dev => IN_FLIGHT_DEV,
                GatewayKind::Android | GatewayKind::Gammu => 1,
            })
            .sum::<usize>()
            .max(1)
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
        message: &OutboundSms,
    ) -> Result<Sent, SendError> {
        match gateway.kind() {
            GatewayKind::Kannel => kannel::send(&self.http, gateway, message).await,
            GatewayKind::Android => crate::android::send(&self.http, gateway, message).await,
            GatewayKind::Gammu => crate::gammu::send(gateway, message).await,
            GatewayKind::Smpp => match self.smpp.get(&gateway.name) {
                Some(session) => session.submit(message).await,
                None => Err(SendError::Unavailable(format!(
                    "SMPP gateway {} is not started",
                    gateway.name
                ))),
            },
            GatewayKind::Dev => Ok(Sent {
                reference: Some(format!("dev-{}", message.id)),
            }),
        }
    }

    /// Sends one message through its gateways in order, failing over while a gateway is
    /// unavailable; stops at the first that accepts or refuses it for good.
    async fn send(&self, message: OutboundSms) -> Outcome {
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
            Ok((gateway, receipt)) => Outcome::Sent {
                id: message.id,
                gateway: gateway.name.clone(),
                dev: gateway.kind() == GatewayKind::Dev,
                reference: receipt.reference,
                segments: message.segments,
            },
            Err(SendError::Rejected(reason)) => Outcome::Rejected {
                id: message.id,
                reason,
            },
            Err(SendError::Unavailable(reason)) => Outcome::Unavailable {
                id: message.id,
                reason,
            },
        }
    }
}

/// Writes outcomes in batches until every sender of `outcomes` is gone; returns how many
/// messages were recorded sent and the first store error.
async fn collect_outcomes(
    sink: Sink,
    mut outcomes: mpsc::UnboundedReceiver<Outcome>,
) -> (usize, Option<SinkError>) {
    let mut sent = 0;
    let mut error = None;
    while let Some(first) = outcomes.recv().await {
        let mut batch = vec![first];
        let deadline = Instant::now() + FLUSH_INTERVAL;
        while batch.len() < FLUSH_BATCH {
            match tokio::time::timeout_at(deadline, outcomes.recv()).await {
                Ok(Some(outcome)) => batch.push(outcome),
                Ok(None) | Err(_) => break,
            }
        }
        // Whatever else is already waiting (the sink was slow) goes in the same batch.
        while batch.len() < FLUSH_BATCH * 5 {
            match outcomes.try_recv() {
                Ok(outcome) => batch.push(outcome),
                Err(_) => break,
            }
        }
        match flush_outcomes(&sink, batch).await {
            Ok(n) => sent += n,
            Err(e) => {
                tracing::error!(
                    "SMS sender: outcomes not stored (sent again after the lease): {e}"
                );
                error.get_or_insert(e);
            }
        }
    }
    (sent, error)
}

/// Stores one batch of outcomes: every accepted message in one transaction (with the receipt
/// of the dev gateway, which delivers at once), then the failures one by one.
async fn flush_outcomes(sink: &Sink, batch: Vec<Outcome>) -> Result<usize, SinkError> {
    let mut marks: Vec<SentMark> = Vec::new();
    let mut dev: HashMap<String, Vec<DeliveryReport>> = HashMap::new();
    let mut failures = Vec::new();
    for outcome in batch {
        match outcome {
            Outcome::Sent {
                id,
                gateway,
                dev: is_dev,
                reference,
                segments,
            } => {
                if is_dev {
                    dev.entry(gateway.clone())
                        .or_default()
                        .push(DeliveryReport {
                            reference: reference.clone().unwrap_or_default(),
                            delivered: Some(true),
                            detail: "dev".into(),
                        });
                }
                marks.push(SentMark {
                    id,
                    gateway,
                    reference,
                    segments,
                });
            }
            other => failures.push(other),
        }
    }
    let mut attempt = 0;
    loop {
        match sink.mark_sent(&marks).await {
            Ok(()) => break,
            // A busy or restarting database: the messages are out, try a little longer.
            Err(e) if attempt < 3 => {
                attempt += 1;
                tracing::warn!("SMS sender: storing sent messages failed ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
    for (gateway, reports) in dev {
        sink.record_reports(&gateway, &reports).await?;
    }
    let mut per_gateway: HashMap<&str, u64> = HashMap::new();
    for mark in &marks {
        *per_gateway.entry(mark.gateway.as_str()).or_default() += 1;
    }
    for (gateway, n) in per_gateway {
        metrics::counter!("balai_sms_sent_total", "gateway" => gateway.to_string()).increment(n);
    }
    for failure in failures {
        match failure {
            Outcome::Rejected { id, reason } => sink.mark_failed(id, &reason).await?,
            Outcome::Unavailable { id, reason } => sink.mark_attempt_failed(id, &reason).await?,
            Outcome::Sent { .. } => unreachable!("sent messages are marked above"),
        }
    }
    Ok(marks.len())
}
