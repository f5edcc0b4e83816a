//! SMS intake's tables, on the caller's transaction: a batch of inbound messages is stored once
//! per gateway message id, everything the classification needs is read with one statement
//! per kind, and what became of each message is recorded in one statement, so that a batch
//! takes a fixed number of statements for the common cases (a keyword ticket, the triage
//! queue, a flood, a blocked number). The intake itself (classification, tickets, replies) is
//! `app::sms_intake`.

use super::{AUTOREPLY_KINDS, HOUR_MS, InboundSms, SmsOutcome, SmsRules, normalise_sender};
use crate::db::{C, Placeholders, run};
use crate::{Result, now_ms};
use domain::TicketStatus;
use std::collections::{HashMap, HashSet};

/// A message of the batch stored now (not a retry of one stored before).
pub struct Fresh<'a> {
    /// Its place in the batch.
    pub index: usize,
    pub inbound_id: i64,
    pub sms: &'a InboundSms,
    /// The sender, normalised (E.164 when it is a phone number).
    pub sender: String,
}

/// Everything the batch needs to know beforehand, read in one statement per kind.
#[derive(Default)]
pub struct Context {
    pub blocked: HashSet<String>,
    /// Messages from the sender in the hour before each message, itself included.
    pub recent: HashMap<i64, i64>,
    /// Automatic replies to each sender in the last hour.
    pub autoreplies: HashMap<String, i64>,
    /// Sender → (ticket id, tracking code, asked at): the newest question still waiting.
    pub awaiting: HashMap<String, (i64, String, i64)>,
    pub templates: HashMap<String, String>,
    /// Active keyword → agency code.
    pub keywords: HashMap<String, String>,
}

impl Context {
    pub fn template(&self, code: &str) -> &str {
        self.templates.get(code).map(String::as_str).unwrap_or("")
    }

    /// The active keywords, for the help and unknown-keyword replies.
    pub fn keyword_list(&self) -> String {
        let mut words: Vec<&str> = self.keywords.keys().map(String::as_str).collect();
        words.sort_unstable();
        words.join(", ")
    }
}

/// A stored batch and what its classification needs.
pub struct Staged<'a> {
    pub fresh: Vec<Fresh<'a>>,
    /// Places in the batch of retries (of a message stored before, or earlier in the batch).
    pub duplicates: Vec<usize>,
    pub context: Context,
}

/// Stores the batch (once per gateway message id) and reads what deciding it needs.
pub async fn stage<'a>(
    c: &mut C<'_>,
    batch: &'a [InboundSms],
    rules: &SmsRules,
) -> Result<Staged<'a>> {
    let senders: Vec<String> = batch.iter().map(|s| normalise_sender(&s.sender)).collect();
    let stored = store_inbound(c, batch, &senders).await?;
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut fresh = Vec::new();
    let mut duplicates = Vec::new();
    for (index, sms) in batch.iter().enumerate() {
        let key = (sms.gateway.as_str(), sms.gateway_message_id.as_str());
        match stored.get(&(key.0.to_string(), key.1.to_string())) {
            Some(&inbound_id) if seen.insert(key) => fresh.push(Fresh {
                index,
                inbound_id,
                sms,
                sender: senders[index].clone(),
            }),
            _ => duplicates.push(index),
        }
    }
    let context = read_context(c, &fresh, rules).await?;
    Ok(Staged {
        fresh,
        duplicates,
        context,
    })
}

/// The outcome of a retry: the message stored before, and its ticket.
pub async fn duplicate(c: &mut C<'_>, sms: &InboundSms) -> Result<SmsOutcome> {
    let (id, ticket_id): (i64, Option<i64>) = run!(c, x => sqlx::query_as(
        "SELECT id, ticket_id FROM inbound_messages WHERE gateway = $1 AND gateway_message_id = $2"
    ).bind(&sms.gateway).bind(&sms.gateway_message_id).fetch_one(x).await?);
    Ok(SmsOutcome {
        inbound_id: id,
        outcome: "duplicate".into(),
        ticket_id,
        tracking_code: None,
        replies: Vec::new(),
    })
}

/// Stores the batch once per (gateway, gateway message id); returns the ids of the rows this
/// call stored (a retry of a stored message returns nothing for it).
async fn store_inbound(
    c: &mut C<'_>,
    batch: &[InboundSms],
    senders: &[String],
) -> Result<HashMap<(String, String), i64>> {
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "INSERT INTO inbound_messages (gateway, gateway_message_id, sender, receiver, text, coding, partial, received_at, outcome)
         VALUES {} ON CONFLICT (gateway, gateway_message_id) DO NOTHING RETURNING id, gateway, gateway_message_id",
        (0..batch.len())
            .map(|_| format!("({}, 'pending')", p.list(8)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows: Vec<(i64, String, String)> = run!(c, x => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for (sms, sender) in batch.iter().zip(senders) {
            q = q.bind(sms.gateway.clone()).bind(sms.gateway_message_id.clone()).bind(sender.clone())
                .bind(sms.receiver.clone()).bind(sms.text.clone()).bind(sms.coding.clone())
                .bind(sms.partial).bind(sms.received_at);
        }
        q.fetch_all(x).await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, gateway, message_id)| ((gateway, message_id), id))
        .collect())
}

async fn read_context(c: &mut C<'_>, fresh: &[Fresh<'_>], rules: &SmsRules) -> Result<Context> {
    let mut context = Context::default();
    if fresh.is_empty() {
        return Ok(context);
    }
    let mut senders: Vec<&str> = fresh.iter().map(|f| f.sender.as_str()).collect();
    senders.sort_unstable();
    senders.dedup();

    let sql = format!(
        "SELECT phone FROM blocked_numbers WHERE phone IN ({})",
        Placeholders::for_conn(c).list(senders.len())
    );
    let blocked: Vec<String> = run!(c, x => {
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for s in &senders { q = q.bind(*s); }
        q.fetch_all(x).await?
    });
    context.blocked.extend(blocked);

    // Counted as if the messages had come one by one: only rows stored before each one.
    let sql = format!(
        "SELECT m.id, (SELECT COUNT(*) FROM inbound_messages i WHERE i.sender = m.sender
             AND i.received_at > m.received_at - {HOUR_MS} AND i.id <= m.id)
         FROM inbound_messages m WHERE m.id IN ({})",
        Placeholders::for_conn(c).list(fresh.len())
    );
    let recent: Vec<(i64, i64)> = run!(c, x => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for f in fresh { q = q.bind(f.inbound_id); }
        q.fetch_all(x).await?
    });
    context.recent.extend(recent);

    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "SELECT recipient, COUNT(*) FROM messages WHERE recipient IN ({}) AND kind IN {AUTOREPLY_KINDS}
         AND created_at > {} GROUP BY recipient",
        p.list(senders.len()),
        p.next()
    );
    let autoreplies: Vec<(String, i64)> = run!(c, x => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for s in &senders { q = q.bind(*s); }
        q.bind(now_ms() - HOUR_MS).fetch_all(x).await?
    });
    context.autoreplies.extend(autoreplies);

    if rules.attach_replies_within_ms.is_some() {
        // The status is checked here, not in SQL: with it in the WHERE clause SQLite's planner
        // may walk the status index (every open ticket) instead of the small partial index.
        let sql = format!(
            "SELECT reporter_phone, id, tracking_code, awaiting_reporter_since, status FROM tickets
             WHERE reporter_phone IN ({}) AND awaiting_reporter_since IS NOT NULL",
            Placeholders::for_conn(c).list(senders.len()),
        );
        let mut awaiting: Vec<(String, i64, String, i64, String)> = run!(c, x => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for s in &senders { q = q.bind(*s); }
            q.fetch_all(x).await?
        });
        awaiting.sort_by_key(|row| row.3);
        // Oldest first, so the newest question wins.
        for (phone, id, code, asked, status) in awaiting {
            if matches!(
                TicketStatus::parse(&status),
                Some(TicketStatus::Received | TicketStatus::Open)
            ) {
                context.awaiting.insert(phone, (id, code, asked));
            }
        }
    }

    let templates: Vec<(String, String)> = run!(c, x => sqlx::query_as("SELECT code, body FROM sms_templates")
        .fetch_all(x).await?);
    context.templates.extend(templates);
    let keywords: Vec<(String, String)> = run!(c, x => sqlx::query_as(
        "SELECT k.keyword, a.code FROM keywords k JOIN agencies a ON a.id = k.agency_id WHERE k.active AND a.active"
    ).fetch_all(x).await?);
    context.keywords.extend(keywords);
    Ok(context)
}

/// A ticket as a status request sees it: (tracking code, status, its latest answer).
pub async fn ticket_status(
    c: &mut C<'_>,
    code: &str,
) -> Result<Option<(String, String, Option<String>)>> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT t.tracking_code, t.status, (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id
             AND e.kind = 'answered' ORDER BY e.seq DESC LIMIT 1)
         FROM tickets t WHERE t.tracking_code = $1"
    ).bind(code).fetch_optional(x).await?))
}

/// Records what became of each fresh message, in one statement; `outcomes` is by place in the
/// batch, decided for every fresh message.
pub async fn mark_outcomes(
    c: &mut C<'_>,
    fresh: &[Fresh<'_>],
    outcomes: &[Option<SmsOutcome>],
) -> Result<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let mut p = Placeholders::for_conn(c);
    let outcome_cases: String = (0..fresh.len())
        .map(|_| format!(" WHEN {} THEN {}", p.next(), p.next()))
        .collect();
    let ticket_cases: String = (0..fresh.len())
        .map(|_| format!(" WHEN {} THEN {}", p.next(), p.next()))
        .collect();
    let sql = format!(
        "UPDATE inbound_messages SET outcome = CASE id{outcome_cases} END, ticket_id = CASE id{ticket_cases} END
         WHERE id IN ({})",
        p.list(fresh.len())
    );
    let decided = |f: &Fresh| outcomes[f.index].as_ref().expect("decided");
    run!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for f in fresh { q = q.bind(f.inbound_id).bind(decided(f).outcome.clone()); }
        for f in fresh { q = q.bind(f.inbound_id).bind(decided(f).ticket_id); }
        for f in fresh { q = q.bind(f.inbound_id); }
        q.execute(x).await?.rows_affected()
    });
    Ok(())
}
