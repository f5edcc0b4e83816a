//! Tickets: intake from web and app, the handling actions, the answer to the reporter, and the
//! citizen's tracking view.

use crate::{App, outbox, texts};
use domain::access::Acting;
use domain::handling::{self, Assignee, Command, Notify, StepEffect, TicketFacts, ToReporter};
use domain::{Capability, DeclineReason, EventKind, Refusal, TicketId, TrackingCode, UserId};
use store::messages::to_reporter;
use store::sms::SmsRules;
use store::tickets::{ActionInput, Created, NewTicket, PublicEvent, PublicTicket, Ticket};
use store::{
    Access, Conn, Result, StoreError, notify, now_ms, publication, settings, timeline, workflow,
};

impl App {
    /// Stores a new ticket and its `received` event in one transaction.
    pub async fn create_ticket(&self, new: &NewTicket) -> Result<Created> {
        self.create_ticket_once(new, None, None).await
    }

    /// Stores a web or app ticket like `create_ticket` and, in the same transaction, queues its
    /// acknowledgement to the reporter. With a client's own idempotency key (already scoped to
    /// that client in `new.idempotency_key`) a retry of the same `request` answers with the
    /// first ticket and queues nothing; the same key with a different request is refused, so
    /// that a key never hands out another request's ticket.
    pub async fn create_ticket_acknowledged(
        &self,
        new: &NewTicket,
        rules: &SmsRules,
        request: Option<&str>,
    ) -> Result<Created> {
        let fingerprint = request
            .filter(|_| new.idempotency_key.is_some())
            .map(store::auth::digest);
        self.create_ticket_once(new, fingerprint, Some(rules)).await
    }

    async fn create_ticket_once(
        &self,
        new: &NewTicket,
        fingerprint: Option<String>,
        acknowledge: Option<&SmsRules>,
    ) -> Result<Created> {
        let replay = |(created, kept): (Created, Option<String>)| {
            if fingerprint.is_some() && kept != fingerprint {
                return Err(StoreError::Refused(Refusal::IdempotencyKeyReused));
            }
            Ok(created)
        };
        if let Some(key) = &new.idempotency_key
            && let Some(found) = self.db.created_by_key(key).await?
        {
            return replay(found);
        }
        match self
            .insert_ticket(new, fingerprint.as_deref(), acknowledge)
            .await
        {
            Err(StoreError::Database(e))
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation())
                    && new.idempotency_key.is_some() =>
            {
                // A concurrent request with the same key won the race; answer with its ticket.
                let key = new.idempotency_key.as_deref().unwrap_or_default();
                match self.db.created_by_key(key).await? {
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
        acknowledge: Option<&SmsRules>,
    ) -> Result<Created> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let (created, start) = store::tickets::insert_ticket(&mut c, new).await?;
        workflow::start(&mut c, std::slice::from_ref(&start)).await?;
        if let Some(fingerprint) = fingerprint {
            store::tickets::set_fingerprint(&mut c, created.id, fingerprint).await?;
        }
        if let Some(rules) = acknowledge {
            let link = texts::tracking_url(self.public_url(), &created.tracking_code);
            acknowledge_new(&mut c, new, &created, rules, &link, now_ms()).await?;
        }
        tx.commit().await?;
        metrics::counter!("balai_tickets_created_total", "channel" => new.channel.as_str())
            .increment(1);
        Ok(created)
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
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let row = store::tickets::lock_for_action(&mut c, ticket_id).await?;
        if !actor.sees(row.agency) {
            return Err(StoreError::NotFound);
        }
        if !actor.can(Capability::Handle, row.agency) {
            return Err(StoreError::Forbidden);
        }
        // An acting official handling the inbox of the one they stand in for is recorded so.
        let acting = actor.acting_for(Capability::Handle, row.agency).cloned();
        let by = actor.user();
        let facts = TicketFacts {
            status: row.status,
            agency: row.agency,
            answer_needs_approval: matches!(input, ActionInput::Answer { .. })
                && workflow::blocks_direct_answer(&mut c, ticket_id).await?,
        };
        let mut payload = serde_json::json!({});
        let command = match input {
            ActionInput::Forward { agency_code, note } => {
                let target = store::tickets::forward_target(&mut c, agency_code).await?;
                if let Some((_, name)) = &target {
                    payload =
                        serde_json::json!({ "agency_code": agency_code, "agency_name": name });
                }
                Command::Forward {
                    target: target.map(|(id, _)| id),
                    code: agency_code,
                    note,
                }
            }
            ActionInput::Note { body } => Command::Note { body },
            ActionInput::Assign { user_id } => {
                let found = store::tickets::assignee(&mut c, *user_id).await?;
                if let Some((name, _)) = &found {
                    payload = serde_json::json!({ "user_id": user_id, "name": name });
                }
                Command::Assign {
                    assignee: found.map(|(_, agency)| Assignee {
                        id: UserId(*user_id),
                        agency,
                    }),
                    by,
                }
            }
            ActionInput::Answer { body } => Command::Answer { body },
            ActionInput::Ask { question } => Command::Ask { question },
            ActionInput::Decline {
                reason,
                detail,
                duplicate_of,
            } => {
                payload = serde_json::json!({ "reason": reason.as_str() });
                let mut original = None;
                if *reason == DeclineReason::Duplicate {
                    let other = duplicate_of.as_deref().map(str::trim).unwrap_or_default();
                    // Only a ticket the actor sees: no probing of other agencies' numbers.
                    original = store::tickets::find_original(&mut c, other, ticket_id)
                        .await?
                        .filter(|(_, agency)| actor.sees(*agency))
                        .map(|(id, _)| TicketId(id));
                    if let Some(id) = original {
                        payload["duplicate_of"] = serde_json::json!(id.get());
                    }
                }
                Command::Decline {
                    reason: *reason,
                    detail,
                    duplicate_of: original,
                }
            }
            ActionInput::Close { note } => Command::Close { note },
            ActionInput::Reopen { note } => Command::Reopen { note },
        };
        let decision = handling::decide(&facts, &command).map_err(StoreError::Refused)?;
        let actor_id = Some(by.get());
        store::tickets::set_after_action(&mut c, ticket_id, decision.status, decision.row, now)
            .await?;
        let payload = Acting::tag(acting.as_ref(), payload);
        if decision.event == EventKind::Answered {
            let reporter = Reporter {
                channel: row.channel,
                email: row.reporter_email.clone(),
                phone: row.reporter_phone.clone(),
                tracking_url: texts::tracking_url(self.public_url(), &row.tracking_code),
                tracking_code: row.tracking_code.clone(),
            };
            deliver_answer(
                &mut c,
                ticket_id,
                reporter,
                actor_id,
                &decision.body,
                &payload,
                now,
            )
            .await?;
        } else {
            let event = decision.event;
            timeline::append_event(
                &mut c,
                ticket_id,
                event,
                actor_id,
                &decision.body,
                &payload,
                now,
            )
            .await?;
        }
        match decision.step {
            StepEffect::None => {}
            StepEffect::Done(kind) => {
                workflow::advance(&mut c, ticket_id, kind, actor_id, now).await?;
            }
            StepEffect::Assigned(user) => {
                workflow::ticket_assigned(&mut c, ticket_id, user.get(), actor_id, now).await?;
            }
            StepEffect::End { completed } => {
                workflow::end(&mut c, ticket_id, completed, actor_id, now).await?;
            }
            StepEffect::Restart => workflow::restart(&mut c, ticket_id, now).await?,
        }
        if decision.to_reporter == ToReporter::Question {
            let sms = settings::fill(
                &settings::template(&mut c, "question").await?,
                &[("code", &row.tracking_code), ("question", &decision.body)],
            );
            let text = texts::question(sms, &row.tracking_code, &decision.body);
            let messages = to_reporter(row.channel, row.reporter_email, row.reporter_phone, text);
            outbox::to_reporter(&mut c, ticket_id, messages, "question", None, now).await?;
        }
        let told = match decision.notify {
            Notify::Nobody => Vec::new(),
            Notify::LiaisonOfficersOf(agency) => {
                notify::liaison_officers(&mut c, agency.get()).await?
            }
            Notify::User(user) => vec![user.get()],
        };
        crate::notices::ticket_reached(&mut c, &told, ticket_id, now).await?;
        tx.commit().await?;
        // Not scoped: a forward may have moved the ticket out of the actor's agency.
        self.db.ticket_by_id(ticket_id).await
    }

    /// The citizen's view: status and public events, never staff names or internal notes. The
    /// staff's words are shown masked as for publication: whoever holds the code sees no one's
    /// personal data in them (the reporter's included).
    pub async fn track(&self, code: &TrackingCode) -> Result<PublicTicket> {
        let ticket = self.db.ticket_by_code(code).await?;
        let settings = self.db.redaction_settings().await?;
        let events: Vec<_> = self
            .db
            .events(ticket.id)
            .await?
            .into_iter()
            .filter(|e| e.public)
            .collect();
        let reporter = publication::reporter_of(
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
        Ok(PublicTicket {
            tracking_code: ticket.tracking_code,
            register_number: ticket.register_number,
            status: ticket.status,
            status_label: ticket.status.label_id().to_string(),
            category: ticket.category,
            channel: ticket.channel,
            agency_name: ticket.agency_name,
            received_at: ticket.received_at,
            answered_at: ticket.answered_at,
            timeline,
        })
    }
}

/// How the reporter of a ticket is reached.
pub(crate) struct Reporter {
    pub channel: domain::Channel,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tracking_code: String,
    /// The tracking page, as the reporter's email links it.
    pub tracking_url: String,
}

/// Records the answer on the timeline of a ticket marked answered, publishes it and queues it
/// to the reporter on their channels (a direct answer, or an approved draft).
pub(crate) async fn deliver_answer(
    c: &mut Conn<'_>,
    ticket_id: i64,
    reporter: Reporter,
    actor_id: Option<i64>,
    body: &str,
    payload: &serde_json::Value,
    now: i64,
) -> Result<()> {
    let Reporter {
        channel,
        email,
        phone,
        tracking_code: code,
        tracking_url,
    } = reporter;
    timeline::append_event(
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
    publication::publish_on_answer(c, ticket_id, body, actor_id, now).await?;
    let sms = settings::fill(
        &settings::template(c, "answer").await?,
        &[("code", &code), ("answer", body)],
    );
    let messages = to_reporter(
        channel,
        email,
        phone,
        texts::answer(sms, &code, body, &tracking_url),
    );
    outbox::to_reporter(c, ticket_id, messages, "answer", None, now).await
}

/// Queues the acknowledgement of a new web or app ticket on every channel the reporter gave.
async fn acknowledge_new(
    c: &mut Conn<'_>,
    new: &NewTicket,
    created: &Created,
    rules: &SmsRules,
    link: &str,
    now: i64,
) -> Result<()> {
    let code = &created.tracking_code;
    let sms = settings::fill(
        &settings::template(c, "ack").await?,
        &[
            ("register", &created.register_number),
            ("code", code),
            ("due", &rules.answer_time_text),
        ],
    );
    let text = texts::acknowledgement(
        sms,
        code,
        &created.register_number,
        &rules.answer_time_text,
        link,
    );
    let messages = to_reporter(
        new.channel,
        new.intake.reporter_email.clone(),
        new.intake.reporter_phone.as_ref().map(|p| p.to_string()),
        text,
    );
    let per_day = Some(rules.web_intake_per_day);
    outbox::to_reporter(c, created.id, messages, "ack", per_day, now).await
}
