//! SMS intake on one transaction: a batch of inbound messages is stored, classified and
//! answered with a fixed number of statements for the common cases (a keyword ticket, the triage
//! queue, a flood, a blocked number), and the result is the same as taking the messages in one
//! by one in the order given. Rare cases (status requests, replies to a question) run their own
//! statements per message inside the same transaction.

use super::{AUTOREPLY_KINDS, HOUR_MS, InboundSms, SmsOutcome, SmsRules, normalise_sender};
use crate::db::{C, Placeholders, run};
use crate::messages::{OutgoingMessage, Queued, enqueue_many};
use crate::settings::fill;
use crate::tickets::{NewTicket, insert_tickets, record_reporter_reply};
use crate::workflow::{resume_step_clock, start as start_workflows};
use crate::{Result, now_ms};
use domain::sms::classify::{Outcome, Rules, SenderFacts, classify};
use domain::{Channel, PhoneNumber, TicketId, TicketStatus};
use std::collections::{HashMap, HashSet};

/// What was decided for one fresh (not duplicate) message.
struct Fresh<'a> {
    index: usize,
    inbound_id: i64,
    sms: &'a InboundSms,
    sender: String,
}

/// Everything the batch needs to know beforehand, read in one statement per kind.
struct Context {
    blocked: HashSet<String>,
    /// Messages from the sender in the hour before each message, itself included.
    recent: HashMap<i64, i64>,
    autoreplies: HashMap<String, i64>,
    /// Sender → (ticket id, tracking code, asked at): the newest question still waiting.
    awaiting: HashMap<String, (i64, String, i64)>,
    templates: HashMap<String, String>,
    /// Active keyword → agency code.
    keywords: HashMap<String, String>,
}

impl Context {
    fn template(&self, code: &str) -> &str {
        self.templates.get(code).map(String::as_str).unwrap_or("")
    }

    fn keyword_list(&self) -> String {
        let mut words: Vec<&str> = self.keywords.keys().map(String::as_str).collect();
        words.sort_unstable();
        words.join(", ")
    }
}

pub(super) async fn receive(
    c: &mut C<'_>,
    batch: &[InboundSms],
    rules: &SmsRules,
) -> Result<Vec<SmsOutcome>> {
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
    let mut context = read_context(c, &fresh, rules).await?;

    let classify_rules = Rules {
        reserved: &rules.reserved,
        flood_per_hour: rules.flood_per_hour,
        attach_replies_within_ms: rules.attach_replies_within_ms,
    };
    let mut outcomes: Vec<Option<SmsOutcome>> = vec![None; batch.len()];
    let mut new_tickets: Vec<(usize, NewTicket)> = Vec::new();
    // Replies per fresh message, in order; `None` body means "fill in once the ticket exists".
    let mut replies: Vec<(usize, &'static str, Reply)> = Vec::new();
    for (f, message) in fresh.iter().enumerate() {
        let mut outcome = SmsOutcome {
            inbound_id: message.inbound_id,
            outcome: String::new(),
            ticket_id: None,
            tracking_code: None,
            replies: Vec::new(),
        };
        let sender = &message.sender;
        let text = &message.sms.text;
        let facts = SenderFacts {
            blocked: context.blocked.contains(sender),
            sent_last_hour: context
                .recent
                .get(&message.inbound_id)
                .copied()
                .unwrap_or(1),
            awaiting: context
                .awaiting
                .get(sender)
                .map(|(ticket, _, asked)| (TicketId(*ticket), *asked)),
        };
        let classified = classify(
            text,
            message.sms.received_at,
            &facts,
            &classify_rules,
            |k| context.keywords.get(k).cloned(),
        );
        outcome.outcome = classified.as_str().into();
        match classified {
            Outcome::Blocked | Outcome::Flood => {}
            Outcome::Attach(ticket) => {
                let ticket_id = ticket.get();
                let code = context.awaiting[sender].1.clone();
                outcome.ticket_id = Some(ticket_id);
                outcome.tracking_code = Some(code.clone());
                let reply = ticket_text(text, message.inbound_id);
                let at = message.sms.received_at;
                let deadlines = crate::calendar::deadlines(c).await?;
                if let Some(paused_at) =
                    record_reporter_reply(c, ticket_id, &reply, &deadlines, at).await?
                {
                    resume_step_clock(c, ticket_id, &deadlines, paused_at, at).await?;
                }
                // The ticket no longer waits: a further SMS starts a new one.
                context.awaiting.remove(sender);
                let body = fill(context.template("reply_received"), &[("code", &code)]);
                replies.push((f, "autoreply", Reply::Ready(body)));
            }
            Outcome::Help => {
                let body = fill(
                    context.template("help"),
                    &[
                        ("keywords", &context.keyword_list()),
                        ("region", &rules.region_name),
                    ],
                );
                replies.push((f, "help", Reply::Ready(body)));
            }
            Outcome::Status(code) => {
                let body = status_reply(c, &context, code.as_ref().map(|c| c.as_str())).await?;
                replies.push((f, "status", Reply::Ready(body)));
            }
            Outcome::Ticket { .. } | Outcome::Triage => {
                let agency = match &classified {
                    Outcome::Ticket { agency_code } => Some(agency_code.clone()),
                    _ => None,
                };
                let kind = if agency.is_some() { "ack" } else { "autoreply" };
                let intake = domain::ValidIntake {
                    category: "pengaduan".into(),
                    text: ticket_text(text, message.inbound_id),
                    agency_code: agency,
                    reporter_name: None,
                    reporter_phone: PhoneNumber::parse(sender).ok(),
                    reporter_email: None,
                    address: None,
                    lat: None,
                    long: None,
                    anonymous: false,
                    confidential: false,
                };
                new_tickets.push((
                    f,
                    NewTicket {
                        intake,
                        channel: Channel::Sms,
                        idempotency_key: None,
                        received_at: message.sms.received_at,
                    },
                ));
                replies.push((f, kind, Reply::AfterTicket));
            }
        }
        outcomes[message.index] = Some(outcome);
    }

    let tickets: Vec<NewTicket> = new_tickets.iter().map(|(_, n)| n.clone()).collect();
    let (created, starts) = insert_tickets(c, &tickets).await?;
    start_workflows(c, &starts).await?;
    let mut created_for: HashMap<usize, crate::tickets::Created> = HashMap::new();
    for ((f, _), made) in new_tickets.iter().zip(created) {
        let outcome = outcomes[fresh[*f].index].as_mut().expect("decided above");
        outcome.ticket_id = Some(made.id);
        outcome.tracking_code = Some(made.tracking_code.clone());
        created_for.insert(*f, made);
    }
    mark_outcomes(c, &fresh, &outcomes).await?;

    // Replies, within each sender's hourly allowance of automatic replies.
    let now = now_ms();
    let mut queued: Vec<(usize, Queued)> = Vec::new();
    for (f, kind, reply) in replies {
        let message = &fresh[f];
        let allowance = context
            .autoreplies
            .entry(message.sender.clone())
            .or_insert(0);
        if *allowance >= rules.autoreplies_per_hour || PhoneNumber::parse(&message.sender).is_err()
        {
            continue;
        }
        *allowance += 1;
        let body = match reply {
            Reply::Ready(body) => body,
            Reply::AfterTicket => {
                let made = &created_for[&f];
                if kind == "ack" {
                    fill(
                        context.template("ack"),
                        &[
                            ("register", &made.register_number),
                            ("code", &made.tracking_code),
                            ("due", &rules.answer_time_text),
                        ],
                    )
                } else {
                    fill(
                        context.template("unknown_keyword"),
                        &[
                            ("code", &made.tracking_code),
                            ("keywords", &context.keyword_list()),
                            ("register", &made.register_number),
                        ],
                    )
                }
            }
        };
        let ticket_id = outcomes[message.index].as_ref().and_then(|o| o.ticket_id);
        queued.push((
            message.index,
            Queued {
                ticket_id,
                message: OutgoingMessage {
                    channel: "sms",
                    recipient: message.sender.clone(),
                    subject: String::new(),
                    body,
                },
                kind,
                gateway: Some(message.sms.gateway.clone()),
            },
        ));
    }
    let messages: Vec<Queued> = queued.iter().map(|(_, q)| q.clone()).collect();
    let ids = enqueue_many(c, &messages, now).await?;
    for ((index, _), id) in queued.iter().zip(ids) {
        if let Some(outcome) = outcomes[*index].as_mut() {
            outcome.replies.push(id);
        }
    }

    for index in duplicates {
        let sms = &batch[index];
        let (id, ticket_id): (i64, Option<i64>) = run!(c, x => sqlx::query_as(
            "SELECT id, ticket_id FROM inbound_messages WHERE gateway = $1 AND gateway_message_id = $2"
        ).bind(&sms.gateway).bind(&sms.gateway_message_id).fetch_one(x).await?);
        outcomes[index] = Some(SmsOutcome {
            inbound_id: id,
            outcome: "duplicate".into(),
            ticket_id,
            tracking_code: None,
            replies: Vec::new(),
        });
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every message has an outcome"))
        .collect())
}

enum Reply {
    Ready(String),
    /// The acknowledgement or triage reply, which names the ticket created with the batch.
    AfterTicket,
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
    let mut context = Context {
        blocked: HashSet::new(),
        recent: HashMap::new(),
        autoreplies: HashMap::new(),
        awaiting: HashMap::new(),
        templates: HashMap::new(),
        keywords: HashMap::new(),
    };
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

async fn status_reply(c: &mut C<'_>, context: &Context, code: Option<&str>) -> Result<String> {
    let found: Option<(String, String, Option<String>)> = match code {
        Some(code) => run!(c, x => sqlx::query_as(
            "SELECT t.tracking_code, t.status, (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id
                 AND e.kind = 'answered' ORDER BY e.seq DESC LIMIT 1)
             FROM tickets t WHERE t.tracking_code = $1"
        ).bind(code).fetch_optional(x).await?),
        None => None,
    };
    Ok(match found {
        Some((code, status, answer)) => {
            let label = TicketStatus::parse(&status)
                .map(|s| s.label_id())
                .unwrap_or("Diproses");
            fill(
                context.template("status"),
                &[
                    ("code", &code),
                    ("status", label),
                    ("answer", answer.as_deref().unwrap_or("")),
                ],
            )
            .trim()
            .to_string()
        }
        None => context.template("status_unknown").to_string(),
    })
}

/// Records what became of each fresh message, in one statement.
async fn mark_outcomes(
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

/// What a ticket takes from an SMS: the whole text, or, beyond the longest concatenated SMS
/// (web intake has a limit too), its start with a visible mark and the staff page of the full
/// original, which stays in `inbound_messages`.
fn ticket_text(text: &str, inbound_id: i64) -> String {
    match domain::sms::longest::overflow_at(text) {
        None => text.to_string(),
        Some(cut) => format!(
            "{} […]\n\n[SMS dipotong: {} dari {} karakter dimuat. Teks lengkap: /staf/sms/masuk/{inbound_id}]",
            &text[..cut],
            text[..cut].chars().count(),
            text.chars().count(),
        ),
    }
}
