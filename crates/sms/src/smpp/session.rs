//! The ESME session of one gateway: `bind_transceiver`, `enquire_link` every
//! [`ENQUIRE_LINK_INTERVAL`] (and answers to the SMSC's), a window of outstanding `submit_sm`
//! matched to their responses by sequence number, pacing and throttling, reconnects with
//! backoff, `unbind` at shutdown. Inbound `deliver_sm` go out as [`Inbound`] events, answered
//! when the consumer acknowledges them.

use super::pdu::{InboundKind, Writer, parse_deliver_sm, read_commands, submit_pdus};
use super::*;
use crate::config::GatewayConfig;
use crate::sender::{SendError, Sent};
use crate::sink::{OutboundSms, now_ms};
use rusmpp::pdus::{BindTransceiver, DeliverSm, DeliverSmResp, SubmitSm};
use rusmpp::types::COctetString;
use rusmpp::values::InterfaceVersion;
use rusmpp::{Command, CommandId, Pdu};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Instant, sleep, sleep_until, timeout};

/// An inbound `deliver_sm`; the session answers it when `ack` is sent (`true`: committed,
/// `false`: answer `ESME_RX_T_APPN` so the SMSC retries) or dropped (same as `false`).
#[derive(Debug)]
pub struct Inbound {
    pub kind: InboundKind,
    pub ack: oneshot::Sender<bool>,
}

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
        let seed = (now_ms() as u64 % 256) as u16;
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
    pub async fn submit(&self, message: &OutboundSms) -> Result<Sent, SendError> {
        if !self.is_bound() {
            return Err(SendError::Unavailable(format!(
                "SMPP gateway {} is not bound",
                self.name
            )));
        }
        let reference = self.next_reference.fetch_add(1, Ordering::Relaxed) as u8;
        let pdus =
            submit_pdus(message, self.source_addr.as_deref(), reference).map_err(|e| match e {
                SendError::Unavailable(why) => {
                    SendError::Unavailable(format!("SMPP gateway {}: {why}", self.name))
                }
                rejected => rejected,
            })?;
        let mut last = None;
        for pdu in pdus {
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
    let mut writer = Writer::new(write);
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
