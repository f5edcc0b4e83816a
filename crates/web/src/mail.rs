//! Sends queued email messages through SMTP. Without SMTP configured nothing runs and email
//! stays `pending` in the outbox, visible on the ticket.

use crate::config::SmtpConfig;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use store::Db;
use tokio::sync::watch;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

fn transport(config: &SmtpConfig) -> Result<Transport, String> {
    let builder = match config.tls.as_str() {
        "tls" => Transport::relay(&config.host).map_err(|e| e.to_string())?,
        "starttls" => Transport::starttls_relay(&config.host).map_err(|e| e.to_string())?,
        _ => Transport::builder_dangerous(&config.host),
    };
    let builder = builder
        .port(config.port)
        .timeout(Some(Duration::from_secs(20)));
    let builder = match (&config.username, &config.password) {
        (Some(u), Some(p)) => builder.credentials(Credentials::new(u.clone(), p.clone())),
        _ => builder,
    };
    Ok(builder.build())
}

/// Sends every due email once; returns how many went out.
pub async fn send_due(db: &Db, config: &SmtpConfig) -> Result<usize, store::StoreError> {
    let from: Mailbox = match config.from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!("smtp.from is invalid: {e}");
            return Ok(0);
        }
    };
    let transport = match transport(config) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("SMTP set-up failed: {e}");
            return Ok(0);
        }
    };
    let mut sent = 0;
    for message in db.lease_due_messages("email", 50).await? {
        let email = message
            .recipient
            .parse::<Mailbox>()
            .map_err(|e| e.to_string())
            .and_then(|to| {
                Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(message.subject.clone())
                    .body(message.body.clone())
                    .map_err(|e| e.to_string())
            });
        let outcome = match email {
            Ok(email) => transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                db.mark_message_sent(message.id).await?;
                metrics::counter!("balai_email_sent_total").increment(1);
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(message = message.id, "email not sent: {e}");
                metrics::counter!("balai_email_failed_attempts_total").increment(1);
                db.mark_message_attempt_failed(message.id, &e).await?;
            }
        }
    }
    Ok(sent)
}

/// Polls the outbox every `interval` until `shutdown` turns true.
pub async fn run_worker(
    db: Db,
    config: SmtpConfig,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = send_due(&db, &config).await {
            tracing::error!("mail worker: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }
}
