//! Reaching reporters of web and app tickets: the acknowledgement with the tracking code and,
//! later, the answer go by SMS to the phone they gave (the default gateway) and by email when
//! they gave one. A form anyone can fill must not make the region text any number, so the
//! messages the public can trigger (acknowledgements, "send my code") are limited per
//! destination per day, and no SMS goes to a blocked number. Staff answers and questions are
//! not limited (an officer chose to send them), but never go to a blocked number either.

use crate::db::{C, run};
use crate::messages::{OutgoingMessage, enqueue_kind};
use crate::rows::SmsRules;
use crate::{Db, Result, StoreError, now_ms};
use domain::{Channel, TrackingCode};

const DAY_MS: i64 = 24 * 3_600_000;
/// Kinds of message the public can trigger from web intake; they count against the daily limit.
const PUBLIC_KINDS: &str = "'ack', 'code'";

/// Why a message to the reporter was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    Blocked,
    DailyLimit,
}

pub async fn is_blocked(c: &mut C<'_>, phone: &str) -> Result<bool> {
    let found: Option<String> = run!(c, x => sqlx::query_scalar(
        "SELECT phone FROM blocked_numbers WHERE phone = $1"
    ).bind(phone).fetch_optional(x).await?);
    Ok(found.is_some())
}

/// Messages the public triggered to `recipient` in the last day.
async fn public_messages_today(c: &mut C<'_>, recipient: &str, now: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND recipient = $1
         AND kind IN ({PUBLIC_KINDS}) AND created_at > $2"
    );
    Ok(
        run!(c, x => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .bind(recipient).bind(now - DAY_MS).fetch_one(x).await?),
    )
}

/// Why `message` must not be queued, if it must not.
pub async fn withheld(
    c: &mut C<'_>,
    message: &OutgoingMessage,
    kind: &str,
    per_day: Option<i64>,
    now: i64,
) -> Result<Option<Withheld>> {
    if message.channel == domain::MessageChannel::Sms && is_blocked(c, &message.recipient).await? {
        return Ok(Some(Withheld::Blocked));
    }
    if let Some(limit) = per_day.filter(|_| matches!(kind, "ack" | "code"))
        && public_messages_today(c, &message.recipient, now).await? >= limit
    {
        return Ok(Some(Withheld::DailyLimit));
    }
    Ok(None)
}

/// The outcome of a citizen's "send my tracking code by SMS".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeBySms {
    /// Queued to this number.
    Queued(String),
    NoPhone,
    Withheld(Withheld),
}

/// One message of a ticket to its reporter, for the officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub channel: domain::MessageChannel,
    /// The outbox status: `pending`, `sent`, `delivered` or `failed`.
    pub status: domain::MessageStatus,
    pub dlr_status: Option<String>,
    pub last_error: Option<String>,
}

/// Where a ticket's answer went.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnswerReach {
    /// The newest answer message per channel.
    pub deliveries: Vec<Delivery>,
    /// The reporter gave a phone that is blocked, so no SMS went.
    pub phone_blocked: bool,
}

/// What the confirmation page after a submission may say about reaching the reporter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReporterContact {
    /// The last three digits of the phone the reporter gave (web and app tickets only).
    pub phone_tail: Option<String>,
    pub has_email: bool,
    /// Channels the acknowledgement was queued on, with their outbox status.
    pub acknowledgements: Vec<Delivery>,
}

impl Db {
    /// `NotFound` for an unknown code.
    pub async fn reporter_contact(&self, code: &TrackingCode) -> Result<ReporterContact> {
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let row: Option<(i64, String, Option<String>, Option<String>)> = run!(&mut c, x => sqlx::query_as(
            "SELECT id, channel, reporter_phone, reporter_email FROM tickets WHERE tracking_code = $1"
        ).bind(code.as_str()).fetch_optional(x).await?);
        let (ticket_id, channel, phone, email) = row.ok_or(StoreError::NotFound)?;
        let rows: Vec<(String, String, Option<String>, Option<String>)> = run!(&mut c, x => sqlx::query_as(
            "SELECT channel, status, dlr_status, last_error FROM messages
             WHERE ticket_id = $1 AND direction = 'out' AND kind = 'ack' ORDER BY id"
        ).bind(ticket_id).fetch_all(x).await?);
        let tail = |p: String| {
            p.chars()
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect()
        };
        Ok(ReporterContact {
            phone_tail: phone
                .filter(|_| Channel::parse(&channel) != Some(Channel::Sms))
                .map(tail),
            has_email: email.is_some(),
            acknowledgements: rows
                .into_iter()
                .map(|(channel, status, dlr_status, last_error)| {
                    delivery(channel, status, dlr_status, last_error)
                })
                .collect::<Result<_>>()?,
        })
    }

    /// Queues the ticket's tracking code by SMS to the phone its reporter gave, within the
    /// daily limit of messages the public can trigger.
    pub async fn send_tracking_code(
        &self,
        code: &TrackingCode,
        rules: &SmsRules,
    ) -> Result<CodeBySms> {
        let mut tx = self.begin().await?;
        let row: Option<(i64, String, String, Option<String>)> = run!(&mut tx.c(), x => sqlx::query_as(
            "SELECT id, channel, register_number, reporter_phone FROM tickets WHERE tracking_code = $1"
        ).bind(code.as_str()).fetch_optional(x).await?);
        let (ticket_id, channel, register, phone) = row.ok_or(StoreError::NotFound)?;
        let Some(phone) = phone.filter(|_| Channel::parse(&channel) != Some(Channel::Sms)) else {
            return Ok(CodeBySms::NoPhone);
        };
        let body = format!(
            "Kode lacak aduan Anda: {code} (register {register}). Cek status: kirim CEK {code}"
        );
        let message = OutgoingMessage {
            channel: domain::MessageChannel::Sms,
            recipient: phone.clone(),
            subject: String::new(),
            body,
        };
        let now = now_ms();
        let mut c = tx.c();
        if let Some(reason) = withheld(
            &mut c,
            &message,
            "code",
            Some(rules.web_intake_per_day),
            now,
        )
        .await?
        {
            return Ok(CodeBySms::Withheld(reason));
        }
        enqueue_kind(&mut c, Some(ticket_id), &message, "code", None, now).await?;
        tx.commit().await?;
        Ok(CodeBySms::Queued(phone))
    }

    /// Which channels the ticket's answer went to and their status.
    pub async fn answer_reach(&self, ticket_id: i64) -> Result<AnswerReach> {
        self.message_reach(ticket_id, "answer", 0).await
    }

    /// Which channels the ticket's messages of `kind` (`answer`, `question`) queued at or
    /// after `since` went to, and their status.
    pub async fn message_reach(
        &self,
        ticket_id: i64,
        kind: &str,
        since: i64,
    ) -> Result<AnswerReach> {
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let rows: Vec<(String, String, Option<String>, Option<String>)> = run!(&mut c, x => sqlx::query_as(
            "SELECT channel, status, dlr_status, last_error FROM messages
             WHERE ticket_id = $1 AND direction = 'out' AND kind = $2 AND created_at >= $3 ORDER BY id DESC"
        ).bind(ticket_id).bind(kind).bind(since).fetch_all(x).await?);
        let mut reach = AnswerReach::default();
        for (channel, status, dlr_status, last_error) in rows {
            let delivery = delivery(channel, status, dlr_status, last_error)?;
            if reach
                .deliveries
                .iter()
                .all(|d| d.channel != delivery.channel)
            {
                reach.deliveries.push(delivery);
            }
        }
        reach
            .deliveries
            .sort_by(|a, b| b.channel.as_str().cmp(a.channel.as_str()));
        let phone: Option<String> = run!(&mut c, x => sqlx::query_scalar(
            "SELECT reporter_phone FROM tickets WHERE id = $1"
        ).bind(ticket_id).fetch_optional(x).await?)
        .flatten();
        if let Some(phone) = phone {
            reach.phone_blocked = is_blocked(&mut c, &phone).await?;
        }
        Ok(reach)
    }
}

/// A message's delivery as read from its row; an unknown channel or status is corrupt data.
fn delivery(
    channel: String,
    status: String,
    dlr_status: Option<String>,
    last_error: Option<String>,
) -> Result<Delivery> {
    let corrupt =
        |what: &str, value: &str| StoreError::Corrupt(format!("message {what} {value:?}"));
    Ok(Delivery {
        channel: domain::MessageChannel::parse(&channel)
            .ok_or_else(|| corrupt("channel", &channel))?,
        status: domain::MessageStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        dlr_status,
        last_error,
    })
}
