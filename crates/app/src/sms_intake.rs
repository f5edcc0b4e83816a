//! SMS intake: a batch of inbound messages in one transaction, with the same result as taking
//! them in one by one in the order given. `store::sms::intake` stores the batch and reads what
//! deciding needs, one statement per kind; `domain::sms::classify` decides each message
//! (blocked, flood, reply to a question, help, status, keyword ticket, triage); the tickets of
//! the batch are inserted and their workflows started together; the replies go out within each
//! sender's hourly allowance. Rare cases (status requests, replies to a question) run their own
//! statements per message inside the same transaction.

use crate::{App, texts};
use domain::sms::classify::{Outcome, Rules, SenderFacts, classify};
use domain::{Channel, PhoneNumber, TicketId, TicketStatus};
use std::collections::HashMap;
use store::messages::{OutgoingMessage, Queued, enqueue_many};
use store::sms::intake::{self, Context};
use store::sms::{InboundSms, SmsOutcome, SmsRules, fill};
use store::tickets::{Created, NewTicket, insert_tickets, record_reporter_reply};
use store::{Conn, Result, calendar, now_ms, workflow};

mod queue;

pub use queue::{MAX_BATCH, SmsIntake};

impl App {
    /// Takes in one SMS: stores it (once per gateway message id), routes it by keyword into a
    /// ticket or the triage queue, answers status and help requests, and queues the replies,
    /// all in one transaction. The gateway may be told "received" only after this returns.
    pub async fn receive_sms(&self, sms: &InboundSms, rules: &SmsRules) -> Result<SmsOutcome> {
        let mut outcomes = self
            .receive_sms_batch(std::slice::from_ref(sms), rules)
            .await?;
        Ok(outcomes.remove(0))
    }

    /// Takes in several SMS in one transaction, with the same result as taking them in one by
    /// one in this order, in a fixed number of statements for the common cases (keyword
    /// tickets, triage, floods), so that a busy gateway's messages are committed together.
    pub async fn receive_sms_batch(
        &self,
        batch: &[InboundSms],
        rules: &SmsRules,
    ) -> Result<Vec<SmsOutcome>> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let outcomes = receive(&mut c, batch, rules).await?;
        tx.commit().await?;
        for outcome in &outcomes {
            metrics::counter!("balai_sms_received_total", "outcome" => outcome.outcome.clone())
                .increment(1);
        }
        Ok(outcomes)
    }
}

enum Reply {
    Ready(String),
    /// The acknowledgement or triage reply, which names the ticket created with the batch.
    AfterTicket,
}

async fn receive(
    c: &mut Conn<'_>,
    batch: &[InboundSms],
    rules: &SmsRules,
) -> Result<Vec<SmsOutcome>> {
    let intake::Staged {
        fresh,
        duplicates,
        mut context,
    } = intake::stage(c, batch, rules).await?;

    let classify_rules = Rules {
        reserved: &rules.reserved,
        flood_per_hour: rules.flood_per_hour,
        attach_replies_within_ms: rules.attach_replies_within_ms,
    };
    let mut outcomes: Vec<Option<SmsOutcome>> = vec![None; batch.len()];
    let mut new_tickets: Vec<(usize, NewTicket)> = Vec::new();
    // Replies per fresh message, in order.
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
                let reply = texts::sms_ticket_text(text, message.inbound_id);
                let at = message.sms.received_at;
                let deadlines = calendar::deadlines(c).await?;
                if let Some(paused_at) =
                    record_reporter_reply(c, ticket_id, &reply, &deadlines, at).await?
                {
                    workflow::resume_step_clock(c, ticket_id, &deadlines, paused_at, at).await?;
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
                    text: texts::sms_ticket_text(text, message.inbound_id),
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
    workflow::start(c, &starts).await?;
    let mut created_for: HashMap<usize, Created> = HashMap::new();
    for ((f, _), made) in new_tickets.iter().zip(created) {
        let outcome = outcomes[fresh[*f].index].as_mut().expect("decided above");
        outcome.ticket_id = Some(made.id);
        outcome.tracking_code = Some(made.tracking_code.clone());
        created_for.insert(*f, made);
    }
    intake::mark_outcomes(c, &fresh, &outcomes).await?;

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
                    channel: domain::MessageChannel::Sms,
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
        outcomes[index] = Some(intake::duplicate(c, &batch[index]).await?);
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every message has an outcome"))
        .collect())
}

/// The reply to a status request: the admin's `status` template filled for the ticket, or
/// `status_unknown`.
async fn status_reply(c: &mut Conn<'_>, context: &Context, code: Option<&str>) -> Result<String> {
    let found = match code {
        Some(code) => intake::ticket_status(c, code).await?,
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
