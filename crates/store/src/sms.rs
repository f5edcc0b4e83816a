//! The SMS channel's data: keywords, reply templates, blocked numbers, inbound messages, and the
//! intake of one inbound SMS (routing, acknowledgement, autoreplies) in one transaction.

use crate::db::{C, run};
use crate::messages::{OutgoingMessage, enqueue_kind};
use crate::tickets::{NewTicket, insert_ticket};
use crate::{Db, Result, StoreError, now_ms};
use domain::sms::{Parsed, ReservedWords};
use domain::{Channel, PhoneNumber, TicketStatus};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Keyword {
    pub id: i64,
    pub keyword: String,
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub description: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InboundMessage {
    pub id: i64,
    pub gateway: String,
    pub gateway_message_id: String,
    pub sender: String,
    pub receiver: String,
    pub text: String,
    pub coding: String,
    pub partial: bool,
    pub received_at: i64,
    pub ticket_id: Option<i64>,
    pub outcome: String,
}

/// One SMS as a gateway delivered it.
#[derive(Debug, Clone)]
pub struct InboundSms {
    pub gateway: String,
    /// The gateway's id for this message: a retry carries the same id and changes nothing.
    pub gateway_message_id: String,
    pub sender: String,
    pub receiver: String,
    pub text: String,
    pub coding: String,
    pub partial: bool,
    pub received_at: i64,
}

/// Rules of SMS intake, from configuration.
#[derive(Debug, Clone)]
pub struct SmsRules {
    pub reserved: ReservedWords,
    /// Automatic replies (acknowledgement, help, status, unknown keyword) per sender per hour.
    pub autoreplies_per_hour: i64,
    /// Messages per sender per hour beyond which messages are stored but flagged as a flood
    /// (no ticket, no reply).
    pub flood_per_hour: i64,
    /// Shown in the acknowledgement, e.g. "3 jam kerja".
    pub answer_time_text: String,
    pub region_name: String,
    /// An SMS from a reporter who was asked a question within this many milliseconds attaches
    /// to that ticket instead of starting a new one; `None` switches the rule off.
    pub attach_replies_within_ms: Option<i64>,
}

impl Default for SmsRules {
    fn default() -> Self {
        Self {
            reserved: ReservedWords::default(),
            autoreplies_per_hour: 5,
            flood_per_hour: 30,
            answer_time_text: "3 jam kerja".into(),
            region_name: "Pemerintah Daerah".into(),
            attach_replies_within_ms: Some(3 * 24 * HOUR_MS),
        }
    }
}

/// What became of an inbound SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsOutcome {
    pub inbound_id: i64,
    /// `ticket`, `triage`, `status`, `help`, `blocked`, `flood`, or `duplicate` for a retry.
    pub outcome: String,
    pub ticket_id: Option<i64>,
    pub tracking_code: Option<String>,
    /// Ids of the replies queued in the outbox.
    pub replies: Vec<i64>,
}

const HOUR_MS: i64 = 3_600_000;
const AUTOREPLY_KINDS: &str = "('ack', 'autoreply', 'help', 'status')";

/// Fills `{name}` placeholders of a template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

pub(crate) async fn template(c: &mut C<'_>, code: &str) -> Result<String> {
    Ok(run!(c, x => sqlx::query_scalar::<_, String>("SELECT body FROM sms_templates WHERE code = $1")
        .bind(code).fetch_optional(x).await?)
    .unwrap_or_default())
}

async fn keyword_list(c: &mut C<'_>) -> Result<String> {
    let words: Vec<String> = run!(c, x => sqlx::query_scalar(
        "SELECT keyword FROM keywords WHERE active ORDER BY keyword"
    ).fetch_all(x).await?);
    Ok(words.join(", "))
}

fn normalise_sender(raw: &str) -> String {
    PhoneNumber::parse(raw)
        .map(|p| p.to_string())
        .unwrap_or_else(|_| raw.trim().to_string())
}

impl Db {
    pub async fn keywords(&self) -> Result<Vec<Keyword>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, Keyword>(
            "SELECT k.id, k.keyword, k.agency_id, a.code AS agency_code, a.name AS agency_name, k.description, k.active
             FROM keywords k JOIN agencies a ON a.id = k.agency_id ORDER BY k.keyword"
        ).fetch_all(x).await?))
    }

    /// Adds a keyword (stored upper-case) routing to an agency.
    pub async fn create_keyword(
        &self,
        keyword: &str,
        agency_id: i64,
        description: &str,
    ) -> Result<i64> {
        let keyword = keyword.trim().to_uppercase();
        if keyword.is_empty()
            || keyword
                .chars()
                .any(|c| c.is_whitespace() || domain::sms::keyword::is_separator(c))
        {
            return Err(StoreError::Invalid(
                "kata kunci harus satu kata tanpa spasi, #, * atau .".into(),
            ));
        }
        if reserved_clash(&keyword) {
            return Err(StoreError::Invalid(format!(
                "{keyword} adalah kata khusus (cek status/bantuan)"
            )));
        }
        let mut tx = self.begin().await?;
        let id = run!(&mut tx.c(), x => sqlx::query_scalar::<_, i64>(
            "INSERT INTO keywords (keyword, agency_id, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        ).bind(&keyword).bind(agency_id).bind(description).bind(now_ms()).fetch_one(x).await
            .map_err(|e| if StoreError::is_unique_violation(&e) { StoreError::Conflict(format!("kata kunci {keyword} sudah ada")) } else { e.into() })?);
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_keyword(
        &self,
        id: i64,
        agency_id: i64,
        description: &str,
        active: bool,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let changed = run!(&mut tx.c(), x => sqlx::query(
            "UPDATE keywords SET agency_id = $1, description = $2, active = $3 WHERE id = $4"
        ).bind(agency_id).bind(description).bind(active).bind(id).execute(x).await?.rows_affected());
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    pub async fn sms_templates(&self) -> Result<Vec<(String, String)>> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as("SELECT code, body FROM sms_templates ORDER BY code").fetch_all(x).await?),
        )
    }

    pub async fn update_sms_template(&self, code: &str, body: &str) -> Result<()> {
        if body.trim().is_empty() {
            return Err(StoreError::Invalid("teks templat wajib diisi".into()));
        }
        let mut tx = self.begin().await?;
        let changed = run!(&mut tx.c(), x => sqlx::query("UPDATE sms_templates SET body = $1 WHERE code = $2")
            .bind(body).bind(code).execute(x).await?.rows_affected());
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    pub async fn block_number(&self, phone: &str, reason: &str) -> Result<()> {
        let phone = normalise_sender(phone);
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "INSERT INTO blocked_numbers (phone, reason, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (phone) DO UPDATE SET reason = excluded.reason"
        ).bind(&phone).bind(reason).bind(now_ms()).execute(x).await?.rows_affected());
        tx.commit().await
    }

    pub async fn unblock_number(&self, phone: &str) -> Result<()> {
        let phone = normalise_sender(phone);
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query("DELETE FROM blocked_numbers WHERE phone = $1").bind(&phone).execute(x).await?.rows_affected());
        tx.commit().await
    }

    pub async fn blocked_numbers(&self) -> Result<Vec<(String, String, i64)>> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as("SELECT phone, reason, created_at FROM blocked_numbers ORDER BY phone").fetch_all(x).await?),
        )
    }

    /// Inbound SMS, newest first; optionally of one sender.
    pub async fn inbound_messages(
        &self,
        sender: Option<&str>,
        limit: i64,
    ) -> Result<Vec<InboundMessage>> {
        let mut conn = self.conn().await?;
        let sender = sender.map(normalise_sender);
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, InboundMessage>(
            "SELECT id, gateway, gateway_message_id, sender, receiver, text, coding, partial, received_at, ticket_id, outcome
             FROM inbound_messages WHERE ($1 IS NULL OR sender = $1) ORDER BY id DESC LIMIT $2"
        ).bind(sender).bind(limit).fetch_all(x).await?),
        )
    }

    /// Takes in one SMS: stores it (once per gateway message id), routes it by keyword into a
    /// ticket or the triage queue, answers status and help requests, and queues the replies,
    /// all in one transaction. The gateway may be told "received" only after this returns.
    pub async fn receive_sms(&self, sms: &InboundSms, rules: &SmsRules) -> Result<SmsOutcome> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let sender = normalise_sender(&sms.sender);
        let inserted: Option<i64> = run!(&mut c, x => sqlx::query_scalar(
            "INSERT INTO inbound_messages (gateway, gateway_message_id, sender, receiver, text, coding, partial, received_at, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')
             ON CONFLICT (gateway, gateway_message_id) DO NOTHING RETURNING id"
        ).bind(&sms.gateway).bind(&sms.gateway_message_id).bind(&sender).bind(&sms.receiver).bind(&sms.text)
            .bind(&sms.coding).bind(sms.partial).bind(sms.received_at).fetch_optional(x).await?);
        let Some(inbound_id) = inserted else {
            let (id, ticket_id): (i64, Option<i64>) = run!(&mut c, x => sqlx::query_as(
                "SELECT id, ticket_id FROM inbound_messages WHERE gateway = $1 AND gateway_message_id = $2"
            ).bind(&sms.gateway).bind(&sms.gateway_message_id).fetch_one(x).await?);
            return Ok(SmsOutcome {
                inbound_id: id,
                outcome: "duplicate".into(),
                ticket_id,
                tracking_code: None,
                replies: Vec::new(),
            });
        };
        let mut outcome = SmsOutcome {
            inbound_id,
            outcome: String::new(),
            ticket_id: None,
            tracking_code: None,
            replies: Vec::new(),
        };

        let blocked: Option<String> = run!(&mut c, x => sqlx::query_scalar("SELECT phone FROM blocked_numbers WHERE phone = $1")
            .bind(&sender).fetch_optional(x).await?);
        let recent: i64 = run!(&mut c, x => sqlx::query_scalar(
            "SELECT COUNT(*) FROM inbound_messages WHERE sender = $1 AND received_at > $2"
        ).bind(&sender).bind(sms.received_at - HOUR_MS).fetch_one(x).await?);
        let autoreplies: i64 = run!(&mut c, x => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM messages WHERE recipient = $1 AND kind IN {AUTOREPLY_KINDS} AND created_at > $2"
        ))).bind(&sender).bind(now_ms() - HOUR_MS).fetch_one(x).await?);
        let may_reply =
            autoreplies < rules.autoreplies_per_hour && PhoneNumber::parse(&sender).is_ok();
        let gateway = sms.gateway.clone();
        let mut replies: Vec<(&'static str, String)> = Vec::new();

        if blocked.is_some() {
            outcome.outcome = "blocked".into();
        } else if recent > rules.flood_per_hour {
            outcome.outcome = "flood".into();
        } else if let Some((ticket_id, code)) =
            awaiting_ticket(&mut c, &sender, &sms.text, rules, sms.received_at).await?
        {
            outcome.outcome = "attached".into();
            outcome.ticket_id = Some(ticket_id);
            outcome.tracking_code = Some(code.clone());
            crate::tickets::record_reporter_reply(&mut c, ticket_id, &sms.text, sms.received_at)
                .await?;
            let body = fill(
                &template(&mut c, "reply_received").await?,
                &[("code", &code)],
            );
            replies.push(("autoreply", body));
        } else {
            match domain::sms::keyword::parse(&sms.text, &rules.reserved) {
                Parsed::Help => {
                    outcome.outcome = "help".into();
                    let keywords = keyword_list(&mut c).await?;
                    let body = fill(
                        &template(&mut c, "help").await?,
                        &[("keywords", &keywords), ("region", &rules.region_name)],
                    );
                    replies.push(("help", body));
                }
                Parsed::Status(code) => {
                    outcome.outcome = "status".into();
                    let found: Option<(String, String, Option<String>)> = match &code {
                        Some(code) => run!(&mut c, x => sqlx::query_as(
                            "SELECT t.tracking_code, t.status, (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id
                                 AND e.kind = 'answered' ORDER BY e.seq DESC LIMIT 1)
                             FROM tickets t WHERE t.tracking_code = $1"
                        ).bind(code.as_str()).fetch_optional(x).await?),
                        None => None,
                    };
                    let body = match found {
                        Some((code, status, answer)) => {
                            let label = TicketStatus::parse(&status)
                                .map(|s| s.label_id())
                                .unwrap_or("Diproses");
                            fill(
                                &template(&mut c, "status").await?,
                                &[
                                    ("code", &code),
                                    ("status", label),
                                    ("answer", answer.as_deref().unwrap_or("")),
                                ],
                            )
                            .trim()
                            .to_string()
                        }
                        None => template(&mut c, "status_unknown").await?,
                    };
                    replies.push(("status", body));
                }
                parsed => {
                    let keyword = match &parsed {
                        Parsed::Keyword { keyword, .. } => Some(keyword.clone()),
                        _ => None,
                    };
                    let agency: Option<String> = match &keyword {
                        Some(k) => run!(&mut c, x => sqlx::query_scalar(
                            "SELECT a.code FROM keywords k JOIN agencies a ON a.id = k.agency_id WHERE k.keyword = $1 AND k.active AND a.active"
                        ).bind(k).fetch_optional(x).await?),
                        None => None,
                    };
                    let intake = domain::ValidIntake {
                        category: "pengaduan".into(),
                        text: sms.text.clone(),
                        agency_code: agency.clone(),
                        reporter_name: None,
                        reporter_phone: PhoneNumber::parse(&sender).ok(),
                        reporter_email: None,
                        address: None,
                        lat: None,
                        long: None,
                        anonymous: false,
                        confidential: false,
                    };
                    let new = NewTicket {
                        intake,
                        channel: Channel::Sms,
                        idempotency_key: None,
                        received_at: sms.received_at,
                    };
                    let created = insert_ticket(&mut c, &new).await?;
                    outcome.ticket_id = Some(created.id);
                    outcome.tracking_code = Some(created.tracking_code.clone());
                    let due = rules.answer_time_text.clone();
                    if agency.is_some() {
                        outcome.outcome = "ticket".into();
                        let body = fill(
                            &template(&mut c, "ack").await?,
                            &[
                                ("register", &created.register_number),
                                ("code", &created.tracking_code),
                                ("due", &due),
                            ],
                        );
                        replies.push(("ack", body));
                    } else {
                        outcome.outcome = "triage".into();
                        let keywords = keyword_list(&mut c).await?;
                        let body = fill(
                            &template(&mut c, "unknown_keyword").await?,
                            &[
                                ("code", &created.tracking_code),
                                ("keywords", &keywords),
                                ("register", &created.register_number),
                            ],
                        );
                        replies.push(("autoreply", body));
                    }
                }
            }
        }
        run!(&mut c, x => sqlx::query("UPDATE inbound_messages SET outcome = $1, ticket_id = $2 WHERE id = $3")
            .bind(&outcome.outcome).bind(outcome.ticket_id).bind(inbound_id).execute(x).await?.rows_affected());
        if may_reply {
            for (kind, body) in replies {
                let message = OutgoingMessage {
                    channel: "sms",
                    recipient: sender.clone(),
                    subject: String::new(),
                    body,
                };
                let id = enqueue_kind(
                    &mut c,
                    outcome.ticket_id,
                    &message,
                    kind,
                    Some(&gateway),
                    now_ms(),
                )
                .await?;
                outcome.replies.push(id);
            }
        }
        tx.commit().await?;
        metrics::counter!("balai_sms_received_total", "outcome" => outcome.outcome.clone())
            .increment(1);
        Ok(outcome)
    }

    /// Records a delivery report for an outbox message: `delivered` or `failed` (with the code).
    pub async fn record_delivery_report(
        &self,
        message_id: i64,
        delivered: Option<bool>,
        detail: &str,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let status = match delivered {
            Some(true) => Some("delivered"),
            Some(false) => Some("failed"),
            None => None,
        };
        let changed = run!(&mut tx.c(), x => sqlx::query(
            "UPDATE messages SET status = COALESCE($1, status), dlr_status = $2, dlr_at = $3,
             last_error = CASE WHEN $1 = 'failed' THEN $2 ELSE last_error END WHERE id = $4 AND direction = 'out'"
        ).bind(status).bind(detail).bind(now_ms()).bind(message_id).execute(x).await?.rows_affected());
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    /// A delivery report that names the gateway's own reference (SMPP message id).
    pub async fn message_by_gateway_ref(
        &self,
        gateway: &str,
        reference: &str,
    ) -> Result<Option<i64>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_scalar(
            "SELECT id FROM messages WHERE gateway = $1 AND gateway_ref = $2"
        ).bind(gateway).bind(reference).fetch_optional(x).await?))
    }

    /// Marks an SMS handed to a gateway, with the gateway's reference when it gives one. A
    /// delivery report can beat this call (the gateway answers its callback first): the status
    /// it set is kept.
    pub async fn mark_sms_sent(
        &self,
        id: i64,
        gateway: &str,
        reference: Option<&str>,
        segments: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE messages SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END, sent_at = $1,
             attempts = attempts + 1, lease_until = NULL, last_error = NULL, gateway = $2, gateway_ref = $3, segments = $4
             WHERE id = $5 AND sent_at IS NULL"
        ).bind(now_ms()).bind(gateway).bind(reference).bind(segments).bind(id).execute(x).await?.rows_affected());
        tx.commit().await
    }
}

/// The ticket this sender was asked about, if the rule is on and the SMS is not a command.
async fn awaiting_ticket(
    c: &mut C<'_>,
    sender: &str,
    text: &str,
    rules: &SmsRules,
    now: i64,
) -> Result<Option<(i64, String)>> {
    let Some(window) = rules.attach_replies_within_ms else {
        return Ok(None);
    };
    if matches!(
        domain::sms::keyword::parse(text, &rules.reserved),
        Parsed::Help | Parsed::Status(_)
    ) {
        return Ok(None);
    }
    Ok(run!(c, x => sqlx::query_as(
        "SELECT id, tracking_code FROM tickets WHERE reporter_phone = $1 AND awaiting_reporter_since IS NOT NULL
         AND awaiting_reporter_since > $2 AND status IN ('received', 'open') ORDER BY awaiting_reporter_since DESC LIMIT 1"
    ).bind(sender).bind(now - window).fetch_optional(x).await?))
}

fn reserved_clash(keyword: &str) -> bool {
    let reserved = ReservedWords::default();
    reserved
        .status
        .iter()
        .chain(reserved.help.iter())
        .any(|w| w.eq_ignore_ascii_case(keyword))
}
