//! The SMS channel's data: keywords, reply templates, blocked numbers, inbound messages, the
//! tables of SMS intake (`intake`; the intake itself is `app::sms_intake`) and the outcomes of
//! sending (marks, delivery reports).

use crate::db::{Placeholders, run};
pub use crate::rows::SmsRules;
use crate::{Db, Result, StoreError, now_ms};
use domain::PhoneNumber;
use domain::sms::ReservedWords;
use serde::Serialize;

pub mod intake;

pub use crate::settings::fill;

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

pub use domain::sms::wire::{DeliveryReport, InboundSms, SentMark};

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
            return Err(StoreError::Refused(domain::Refusal::KeywordNotOneWord));
        }
        if reserved_clash(&keyword) {
            return Err(StoreError::Refused(domain::Refusal::KeywordReserved(
                keyword,
            )));
        }
        let mut tx = self.begin().await?;
        let id = run!(&mut tx.c(), x => sqlx::query_scalar::<_, i64>(
            "INSERT INTO keywords (keyword, agency_id, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        ).bind(&keyword).bind(agency_id).bind(description).bind(now_ms()).fetch_one(x).await
            .map_err(|e| if StoreError::is_unique_violation(&e) { StoreError::Refused(domain::Refusal::Taken(domain::Taken::Keyword(keyword.clone()))) } else { e.into() })?);
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
            return Err(StoreError::Refused(domain::Refusal::FieldRequired(
                domain::Field::TemplateBody,
            )));
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
    /// One received SMS, whole, as the gateway delivered it.
    pub async fn inbound_message(&self, id: i64) -> Result<InboundMessage> {
        let mut conn = self.conn().await?;
        run!(&mut conn.c(), x => sqlx::query_as::<_, InboundMessage>(
            "SELECT id, gateway, gateway_message_id, sender, receiver, text, coding, partial, received_at, ticket_id, outcome
             FROM inbound_messages WHERE id = $1"
        ).bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }

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

/// Rows per statement of the batched outcome functions (SQLite allows 32,766 parameters).
const OUTCOME_CHUNK: usize = 1000;

impl Db {
    /// [`Db::mark_sms_sent`] for many messages in one transaction, with one multi-row
    /// statement per 1,000 messages. Same rules: only rows not marked sent yet change, and a
    /// delivery report that arrived first keeps its status.
    pub async fn mark_sms_sent_many(&self, sent: &[SentMark]) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        for chunk in sent.chunks(OUTCOME_CHUNK) {
            let mut c = tx.c();
            let mut p = Placeholders::for_conn(&c);
            let rows: Vec<String> = (0..chunk.len())
                .map(|_| {
                    let (id, gateway, reference, segments) =
                        (p.next(), p.next(), p.next(), p.next());
                    format!("(CAST({id} AS BIGINT), CAST({gateway} AS TEXT), CAST({reference} AS TEXT), CAST({segments} AS BIGINT))")
                })
                .collect();
            let sent_at = p.next();
            let sql = format!(
                "WITH v (v_id, v_gateway, v_ref, v_segments) AS (VALUES {})
                 UPDATE messages SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END,
                    sent_at = {sent_at}, attempts = attempts + 1, lease_until = NULL, last_error = NULL,
                    gateway = v.v_gateway, gateway_ref = v.v_ref, segments = v.v_segments
                 FROM v WHERE messages.id = v.v_id AND messages.sent_at IS NULL",
                rows.join(", ")
            );
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for mark in chunk {
                    q = q.bind(mark.id).bind(mark.gateway.as_str()).bind(mark.reference.as_deref()).bind(mark.segments);
                }
                q.bind(now).execute(x).await?.rows_affected()
            });
        }
        tx.commit().await
    }

    /// Records delivery receipts that name the gateway's reference (SMPP message ids), as
    /// [`Db::message_by_gateway_ref`] + [`Db::record_delivery_report`] would one by one, in one
    /// transaction. Returns the references no outgoing message of `gateway` has (yet), in the
    /// order given; the caller may try those again later. Reports for the same reference are
    /// applied in the order given.
    pub async fn record_delivery_reports_by_ref(
        &self,
        gateway: &str,
        reports: &[DeliveryReport],
    ) -> Result<Vec<String>> {
        if reports.is_empty() {
            return Ok(Vec::new());
        }
        // A reference repeated in the batch goes into a later round, so that each statement
        // matches a row once and the last report wins, as when applied one by one.
        let mut rounds: Vec<Vec<&DeliveryReport>> = Vec::new();
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for report in reports {
            let round = seen.entry(report.reference.as_str()).or_insert(0);
            if rounds.len() <= *round {
                rounds.push(Vec::new());
            }
            rounds[*round].push(report);
            *round += 1;
        }
        let now = now_ms();
        let mut found: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut tx = self.begin().await?;
        for round in &rounds {
            for chunk in round.chunks(OUTCOME_CHUNK) {
                let mut c = tx.c();
                let mut p = Placeholders::for_conn(&c);
                // The gateway is a column of `v` too: with both columns of the
                // (gateway, gateway_ref) index taken from `v`, SQLite's planner must loop over
                // `v` and look each row up, instead of walking every message of the gateway.
                let rows: Vec<String> = (0..chunk.len())
                    .map(|_| {
                        let (gw, reference, status, detail) = (p.next(), p.next(), p.next(), p.next());
                        format!("(CAST({gw} AS TEXT), CAST({reference} AS TEXT), CAST({status} AS TEXT), CAST({detail} AS TEXT))")
                    })
                    .collect();
                let dlr_at = p.next();
                let sql = format!(
                    "WITH v (v_gateway, v_ref, v_status, v_detail) AS (VALUES {})
                     UPDATE messages SET status = COALESCE(v.v_status, status), dlr_status = v.v_detail,
                        dlr_at = {dlr_at},
                        last_error = CASE WHEN v.v_status = 'failed' THEN v.v_detail ELSE last_error END
                     FROM v WHERE messages.gateway = v.v_gateway AND messages.gateway_ref = v.v_ref
                        AND messages.direction = 'out'
                     RETURNING messages.gateway_ref",
                    rows.join(", ")
                );
                let matched: Vec<Option<String>> = run!(&mut c, x => {
                    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                    for report in chunk.iter().copied() {
                        let status = match report.delivered {
                            Some(true) => Some("delivered"),
                            Some(false) => Some("failed"),
                            None => None,
                        };
                        q = q.bind(gateway).bind(report.reference.as_str()).bind(status).bind(report.detail.as_str());
                    }
                    q.bind(now).fetch_all(x).await?
                });
                found.extend(matched.into_iter().flatten());
            }
        }
        tx.commit().await?;
        let mut missing: Vec<String> = Vec::new();
        for DeliveryReport { reference, .. } in reports {
            if !found.contains(reference) {
                found.insert(reference.clone());
                missing.push(reference.clone());
            }
        }
        Ok(missing)
    }
}

fn reserved_clash(keyword: &str) -> bool {
    let reserved = ReservedWords::default();
    reserved
        .status
        .iter()
        .chain(reserved.help.iter())
        .any(|w| w.eq_ignore_ascii_case(keyword))
}
