//! Tickets, their append-only hash-chained timeline, and the handling actions.

use crate::db::{C, Placeholders, run};
use crate::messages::{OutgoingMessage, ReporterText, to_reporter};
use crate::{Access, Db, Result, StoreError, now_ms};
use domain::access::Acting;
use domain::timeline::EventContent;
use domain::{
    Action, AgencyId, Capability, Channel, DeclineReason, EventKind, TicketStatus, TrackingCode,
    ValidIntake,
};
use serde::Serialize;
use std::collections::HashMap;

/// Synthetic tickets of `balai seed` are due five calendar days after receipt.
pub const DEFAULT_DUE_MS: i64 = 5 * 24 * 3600 * 1000;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Ticket {
    pub id: i64,
    pub tracking_code: String,
    pub register_number: String,
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    pub channel: String,
    pub status: String,
    pub text: String,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub anonymous: bool,
    pub confidential: bool,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub received_at: i64,
    pub updated_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub decline_reason: Option<String>,
    /// Set while the deadline clock is stopped (the reporter was asked a question).
    pub sla_paused_at: Option<i64>,
}

impl Ticket {
    pub fn status(&self) -> TicketStatus {
        TicketStatus::parse(&self.status).unwrap_or(TicketStatus::Open)
    }

    pub fn is_overdue(&self, now: i64) -> bool {
        !self.status().is_final()
            && self.sla_paused_at.is_none()
            && self.due_at.is_some_and(|due| due < now)
    }
}

macro_rules! ticket_columns {
    () => {
        "SELECT t.id, t.tracking_code, t.register_number, t.agency_id, a.code AS agency_code,
    a.name AS agency_name, t.category, t.channel, t.status, t.text, t.reporter_name, t.reporter_phone,
    t.reporter_email, t.anonymous, t.confidential, t.address, t.lat, t.long, t.assignee_id,
    u.full_name AS assignee_name, t.received_at, t.updated_at, t.answered_at, t.closed_at, t.due_at,
    t.decline_reason, t.sla_paused_at"
    };
}
macro_rules! ticket_joins {
    () => {
        "LEFT JOIN agencies a ON a.id = t.agency_id LEFT JOIN users u ON u.id = t.assignee_id"
    };
}
const TICKET_COLUMNS: &str = ticket_columns!();
const TICKET_JOINS: &str = ticket_joins!();
const TICKET_SELECT: &str = concat!(ticket_columns!(), " FROM tickets t ", ticket_joins!());

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub seq: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub public: bool,
    pub body: String,
    pub payload: String,
    pub at: i64,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone)]
pub struct NewTicket {
    pub intake: ValidIntake,
    pub channel: Channel,
    /// A client-chosen key (API `Idempotency-Key` header or the form's one-time token):
    /// the same key always yields the same ticket.
    pub idempotency_key: Option<String>,
    pub received_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub id: i64,
    pub tracking_code: String,
    pub register_number: String,
    pub status: String,
    /// True when the idempotency key had already created this ticket.
    pub replayed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: Option<String>,
    pub agency_code: Option<String>,
    pub category: Option<String>,
    pub channel: Option<String>,
    pub q: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub overdue: bool,
    /// Only tickets without an agency (the secretariat's triage queue).
    pub triage: bool,
    pub assignee_id: Option<i64>,
    pub oldest_first: bool,
    /// Open tickets (received, open) whose deadline comes first; the cursor then holds
    /// (due_at, id). Ignored by a full-text search, which lists matches by arrival.
    pub due_first: bool,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

/// Keyset pagination position: the last row's (received_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.received_at, self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (at, id) = text.split_once('.')?;
        Some(Cursor {
            received_at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Ticket>,
    pub next_cursor: Option<Cursor>,
}

#[derive(Debug, Clone)]
pub enum ActionInput {
    Forward {
        agency_code: String,
        note: String,
    },
    Note {
        body: String,
    },
    Assign {
        user_id: i64,
    },
    Answer {
        body: String,
    },
    Decline {
        reason: DeclineReason,
        detail: String,
        duplicate_of: Option<String>,
    },
    Close {
        note: String,
    },
    Reopen {
        note: String,
    },
    /// Ask the reporter for more information; their SMS reply attaches to the ticket.
    Ask {
        question: String,
    },
}

impl ActionInput {
    fn action(&self) -> Action {
        match self {
            ActionInput::Forward { .. } => Action::Forward,
            ActionInput::Note { .. } => Action::Note,
            ActionInput::Assign { .. } => Action::Assign,
            ActionInput::Answer { .. } => Action::Answer,
            ActionInput::Decline { .. } => Action::Decline,
            ActionInput::Close { .. } => Action::Close,
            ActionInput::Reopen { .. } => Action::Reopen,
            ActionInput::Ask { .. } => Action::Ask,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicEvent {
    pub kind: String,
    pub label: String,
    pub at: i64,
    /// Shown publicly for answers and declines only.
    pub body: Option<String>,
    pub agency_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicTicket {
    pub tracking_code: String,
    pub register_number: String,
    pub status: String,
    pub status_label: String,
    pub category: String,
    pub channel: String,
    pub agency_name: Option<String>,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    pub timeline: Vec<PublicEvent>,
}

enum Param {
    I(i64),
    S(String),
}

/// Appends an event to a ticket whose row the caller has locked, extending the hash chain.
pub(crate) async fn append_event(
    c: &mut C<'_>,
    ticket_id: i64,
    kind: EventKind,
    actor_id: Option<i64>,
    body: &str,
    payload: &serde_json::Value,
    at: i64,
) -> Result<()> {
    let (last_seq, last_hash): (i64, String) = run!(c, x => sqlx::query_as(
        "SELECT last_seq, last_hash FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_one(x).await?);
    let seq = last_seq + 1;
    let payload = payload.to_string();
    let hash = domain::event_hash(
        &last_hash,
        &EventContent {
            ticket_id,
            seq,
            kind: kind.as_str(),
            actor_id,
            at_ms: at,
            body,
            payload: &payload,
        },
    );
    run!(c, x => sqlx::query(
        "INSERT INTO ticket_events (ticket_id, seq, kind, actor_id, public, body, payload, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ).bind(ticket_id).bind(seq).bind(kind.as_str()).bind(actor_id).bind(kind.is_public()).bind(body)
        .bind(&payload).bind(at).bind(&last_hash).bind(&hash).execute(x).await?.rows_affected());
    run!(c, x => sqlx::query("UPDATE tickets SET last_seq = $1, last_hash = $2, updated_at = $3 WHERE id = $4")
        .bind(seq).bind(&hash).bind(at).bind(ticket_id).execute(x).await?.rows_affected());
    Ok(())
}

/// The reporter's answer to a question: appended to the timeline (their words, unaltered) and
/// the ticket no longer waits for them.
pub(crate) async fn record_reporter_reply(
    c: &mut C<'_>,
    ticket_id: i64,
    text: &str,
    at: i64,
) -> Result<()> {
    run!(c, x => sqlx::query("UPDATE tickets SET awaiting_reporter_since = NULL WHERE id = $1")
        .bind(ticket_id).execute(x).await?.rows_affected());
    crate::calendar::resume_clock(c, ticket_id, at).await?;
    append_event(
        c,
        ticket_id,
        EventKind::ReporterReplied,
        None,
        text,
        &serde_json::json!({}),
        at,
    )
    .await
}

/// Queues messages to the reporter; SMS leave through the gateway the citizen wrote to (the
/// default gateway for web and app tickets), never to a blocked number.
async fn queue_to_reporter(
    c: &mut C<'_>,
    ticket_id: i64,
    messages: Vec<OutgoingMessage>,
    kind: &str,
    now: i64,
) -> Result<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let gateway: Option<String> = run!(c, x => sqlx::query_scalar(
        "SELECT gateway FROM inbound_messages WHERE ticket_id = $1 ORDER BY id LIMIT 1"
    ).bind(ticket_id).fetch_optional(x).await?);
    for message in messages {
        if crate::reach::withheld(c, &message, kind, None, now)
            .await?
            .is_none()
        {
            crate::messages::enqueue_kind(
                c,
                Some(ticket_id),
                &message,
                kind,
                gateway.as_deref(),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Records the answer on the timeline, marks the ticket answered and queues the answer to the
/// reporter on their channel (a direct answer, or an approved draft).
pub(crate) async fn deliver_answer(
    c: &mut C<'_>,
    ticket_id: i64,
    actor_id: Option<i64>,
    body: &str,
    payload: &serde_json::Value,
    now: i64,
) -> Result<()> {
    let (channel, reporter_email, reporter_phone, tracking_code): (
        String,
        Option<String>,
        Option<String>,
        String,
    ) = run!(c, x => sqlx::query_as(
            "SELECT channel, reporter_email, reporter_phone, tracking_code FROM tickets WHERE id = $1"
        ).bind(ticket_id).fetch_one(x).await?);
    run!(c, x => sqlx::query("UPDATE tickets SET status = $1, answered_at = $2 WHERE id = $3")
        .bind(TicketStatus::Answered.as_str()).bind(now).bind(ticket_id).execute(x).await?.rows_affected());
    append_event(
        c,
        ticket_id,
        EventKind::Answered,
        actor_id,
        body,
        payload,
        now,
    )
    .await?;
    // Published in the same transaction: an answered ticket is never missed.
    crate::publication::publish_on_answer(c, ticket_id, body, actor_id, now).await?;
    let sms = crate::sms::fill(
        &crate::sms::template(c, "answer").await?,
        &[("code", &tracking_code), ("answer", body)],
    );
    let text = ReporterText {
        sms,
        email_subject: format!("Jawaban atas aduan Anda ({tracking_code})"),
        email_body: format!(
            "Yth. Pelapor,\n\nAduan Anda dengan kode lacak {tracking_code} telah dijawab:\n\n{body}\n\n\
             Anda dapat melihat perkembangan aduan di halaman /lacak/{tracking_code}.\n\nTerima kasih."
        ),
    };
    let reply = to_reporter(&channel, reporter_email, reporter_phone, text);
    queue_to_reporter(c, ticket_id, reply, "answer", now).await
}

/// Takes `count` consecutive numbers in an agency's register for a year; returns the first.
async fn take_register_values(c: &mut C<'_>, scope: &str, year: i32, count: i64) -> Result<i64> {
    let last: i64 = run!(c, x => sqlx::query_scalar(
        "INSERT INTO register_counters (scope, year, last_value) VALUES ($1, $2, $3)
         ON CONFLICT (scope, year) DO UPDATE SET last_value = register_counters.last_value + excluded.last_value
         RETURNING last_value"
    ).bind(scope).bind(year as i64).bind(count).fetch_one(x).await?);
    Ok(last - count + 1)
}

/// Stores a new ticket and its `received` event on the caller's transaction.
pub(crate) async fn insert_ticket(c: &mut C<'_>, new: &NewTicket) -> Result<Created> {
    let mut created = insert_tickets(c, std::slice::from_ref(new)).await?;
    Ok(created.remove(0))
}

/// Stores new tickets and their `received` events on the caller's transaction, in a fixed
/// number of statements whatever their number (SMS intake stores a whole batch at once).
pub(crate) async fn insert_tickets(c: &mut C<'_>, batch: &[NewTicket]) -> Result<Vec<Created>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let mut codes: Vec<&str> = batch
        .iter()
        .filter_map(|n| n.intake.agency_code.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut agencies: HashMap<String, i64> = HashMap::new();
    if !codes.is_empty() {
        let sql = format!(
            "SELECT code, id FROM agencies WHERE active AND code IN ({})",
            Placeholders::for_conn(c).list(codes.len())
        );
        let rows: Vec<(String, i64)> = run!(c, x => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for code in &codes {
                q = q.bind(*code);
            }
            q.fetch_all(x).await?
        });
        agencies.extend(rows);
    }
    if let Some(unknown) = codes.iter().find(|code| !agencies.contains_key(**code)) {
        return Err(StoreError::Invalid(format!("OPD tidak dikenal: {unknown}")));
    }
    let secretariat = if batch.iter().any(|n| n.intake.agency_code.is_none()) {
        run!(c, x => sqlx::query_scalar::<_, String>(
            "SELECT code FROM agencies WHERE kind = 'secretariat' ORDER BY id LIMIT 1"
        ).fetch_optional(x).await?)
        .unwrap_or_else(|| "SETDA".to_string())
    } else {
        String::new()
    };

    // Register numbers: one counter update per (scope, year), taken in a fixed order so that
    // concurrent batches on PostgreSQL never wait on each other's counters in a cycle. The year
    // is the region's: 1 January 01:00 WIB is already the new year.
    let zone = crate::notify::region_zone(c).await?;
    let scope_of = |n: &NewTicket| {
        (
            n.intake
                .agency_code
                .clone()
                .unwrap_or_else(|| secretariat.clone()),
            year_of(n.received_at, zone),
        )
    };
    let mut needed: std::collections::BTreeMap<(String, i32), i64> = Default::default();
    for n in batch {
        *needed.entry(scope_of(n)).or_default() += 1;
    }
    let mut next_value: HashMap<(String, i32), i64> = HashMap::new();
    for ((scope, year), count) in needed {
        let first = take_register_values(c, &scope, year, count).await?;
        next_value.insert((scope, year), first);
    }

    let mut created = Vec::with_capacity(batch.len());
    for n in batch {
        let key = scope_of(n);
        let value = next_value.get_mut(&key).expect("counter taken above");
        let register_number = domain::register_number(&key.0, key.1, *value);
        *value += 1;
        let status = if n.intake.agency_code.is_some() {
            TicketStatus::Open
        } else {
            TicketStatus::Received
        };
        created.push(Created {
            id: 0,
            tracking_code: TrackingCode::generate().to_string(),
            register_number,
            status: status.as_str().to_string(),
            replayed: false,
        });
    }

    let deadlines = crate::calendar::deadlines(c).await?;
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "INSERT INTO tickets (tracking_code, register_number, agency_id, category, channel, status, text,
            reporter_name, reporter_phone, reporter_email, anonymous, confidential, address, lat, long,
            received_at, updated_at, due_at, idempotency_key)
         VALUES {} RETURNING id, tracking_code",
        p.rows(batch.len(), 19)
    );
    let ids: Vec<(i64, String)> = run!(c, x => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for (n, made) in batch.iter().zip(&created) {
            let intake = &n.intake;
            let agency_id = intake.agency_code.as_ref().and_then(|code| agencies.get(code).copied());
            q = q.bind(made.tracking_code.clone()).bind(made.register_number.clone()).bind(agency_id)
                .bind(intake.category.clone()).bind(n.channel.as_str()).bind(made.status.clone())
                .bind(intake.text.clone()).bind(intake.reporter_name.clone())
                .bind(intake.reporter_phone.as_ref().map(|p| p.to_string())).bind(intake.reporter_email.clone())
                .bind(intake.anonymous).bind(intake.confidential).bind(intake.address.clone())
                .bind(intake.lat).bind(intake.long).bind(n.received_at).bind(n.received_at)
                .bind(deadlines.due(n.channel, n.received_at)).bind(n.idempotency_key.clone());
        }
        q.fetch_all(x).await?
    });
    let ids: HashMap<String, i64> = ids.into_iter().map(|(id, code)| (code, id)).collect();
    for made in &mut created {
        made.id = ids[&made.tracking_code];
    }
    let starts: Vec<crate::workflow::Start> = batch
        .iter()
        .zip(&created)
        .map(|(n, made)| crate::workflow::Start {
            ticket_id: made.id,
            agency_id: n
                .intake
                .agency_code
                .as_ref()
                .and_then(|code| agencies.get(code).copied()),
            category: n.intake.category.clone(),
            received_at: n.received_at,
        })
        .collect();
    crate::workflow::start(c, &starts).await?;

    // The first event of each chain: its hash covers the ticket id, known only now.
    let mut events = Vec::with_capacity(batch.len());
    for (n, made) in batch.iter().zip(&created) {
        let payload = serde_json::json!({ "channel": n.channel.as_str(), "agency_code": n.intake.agency_code })
            .to_string();
        let kind = EventKind::Received;
        let hash = domain::event_hash(
            "",
            &EventContent {
                ticket_id: made.id,
                seq: 1,
                kind: kind.as_str(),
                actor_id: None,
                at_ms: n.received_at,
                body: "",
                payload: &payload,
            },
        );
        events.push((made.id, payload, n.received_at, hash));
    }
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "INSERT INTO ticket_events (ticket_id, seq, kind, actor_id, public, body, payload, at, prev_hash, hash) VALUES {}",
        (0..events.len())
            .map(|_| format!(
                "({}, 1, '{}', NULL, {}, '', {}, {}, '', {})",
                p.next(),
                EventKind::Received.as_str(),
                if EventKind::Received.is_public() {
                    "TRUE"
                } else {
                    "FALSE"
                },
                p.next(),
                p.next(),
                p.next()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    run!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, payload, at, hash) in &events {
            q = q.bind(*id).bind(payload.clone()).bind(*at).bind(hash.clone());
        }
        q.execute(x).await?.rows_affected()
    });
    let mut p = Placeholders::for_conn(c);
    let cases: String = (0..events.len())
        .map(|_| format!(" WHEN {} THEN {}", p.next(), p.next()))
        .collect();
    let sql = format!(
        "UPDATE tickets SET last_seq = 1, last_hash = CASE id{cases} END WHERE id IN ({})",
        p.list(events.len())
    );
    run!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, _, _, hash) in &events {
            q = q.bind(*id).bind(hash.clone());
        }
        for (id, _, _, _) in &events {
            q = q.bind(*id);
        }
        q.execute(x).await?.rows_affected()
    });
    Ok(created)
}

fn year_of(ms: i64, zone: chrono_tz::Tz) -> i32 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.with_timezone(&zone).year())
        .unwrap_or(1970)
}

impl Db {
    /// The ticket an idempotency key created, with the fingerprint of its request if one was kept.
    async fn created_by_key(&self, key: &str) -> Result<Option<(Created, Option<String>)>> {
        let mut conn = self.conn().await?;
        let row: Option<(i64, String, String, String, Option<String>)> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT id, tracking_code, register_number, status, idempotency_fingerprint FROM tickets WHERE idempotency_key = $1"
        ).bind(key).fetch_optional(x).await?);
        Ok(row.map(
            |(id, tracking_code, register_number, status, fingerprint)| {
                let created = Created {
                    id,
                    tracking_code,
                    register_number,
                    status,
                    replayed: true,
                };
                (created, fingerprint)
            },
        ))
    }

    /// Stores a new ticket and its `received` event in one transaction.
    pub async fn create_ticket(&self, new: &NewTicket) -> Result<Created> {
        self.create_ticket_once(new, None, None).await
    }

    /// Stores a web or app ticket like `create_ticket` and, in the same transaction, queues its
    /// acknowledgement to the reporter (`reach`). With a client's own idempotency key (already
    /// scoped to that client in `new.idempotency_key`) a retry of the same `request` answers with
    /// the first ticket and queues nothing; the same key with a different request is refused
    /// (`Invalid`), so that a key never hands out another request's ticket.
    pub async fn create_ticket_acknowledged(
        &self,
        new: &NewTicket,
        rules: &crate::sms::SmsRules,
        request: Option<&str>,
    ) -> Result<Created> {
        let fingerprint = request
            .filter(|_| new.idempotency_key.is_some())
            .map(crate::auth::digest);
        self.create_ticket_once(new, fingerprint, Some(rules)).await
    }

    async fn create_ticket_once(
        &self,
        new: &NewTicket,
        fingerprint: Option<String>,
        acknowledge: Option<&crate::sms::SmsRules>,
    ) -> Result<Created> {
        let replay = |(created, kept): (Created, Option<String>)| {
            if fingerprint.is_some() && kept != fingerprint {
                return Err(StoreError::Invalid(
                    "Idempotency-Key ini sudah dipakai untuk permintaan lain".into(),
                ));
            }
            Ok(created)
        };
        if let Some(key) = &new.idempotency_key
            && let Some(found) = self.created_by_key(key).await?
        {
            return replay(found);
        }
        match self
            .insert_ticket(new, fingerprint.as_deref(), acknowledge)
            .await
        {
            Err(StoreError::Database(e))
                if StoreError::is_unique_violation(&e) && new.idempotency_key.is_some() =>
            {
                // A concurrent request with the same key won the race; answer with its ticket.
                let key = new.idempotency_key.as_deref().unwrap_or_default();
                match self.created_by_key(key).await? {
                    Some(found) => replay(found),
                    None => Err(StoreError::Database(e)),
                }
            }
            other => other,
        }
    }

    async fn insert_ticket(
        &self,
        new: &NewTicket,
        fingerprint: Option<&str>,
        acknowledge: Option<&crate::sms::SmsRules>,
    ) -> Result<Created> {
        let mut tx = self.begin().await?;
        let created = insert_ticket(&mut tx.c(), new).await?;
        if let Some(fingerprint) = fingerprint {
            run!(&mut tx.c(), x => sqlx::query("UPDATE tickets SET idempotency_fingerprint = $1 WHERE id = $2")
                .bind(fingerprint).bind(created.id).execute(x).await?.rows_affected());
        }
        if let Some(rules) = acknowledge {
            crate::reach::acknowledge(&mut tx.c(), new, &created, rules, now_ms()).await?;
        }
        tx.commit().await?;
        metrics::counter!("balai_tickets_created_total", "channel" => new.channel.as_str())
            .increment(1);
        Ok(created)
    }

    /// A ticket the actor may see; `NotFound` also when it exists outside their scope, so
    /// ids cannot be probed across agencies.
    pub async fn ticket(&self, actor: &Access, id: i64) -> Result<Ticket> {
        let ticket = self.ticket_by_id(id).await?;
        if !actor.sees(ticket.agency_id.map(AgencyId)) {
            return Err(StoreError::NotFound);
        }
        Ok(ticket)
    }

    pub async fn events(&self, ticket_id: i64) -> Result<Vec<Event>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Event>(
            "SELECT e.id, e.ticket_id, e.seq, e.kind, e.actor_id, u.full_name AS actor_name, e.public, e.body,
                    e.payload, e.at, e.prev_hash, e.hash
             FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.ticket_id = $1 ORDER BY e.seq"
        ).bind(ticket_id).fetch_all(x).await?))
    }

    /// The citizen's view: status and public events, never staff names or internal notes.
    pub async fn track(&self, code: &TrackingCode) -> Result<PublicTicket> {
        let mut conn = self.conn().await?;
        let sql = format!("{TICKET_SELECT} WHERE t.tracking_code = $1");
        let ticket = run!(&mut conn.c(), x => sqlx::query_as::<_, Ticket>(sqlx::AssertSqlSafe(sql))
            .bind(code.as_str()).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)?;
        // The staff's words are shown masked as for publication: whoever holds the code sees
        // no one's personal data in them (the reporter's included).
        let settings = crate::publication::redaction_settings(&mut conn.c()).await?;
        drop(conn);
        let events: Vec<_> = self
            .events(ticket.id)
            .await?
            .into_iter()
            .filter(|e| e.public)
            .collect();
        let reporter = crate::publication::reporter_of(
            &ticket.tracking_code,
            &ticket.register_number,
            ticket.reporter_name.as_deref(),
            ticket.reporter_phone.as_deref(),
            ticket.reporter_email.as_deref(),
        );
        let mut texts: Vec<&str> = events.iter().map(|e| e.body.as_str()).collect();
        texts.push(&ticket.text);
        let redactor = domain::redact::Redactor::new(&reporter, settings, &texts);
        let timeline = events
            .into_iter()
            .map(|e| {
                let payload: serde_json::Value =
                    serde_json::from_str(&e.payload).unwrap_or_default();
                let shows_body =
                    matches!(e.kind.as_str(), "answered" | "declined" | "asked_reporter");
                PublicEvent {
                    label: EventKind::label_id(&e.kind).to_string(),
                    at: e.at,
                    body: shows_body.then(|| redactor.mask(&e.body)),
                    agency_name: payload
                        .get("agency_name")
                        .and_then(|v| v.as_str())
                        .map(str::to_string),
                    kind: e.kind,
                }
            })
            .collect();
        let status = ticket.status();
        Ok(PublicTicket {
            tracking_code: ticket.tracking_code,
            register_number: ticket.register_number,
            status: status.as_str().to_string(),
            status_label: status.label_id().to_string(),
            category: ticket.category,
            channel: ticket.channel,
            agency_name: ticket.agency_name,
            received_at: ticket.received_at,
            answered_at: ticket.answered_at,
            timeline,
        })
    }

    /// Tickets the actor may see, newest first (or oldest first), one page at a time.
    pub async fn list_tickets(&self, actor: &Access, filter: &TicketFilter) -> Result<Page> {
        let mut clauses: Vec<String> = Vec::new();
        let mut params: Vec<Param> = Vec::new();
        let bind = |p: Param, params: &mut Vec<Param>| {
            params.push(p);
            format!("${}", params.len())
        };
        if let Some(scope) = &crate::visible_ids(actor) {
            if scope.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let ids: Vec<String> = scope.iter().map(i64::to_string).collect();
                clauses.push(format!("t.agency_id IN ({})", ids.join(",")));
            }
        }
        if filter.triage {
            clauses.push("t.agency_id IS NULL".into());
        }
        if let Some(status) = &filter.status {
            clauses.push(format!(
                "t.status = {}",
                bind(Param::S(status.clone()), &mut params)
            ));
        }
        if let Some(code) = &filter.agency_code {
            clauses.push(format!(
                "t.agency_id = (SELECT id FROM agencies WHERE code = {})",
                bind(Param::S(code.clone()), &mut params)
            ));
        }
        if let Some(category) = &filter.category {
            clauses.push(format!(
                "t.category = {}",
                bind(Param::S(category.clone()), &mut params)
            ));
        }
        if let Some(channel) = &filter.channel {
            clauses.push(format!(
                "t.channel = {}",
                bind(Param::S(channel.clone()), &mut params)
            ));
        }
        if let Some(from) = filter.from_ms {
            clauses.push(format!(
                "t.received_at >= {}",
                bind(Param::I(from), &mut params)
            ));
        }
        if let Some(to) = filter.to_ms {
            clauses.push(format!(
                "t.received_at < {}",
                bind(Param::I(to), &mut params)
            ));
        }
        if let Some(assignee) = filter.assignee_id {
            clauses.push(format!(
                "t.assignee_id = {}",
                bind(Param::I(assignee), &mut params)
            ));
        }
        if filter.overdue {
            let now = bind(Param::I(now_ms()), &mut params);
            clauses.push(format!(
                "t.due_at < {now} AND t.status IN ('received', 'open') AND t.sla_paused_at IS NULL"
            ));
        }
        // A search lists matches in order of arrival (id), so that the full-text index can be
        // walked in order and stop after one page instead of sorting every match by date.
        let search = filter.q.as_deref().and_then(crate::search::plain_query);
        let fts5 = search.as_deref().and_then(crate::search::fts5_query);
        let search = search.filter(|_| fts5.is_some());
        let search = search.as_deref();
        let mut from = format!("FROM tickets t {TICKET_JOINS}");
        let mut order_key = "t.id";
        if let Some(q) = search {
            match self {
                Db::Sqlite { .. } => {
                    let p = bind(Param::S(fts5.clone().unwrap_or_default()), &mut params);
                    from = format!(
                        "FROM tickets_fts f JOIN tickets t ON t.id = f.rowid {TICKET_JOINS}"
                    );
                    order_key = "f.rowid";
                    clauses.push(format!("tickets_fts MATCH {p}"));
                }
                Db::Pg(_) => {
                    let p = bind(Param::S(q.to_string()), &mut params);
                    clauses.push(format!("t.search @@ plainto_tsquery('simple', {p})"));
                }
            }
        }
        let due_first = filter.due_first && search.is_none();
        let (cmp, dir) = if filter.oldest_first || due_first {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        // The column the keyset walks besides the id.
        let key = if due_first {
            "t.due_at"
        } else {
            "t.received_at"
        };
        if due_first {
            clauses.push("t.status IN ('received', 'open') AND t.due_at IS NOT NULL".into());
        }
        if let Some(cursor) = filter.cursor {
            let id = bind(Param::I(cursor.id), &mut params);
            if search.is_some() {
                clauses.push(format!("{order_key} {cmp} {id}"));
            } else {
                let at = bind(Param::I(cursor.received_at), &mut params);
                clauses.push(format!(
                    "({key} {cmp} {at} OR ({key} = {at} AND t.id {cmp} {id}))"
                ));
            }
        }
        let limit = filter.limit.clamp(1, 200);
        let order = if search.is_some() {
            format!("{order_key} {dir}")
        } else {
            format!("{key} {dir}, t.id {dir}")
        };
        // PostgreSQL cannot read a GIN index in id order: for a search it either walks the
        // primary key testing every ticket or sorts every match. Bounding the ids to a window
        // next to the page's start lets it combine both indexes cheaply; the window widens
        // until the page is full or covers everything.
        let windows: &[i64] = if search.is_some() && matches!(self, Db::Pg(_)) {
            &[20_000, 200_000, 2_000_000, i64::MAX]
        } else {
            &[i64::MAX]
        };
        let start = match (filter.cursor, filter.oldest_first) {
            _ if windows.len() == 1 => 0,
            (Some(c), _) => c.id,
            (None, false) => self.max_ticket_id().await? + 1,
            (None, true) => 0,
        };
        let mut conn = self.conn().await?;
        let mut items: Vec<Ticket> = Vec::new();
        for &window in windows {
            let mut window_clauses = clauses.clone();
            if window != i64::MAX {
                let bound = if filter.oldest_first {
                    start.saturating_add(window)
                } else {
                    start.saturating_sub(window)
                };
                window_clauses.push(if filter.oldest_first {
                    format!("t.id <= {bound}")
                } else {
                    format!("t.id >= {bound}")
                });
            }
            let where_sql = if window_clauses.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", window_clauses.join(" AND "))
            };
            let sql = format!(
                "{TICKET_COLUMNS} {from}{where_sql} ORDER BY {order} LIMIT {}",
                limit + 1
            );
            items = run!(&mut conn.c(), x => {
                let mut query = sqlx::query_as::<_, Ticket>(sqlx::AssertSqlSafe(sql));
                for p in &params {
                    query = match p {
                        Param::I(v) => query.bind(*v),
                        Param::S(s) => query.bind(s.clone()),
                    };
                }
                query.fetch_all(x).await?
            });
            if items.len() as i64 > limit {
                break;
            }
        }
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|t| Cursor {
                received_at: if due_first {
                    t.due_at.unwrap_or_default()
                } else {
                    t.received_at
                },
                id: t.id,
            })
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Applies a handling action as the actor; checks scope and the state machine, appends the
    /// event and queues the answer to the reporter, all in one transaction.
    pub async fn apply_action(
        &self,
        actor: &Access,
        ticket_id: i64,
        input: &ActionInput,
    ) -> Result<Ticket> {
        self.apply_action_at(actor, ticket_id, input, now_ms())
            .await
    }

    /// `apply_action` at a given instant (demo data and imports record past handling).
    pub async fn apply_action_at(
        &self,
        actor: &Access,
        ticket_id: i64,
        input: &ActionInput,
        now: i64,
    ) -> Result<Ticket> {
        if !actor.can_somewhere(Capability::Handle) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let lock_sql = format!(
            "SELECT agency_id, status, channel, reporter_email, reporter_phone, tracking_code FROM tickets WHERE id = $1{}",
            self.for_update()
        );
        type Row = (
            Option<i64>,
            String,
            String,
            Option<String>,
            Option<String>,
            String,
        );
        let row: Row = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(lock_sql)).bind(ticket_id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)?;
        let (agency_id, status, channel, reporter_email, reporter_phone, tracking_code) = row;
        let agency = agency_id.map(AgencyId);
        if !actor.sees(agency) {
            return Err(StoreError::NotFound);
        }
        if !actor.can(Capability::Handle, agency) {
            return Err(StoreError::Forbidden);
        }
        // An acting official handling the inbox of the one they stand in for is recorded so.
        let acting = actor.acting_for(Capability::Handle, agency).cloned();
        let from = TicketStatus::parse(&status).unwrap_or(TicketStatus::Open);
        let to = input
            .action()
            .apply(from)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let actor_id = Some(actor.user().get());
        let required = |text: &str, what: &str| -> Result<()> {
            if text.trim().is_empty() {
                Err(StoreError::Invalid(format!("{what} wajib diisi")))
            } else {
                Ok(())
            }
        };
        match input {
            ActionInput::Forward { agency_code, note } => {
                let target: (i64, String) = run!(&mut c, x => sqlx::query_as(
                    "SELECT id, name FROM agencies WHERE code = $1 AND active AND kind <> 'secretariat'"
                ).bind(agency_code).fetch_optional(x).await?)
                .ok_or_else(|| StoreError::Invalid(format!("OPD tujuan tidak dikenal: {agency_code}")))?;
                if agency_id == Some(target.0) {
                    return Err(StoreError::Conflict(
                        "aduan sudah berada di OPD tersebut".into(),
                    ));
                }
                run!(&mut c, x => sqlx::query("UPDATE tickets SET agency_id = $1, status = $2, assignee_id = NULL WHERE id = $3")
                    .bind(target.0).bind(to.as_str()).bind(ticket_id).execute(x).await?.rows_affected());
                let payload =
                    serde_json::json!({ "agency_code": agency_code, "agency_name": target.1 });
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::Forwarded,
                    actor_id,
                    note,
                    &Acting::tag(acting.as_ref(), payload.clone()),
                    now,
                )
                .await?;
                crate::workflow::advance(
                    &mut c,
                    ticket_id,
                    domain::workflow::StepKind::Forward,
                    actor_id,
                    now,
                )
                .await?;
                let liaisons = crate::notify::liaison_officers(&mut c, target.0).await?;
                crate::notify::notify_ticket_reached(&mut c, &liaisons, ticket_id, now).await?;
            }
            ActionInput::Note { body } => {
                required(body, "catatan")?;
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::Note,
                    actor_id,
                    body,
                    &Acting::tag(acting.as_ref(), serde_json::json!({})),
                    now,
                )
                .await?;
            }
            ActionInput::Assign { user_id } => {
                let assignee: (String, Option<i64>) = run!(&mut c, x => sqlx::query_as(
                    "SELECT full_name, agency_id FROM users WHERE id = $1 AND active"
                ).bind(user_id).fetch_optional(x).await?)
                .ok_or_else(|| StoreError::Invalid("petugas tidak dikenal".into()))?;
                if agency_id.is_some() && assignee.1 != agency_id {
                    return Err(StoreError::Invalid(
                        "petugas harus dari OPD yang menangani aduan".into(),
                    ));
                }
                run!(&mut c, x => sqlx::query("UPDATE tickets SET assignee_id = $1 WHERE id = $2")
                    .bind(user_id).bind(ticket_id).execute(x).await?.rows_affected());
                let payload = serde_json::json!({ "user_id": user_id, "name": assignee.0 });
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::Assigned,
                    actor_id,
                    "",
                    &Acting::tag(acting.as_ref(), payload.clone()),
                    now,
                )
                .await?;
                crate::workflow::ticket_assigned(&mut c, ticket_id, *user_id, actor_id, now)
                    .await?;
                if Some(*user_id) != actor_id {
                    crate::notify::notify_ticket_reached(&mut c, &[*user_id], ticket_id, now)
                        .await?;
                }
            }
            ActionInput::Answer { body } => {
                required(body, "jawaban")?;
                if crate::workflow::blocks_direct_answer(&mut c, ticket_id).await? {
                    return Err(StoreError::Conflict(
                        "alur aduan ini mewajibkan persetujuan: ajukan draf jawaban".into(),
                    ));
                }
                deliver_answer(
                    &mut c,
                    ticket_id,
                    actor_id,
                    body,
                    &Acting::tag(acting.as_ref(), serde_json::json!({})),
                    now,
                )
                .await?;
                crate::workflow::end(&mut c, ticket_id, true, actor_id, now).await?;
            }
            ActionInput::Ask { question } => {
                required(question, "pertanyaan")?;
                run!(&mut c, x => sqlx::query(
                    "UPDATE tickets SET awaiting_reporter_since = $1, sla_paused_at = COALESCE(sla_paused_at, $1) WHERE id = $2"
                ).bind(now).bind(ticket_id).execute(x).await?.rows_affected());
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::AskedReporter,
                    actor_id,
                    question,
                    &Acting::tag(acting.as_ref(), serde_json::json!({})),
                    now,
                )
                .await?;
                let sms = crate::sms::fill(
                    &crate::sms::template(&mut c, "question").await?,
                    &[("code", &tracking_code), ("question", question)],
                );
                let text = ReporterText {
                    sms,
                    email_subject: format!(
                        "Permintaan keterangan untuk aduan Anda ({tracking_code})"
                    ),
                    email_body: format!(
                        "Yth. Pelapor,\n\nPetugas memerlukan keterangan tambahan untuk aduan {tracking_code}:\n\n{question}\n\n\
                         Silakan balas email ini atau hubungi kami.\n\nTerima kasih."
                    ),
                };
                let message = to_reporter(&channel, reporter_email, reporter_phone, text);
                queue_to_reporter(&mut c, ticket_id, message, "question", now).await?;
            }
            ActionInput::Decline {
                reason,
                detail,
                duplicate_of,
            } => {
                let mut payload = serde_json::json!({ "reason": reason.as_str() });
                if *reason == DeclineReason::Duplicate {
                    let other = duplicate_of.as_deref().map(str::trim).unwrap_or_default();
                    let original: Option<(i64, Option<i64>)> = run!(&mut c, x => sqlx::query_as(
                        "SELECT id, agency_id FROM tickets WHERE (register_number = $1 OR tracking_code = $1) AND id <> $2"
                    ).bind(other).bind(ticket_id).fetch_optional(x).await?);
                    // Only a ticket the actor sees: no probing of other agencies' numbers.
                    let original = original.filter(|(_, agency)| actor.sees(agency.map(AgencyId)));
                    let (original, _) = original.ok_or_else(|| {
                        StoreError::Invalid("aduan asal untuk duplikat tidak ditemukan".into())
                    })?;
                    payload["duplicate_of"] = serde_json::json!(original);
                }
                if *reason == DeclineReason::Other {
                    required(detail, "alasan penolakan")?;
                }
                let text = if detail.trim().is_empty() {
                    reason.label_id().to_string()
                } else {
                    format!("{}: {}", reason.label_id(), detail.trim())
                };
                crate::workflow::end(&mut c, ticket_id, false, actor_id, now).await?;
                run!(&mut c, x => sqlx::query("UPDATE tickets SET status = $1, decline_reason = $2 WHERE id = $3")
                    .bind(to.as_str()).bind(reason.as_str()).bind(ticket_id).execute(x).await?.rows_affected());
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::Declined,
                    actor_id,
                    &text,
                    &Acting::tag(acting.as_ref(), payload.clone()),
                    now,
                )
                .await?;
            }
            ActionInput::Close { note } => {
                crate::workflow::end(&mut c, ticket_id, false, actor_id, now).await?;
                run!(&mut c, x => sqlx::query("UPDATE tickets SET status = $1, closed_at = $2 WHERE id = $3")
                    .bind(to.as_str()).bind(now).bind(ticket_id).execute(x).await?.rows_affected());
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::Closed,
                    actor_id,
                    note,
                    &Acting::tag(acting.as_ref(), serde_json::json!({})),
                    now,
                )
                .await?;
            }
            ActionInput::Reopen { note } => {
                run!(&mut c, x => sqlx::query(
                    "UPDATE tickets SET status = $1, closed_at = NULL, decline_reason = NULL WHERE id = $2"
                ).bind(to.as_str()).bind(ticket_id).execute(x).await?.rows_affected());
                crate::workflow::restart(&mut c, ticket_id, now).await?;
                append_event(
                    &mut c,
                    ticket_id,
                    EventKind::Reopened,
                    actor_id,
                    note,
                    &Acting::tag(acting.as_ref(), serde_json::json!({})),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        // Not scoped: a forward may have moved the ticket out of the actor's agency.
        self.ticket_by_id(ticket_id).await
    }

    async fn ticket_by_id(&self, id: i64) -> Result<Ticket> {
        let mut conn = self.conn().await?;
        let sql = format!("{TICKET_SELECT} WHERE t.id = $1");
        run!(&mut conn.c(), x => sqlx::query_as::<_, Ticket>(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }

    async fn max_ticket_id(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM tickets").fetch_one(x).await?),
        )
    }

    pub async fn count_tickets(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(x).await?),
        )
    }
}
