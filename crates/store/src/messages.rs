//! Messages to reporters (the outbox). Every outgoing message is a row committed before any
//! attempt to send it; a worker leases pending rows, sends them and records the outcome.

use crate::db::{C, Placeholders, run};
use crate::{Db, Result, now_ms};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub direction: String,
    #[sqlx(try_from = "String")]
    pub channel: domain::MessageChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub status: domain::MessageStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub kind: String,
    pub gateway: Option<String>,
    pub gateway_ref: Option<String>,
    pub segments: i64,
    pub dlr_status: Option<String>,
    pub dlr_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    pub channel: domain::MessageChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

pub const MAX_ATTEMPTS: i64 = 8;
/// How long a leased message is reserved for the worker that leased it (ms).
pub const LEASE_MS: i64 = 60_000;

const MESSAGE_COLUMNS: &str = "id, ticket_id, direction, channel, recipient, subject, body, status, attempts, last_error, created_at, sent_at, kind, gateway, gateway_ref, segments, dlr_status, dlr_at";

/// Texts of a message to the reporter: the SMS text (from a template) and the email.
pub struct ReporterText {
    pub sms: String,
    pub email_subject: String,
    pub email_body: String,
}

/// The messages that reach the reporter: SMS tickets are answered by SMS; web and app tickets
/// by SMS to the phone the reporter gave and by email when given, both when both. Empty when
/// there is no way to reach them (the tracking page still shows what is public).
pub fn to_reporter(
    channel: domain::Channel,
    email: Option<String>,
    phone: Option<String>,
    text: ReporterText,
) -> Vec<OutgoingMessage> {
    let mut messages = Vec::new();
    if let Some(recipient) = phone {
        messages.push(OutgoingMessage {
            channel: domain::MessageChannel::Sms,
            recipient,
            subject: String::new(),
            body: text.sms,
        });
    }
    if channel == domain::Channel::Sms {
        return messages;
    }
    if let Some(recipient) = email {
        messages.push(OutgoingMessage {
            channel: domain::MessageChannel::Email,
            recipient,
            subject: text.email_subject,
            body: text.email_body,
        });
    }
    messages
}

/// Queues a message; `kind` says why it is sent (answer, ack, autoreply, help, status), and
/// `gateway` which SMS gateway should carry it (the one the citizen wrote through).
pub async fn enqueue_kind(
    c: &mut C<'_>,
    ticket_id: Option<i64>,
    message: &OutgoingMessage,
    kind: &str,
    gateway: Option<&str>,
    now: i64,
) -> Result<i64> {
    let queued = Queued {
        ticket_id,
        message: message.clone(),
        kind,
        gateway: gateway.map(str::to_string),
    };
    Ok(enqueue_many(c, std::slice::from_ref(&queued), now).await?[0])
}

/// One message for `enqueue_many`.
#[derive(Clone)]
pub struct Queued<'a> {
    pub ticket_id: Option<i64>,
    pub message: OutgoingMessage,
    pub kind: &'a str,
    pub gateway: Option<String>,
}

/// Queues several messages, 1,000 per statement (SQLite allows 32,766 parameters); returns
/// their ids in the order given.
pub async fn enqueue_many(c: &mut C<'_>, batch: &[Queued<'_>], now: i64) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(batch.len());
    for chunk in batch.chunks(1_000) {
        ids.extend(enqueue_chunk(c, chunk, now).await?);
    }
    Ok(ids)
}

async fn enqueue_chunk(c: &mut C<'_>, batch: &[Queued<'_>], now: i64) -> Result<Vec<i64>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = Placeholders::for_conn(c);
    let rows: Vec<String> = (0..batch.len())
        .map(|_| {
            let (ticket, channel, recipient, subject, body) =
                (p.next(), p.next(), p.next(), p.next(), p.next());
            let (created, next, kind, gateway, segments) =
                (p.next(), p.next(), p.next(), p.next(), p.next());
            format!(
                "({ticket}, 'out', {channel}, {recipient}, {subject}, {body}, 'pending', {created}, {next}, {kind}, {gateway}, {segments})"
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO messages (ticket_id, direction, channel, recipient, subject, body, status, created_at,
            next_attempt_at, kind, gateway, segments)
         VALUES {} RETURNING id",
        rows.join(", ")
    );
    let mut ids: Vec<i64> = run!(c, x => {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for queued in batch {
            let message = &queued.message;
            let segments = if message.channel == domain::MessageChannel::Sms {
                domain::sms::segment(&message.body).segments() as i64
            } else {
                1
            };
            q = q.bind(queued.ticket_id).bind(message.channel.as_str()).bind(message.recipient.clone())
                .bind(message.subject.clone()).bind(message.body.clone()).bind(now).bind(now).bind(queued.kind)
                .bind(queued.gateway.clone()).bind(segments);
        }
        q.fetch_all(x).await?
    });
    // Ids are handed out in the order of the rows; RETURNING's own order is not promised.
    ids.sort_unstable();
    Ok(ids)
}

impl Db {
    pub async fn ticket_messages(&self, ticket_id: i64) -> Result<Vec<Message>> {
        let mut conn = self.conn().await?;
        let sql =
            format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE ticket_id = $1 ORDER BY id");
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, Message>(sqlx::AssertSqlSafe(sql)).bind(ticket_id).fetch_all(x).await?),
        )
    }

    /// Outgoing messages to one recipient, newest first.
    pub async fn messages_to(&self, recipient: &str, limit: i64) -> Result<Vec<Message>> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE direction = 'out' AND recipient = $1 ORDER BY id DESC LIMIT $2"
        );
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, Message>(sqlx::AssertSqlSafe(sql))
            .bind(recipient).bind(limit).fetch_all(x).await?),
        )
    }

    pub async fn outbox(&self, status: Option<&str>, limit: i64) -> Result<Vec<Message>> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE direction = 'out' AND ($1 IS NULL OR status = $1)
             ORDER BY id DESC LIMIT $2"
        );
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, Message>(sqlx::AssertSqlSafe(sql))
            .bind(status).bind(limit).fetch_all(x).await?),
        )
    }

    /// Leases up to `limit` due messages of a channel so that no other worker or node sends them.
    pub async fn lease_due_messages(&self, channel: &str, limit: i64) -> Result<Vec<Message>> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let sql = match self {
            Db::Sqlite { .. } => format!(
                "UPDATE messages SET lease_until = $1 WHERE id IN (
                    SELECT id FROM messages WHERE direction = 'out' AND status = 'pending' AND channel = $2
                    AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4)
                 RETURNING {MESSAGE_COLUMNS}"
            ),
            Db::Pg(_) => format!(
                "UPDATE messages SET lease_until = $1 WHERE id IN (
                    SELECT id FROM messages WHERE direction = 'out' AND status = 'pending' AND channel = $2
                    AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT $4
                    FOR UPDATE SKIP LOCKED)
                 RETURNING {MESSAGE_COLUMNS}"
            ),
        };
        let leased = run!(&mut tx.c(), x => sqlx::query_as::<_, Message>(sqlx::AssertSqlSafe(sql))
            .bind(now + LEASE_MS).bind(channel).bind(now).bind(limit).fetch_all(x).await?);
        tx.commit().await?;
        Ok(leased)
    }

    pub async fn mark_message_sent(&self, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE messages SET status = 'sent', sent_at = $1, attempts = attempts + 1, lease_until = NULL, last_error = NULL WHERE id = $2"
        ).bind(now_ms()).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// Records a failed attempt: retried with exponential backoff, `failed` after the last attempt.
    pub async fn mark_message_attempt_failed(&self, id: i64, error: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let attempts: i64 = run!(&mut tx.c(), x => sqlx::query_scalar::<_, i64>("SELECT attempts FROM messages WHERE id = $1")
            .bind(id).fetch_one(x).await?)
            + 1;
        let status = if attempts >= MAX_ATTEMPTS {
            "failed"
        } else {
            "pending"
        };
        let backoff = 30_000i64 << (attempts - 1).min(10);
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE messages SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4, lease_until = NULL WHERE id = $5"
        ).bind(status).bind(attempts).bind(error).bind(now_ms() + backoff).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// Gives up on a message the gateway refused for good.
    pub async fn mark_message_failed(&self, id: i64, error: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE messages SET status = 'failed', attempts = attempts + 1, last_error = $1, lease_until = NULL WHERE id = $2"
        ).bind(error).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// Puts a failed message back in the queue (staff "resend").
    pub async fn retry_message(&self, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE messages SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL, sent_at = NULL, dlr_status = NULL, dlr_at = NULL WHERE id = $2 AND status = 'failed'"
        ).bind(now_ms()).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }
}

/// Filters of the staff outbox page. All optional; `limit` is clamped to 1..=200.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    /// `pending`, `sent`, `delivered` or `failed`.
    pub status: Option<String>,
    /// `sms` or `email`.
    pub channel: Option<String>,
    pub gateway: Option<String>,
    /// Only the messages of one ticket.
    pub ticket_id: Option<i64>,
    /// Created at or after (ms).
    pub from_ms: Option<i64>,
    /// Created before (ms).
    pub to_ms: Option<i64>,
    /// `None`: every message. `Some(ids)`: only messages of tickets of these agencies (messages
    /// without a ticket, such as help replies, are left out).
    pub agency_scope: Option<Vec<i64>>,
    /// The next page: messages with an id below this one.
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// An outbox message with the ticket it belongs to.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxEntry {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub message: Message,
    pub register_number: Option<String>,
    pub agency_id: Option<i64>,
}

/// One page of the outbox, newest first; `next_before` is the cursor of the next page.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxPage {
    pub items: Vec<OutboxEntry>,
    pub next_before: Option<i64>,
}

const OUTBOX_ENTRY_COLUMNS: &str = "m.id, m.ticket_id, m.direction, m.channel, m.recipient, m.subject, m.body, m.status, m.attempts, m.last_error, m.created_at, m.sent_at, m.kind, m.gateway, m.gateway_ref, m.segments, m.dlr_status, m.dlr_at, t.register_number, t.agency_id";

enum OutboxParam {
    I(i64),
    S(String),
}

impl Db {
    /// Outgoing messages with filters, a scope and id-cursor pagination (newest first).
    pub async fn outbox_page(&self, filter: &OutboxFilter) -> Result<OutboxPage> {
        let mut clauses: Vec<String> = vec!["m.direction = 'out'".into()];
        let mut params: Vec<OutboxParam> = Vec::new();
        let bind = |p: OutboxParam, params: &mut Vec<OutboxParam>| {
            params.push(p);
            format!("${}", params.len())
        };
        if let Some(scope) = &filter.agency_scope {
            if scope.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let ids: Vec<String> = scope.iter().map(i64::to_string).collect();
                clauses.push(format!("t.agency_id IN ({})", ids.join(",")));
            }
        }
        if let Some(status) = &filter.status {
            let p = bind(OutboxParam::S(status.clone()), &mut params);
            clauses.push(format!("m.status = {p}"));
        }
        if let Some(channel) = &filter.channel {
            let p = bind(OutboxParam::S(channel.clone()), &mut params);
            clauses.push(format!("m.channel = {p}"));
        }
        if let Some(gateway) = &filter.gateway {
            let p = bind(OutboxParam::S(gateway.clone()), &mut params);
            clauses.push(format!("m.gateway = {p}"));
        }
        if let Some(ticket) = filter.ticket_id {
            let p = bind(OutboxParam::I(ticket), &mut params);
            clauses.push(format!("m.ticket_id = {p}"));
        }
        if let Some(from) = filter.from_ms {
            let p = bind(OutboxParam::I(from), &mut params);
            clauses.push(format!("m.created_at >= {p}"));
        }
        if let Some(to) = filter.to_ms {
            let p = bind(OutboxParam::I(to), &mut params);
            clauses.push(format!("m.created_at < {p}"));
        }
        if let Some(before) = filter.before_id {
            let p = bind(OutboxParam::I(before), &mut params);
            clauses.push(format!("m.id < {p}"));
        }
        let limit = filter.limit.clamp(1, 200);
        let sql = format!(
            "SELECT {OUTBOX_ENTRY_COLUMNS} FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id
             WHERE {} ORDER BY m.id DESC LIMIT {}",
            clauses.join(" AND "),
            limit + 1
        );
        let mut conn = self.conn().await?;
        let mut items: Vec<OutboxEntry> = run!(&mut conn.c(), x => {
            let mut query = sqlx::query_as::<_, OutboxEntry>(sqlx::AssertSqlSafe(sql));
            for p in &params {
                query = match p {
                    OutboxParam::I(v) => query.bind(*v),
                    OutboxParam::S(s) => query.bind(s.clone()),
                };
            }
            query.fetch_all(x).await?
        });
        let next_before = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|e| e.message.id)
        } else {
            None
        };
        Ok(OutboxPage { items, next_before })
    }

    /// One outgoing message with its ticket's register number and agency (for scope checks).
    pub async fn outbox_entry(&self, id: i64) -> Result<Option<OutboxEntry>> {
        let mut conn = self.conn().await?;
        let sql = format!(
            "SELECT {OUTBOX_ENTRY_COLUMNS} FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id
             WHERE m.id = $1 AND m.direction = 'out'"
        );
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, OutboxEntry>(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(x).await?),
        )
    }

    /// The gateways that have carried (or are to carry) outgoing messages, for a filter.
    pub async fn outbox_gateways(&self) -> Result<Vec<String>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT gateway FROM messages WHERE direction = 'out' AND gateway IS NOT NULL ORDER BY gateway"
        ).fetch_all(x).await?))
    }
}
