//! Notifications to officials (seed `000_…` §12.2 and `003_…`), the tables' side: who gets a
//! digest and what it counts, the claims that send a digest once, and the queueing of notices
//! on the channels each official chose (SMS, email; SMS waits out their quiet hours). A digest
//! is sent once per (official, kind, period): the row in `notification_runs` is inserted in the
//! same transaction as the messages, so restarts and several schedulers on one PostgreSQL never
//! send it twice. The digests themselves are `app::digests`.

use crate::db::{C, Placeholders, run};
use crate::messages::{OutgoingMessage, Queued, enqueue_many};
pub use crate::rows::DigestReport;
pub use crate::settings::in_quiet_hours;
use crate::settings::region_zone;
use crate::{Db, Result};
use chrono::{NaiveTime, TimeZone};
use domain::digest::own_inbox;
use std::collections::HashMap;

/// An official and how they want to be reached.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Official {
    pub id: i64,
    pub role: String,
    pub agency_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notify_channels: String,
    pub quiet_hours: Option<String>,
    /// The inboxes whose digests they get: their own first, then those of the officials they
    /// stand in for (Plt./Plh.). `None` is the secretariat's triage queue.
    #[sqlx(skip)]
    pub inboxes: Vec<Option<i64>>,
}

/// Roles that receive an agency's digests; the secretariat receives the triage queue's.
const AGENCY_ROLES: &str = "('head_of_agency', 'liaison_officer', 'staff')";

impl Official {
    /// Their inboxes that have news in `inboxes`, own first.
    pub fn news<'a, T>(
        &'a self,
        inboxes: &'a HashMap<Option<i64>, T>,
    ) -> impl Iterator<Item = (Option<i64>, &'a T)> + 'a {
        self.inboxes
            .iter()
            .filter_map(|i| inboxes.get(i).map(|news| (*i, news)))
    }

    /// The messages that reach this official at `local` time.
    fn messages(&self, subject: &str, body: &str, local: NaiveTime) -> Vec<OutgoingMessage> {
        let wants = |c: &str| self.notify_channels.split(',').any(|w| w.trim() == c);
        let mut out = Vec::new();
        if wants("email")
            && let Some(email) = self.email.as_deref().filter(|e| !e.trim().is_empty())
        {
            out.push(OutgoingMessage {
                channel: domain::MessageChannel::Email,
                recipient: email.to_string(),
                subject: subject.to_string(),
                body: body.to_string(),
            });
        }
        if wants("sms")
            && !in_quiet_hours(self.quiet_hours.as_deref(), local)
            && let Some(phone) = self.phone.as_deref().filter(|p| !p.trim().is_empty())
        {
            out.push(OutgoingMessage {
                channel: domain::MessageChannel::Sms,
                recipient: phone.to_string(),
                subject: String::new(),
                body: body.to_string(),
            });
        }
        out
    }
}

/// Everyone who may get a digest at `at`, with their inboxes (their own and those they stand in
/// for).
pub async fn digest_officials(c: &mut C<'_>, at: i64) -> Result<Vec<Official>> {
    let mut officials = run!(c, x => sqlx::query_as::<_, Official>(sqlx::AssertSqlSafe(format!(
        "SELECT id, role, CASE WHEN role = 'secretariat' THEN NULL ELSE agency_id END AS agency_id, email, phone,
                notify_channels, quiet_hours
         FROM users WHERE active AND notify_channels <> 'none'
         AND (role = 'secretariat' OR (role IN {AGENCY_ROLES} AND agency_id IS NOT NULL)
              OR (role = 'operator' AND agency_id IS NOT NULL))
         AND (email IS NOT NULL OR phone IS NOT NULL)"
    ))).fetch_all(x).await?);
    let stood_in: Vec<(i64, String, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT d.delegate_id, u.role, u.agency_id FROM delegations d JOIN users u ON u.id = d.delegator_id
         WHERE d.starts_at <= $1 AND d.ends_at > $1 ORDER BY d.id"
    ).bind(at).fetch_all(x).await?);
    for official in officials.iter_mut() {
        let own = own_inbox(&official.role, official.agency_id);
        let delegated = stood_in
            .iter()
            .filter(|(delegate, _, _)| *delegate == official.id)
            .filter_map(|(_, role, agency)| own_inbox(role, *agency));
        for inbox in own.into_iter().chain(delegated) {
            if !official.inboxes.contains(&inbox) {
                official.inboxes.push(inbox);
            }
        }
    }
    Ok(officials)
}

/// Claims a whole run (user 0) for the period: false when another run (a restart, another
/// node) already did it, so a repeated check costs one statement, not the digest's queries.
pub async fn claim_run(c: &mut C<'_>, kind: &str, period: &str, now: i64) -> Result<bool> {
    Ok(!claim(c, &[0], &format!("{kind}_run"), period, now)
        .await?
        .is_empty())
}

/// Claims (user, kind, period) for each candidate; returns those claimed now.
pub async fn claim(
    c: &mut C<'_>,
    users: &[i64],
    kind: &str,
    period: &str,
    now: i64,
) -> Result<Vec<i64>> {
    let mut claimed = Vec::new();
    for chunk in users.chunks(500) {
        let mut p = Placeholders::for_conn(c);
        let sql = format!(
            "INSERT INTO notification_runs (user_id, kind, period, created_at) VALUES {}
             ON CONFLICT (user_id, kind, period) DO NOTHING RETURNING user_id",
            p.rows(chunk.len(), 4)
        );
        let rows: Vec<i64> = run!(c, x => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for user in chunk {
                q = q.bind(*user).bind(kind).bind(period).bind(now);
            }
            q.fetch_all(x).await?
        });
        claimed.extend(rows);
    }
    Ok(claimed)
}

/// Every agency's name by id.
pub async fn agency_names(c: &mut C<'_>) -> Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> =
        run!(c, x => sqlx::query_as("SELECT id, name FROM agencies").fetch_all(x).await?);
    Ok(rows.into_iter().collect())
}

/// Sends one message text to each claimed official, in one statement.
pub async fn queue(
    c: &mut C<'_>,
    officials: &[&Official],
    text: impl Fn(&Official) -> (String, String),
    kind: &'static str,
    local: NaiveTime,
    now: i64,
) -> Result<usize> {
    let mut batch = Vec::new();
    for official in officials {
        let (subject, body) = text(official);
        for message in official.messages(&subject, &body, local) {
            batch.push(Queued {
                ticket_id: None,
                message,
                kind,
                gateway: None,
            });
        }
    }
    Ok(enqueue_many(c, &batch, now).await?.len())
}

/// New tickets of the hour `[start, end)` (received or forwarded in it) by the inbox they are
/// in now (`None`: triage) and category.
pub async fn new_tickets(
    c: &mut C<'_>,
    start: i64,
    end: i64,
) -> Result<Vec<(Option<i64>, String, i64)>> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT t.agency_id, t.category, COUNT(DISTINCT t.id) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.kind IN ('received', 'forwarded') AND e.at >= $1 AND e.at < $2
         GROUP BY t.agency_id, t.category"
    ).bind(start).bind(end).fetch_all(x).await?))
}

/// New dispositions of `[start, end)` per recipient.
pub async fn new_dispositions(c: &mut C<'_>, start: i64, end: i64) -> Result<Vec<(i64, i64)>> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT recipient_id, COUNT(*) FROM dispositions WHERE created_at >= $1 AND created_at < $2
         GROUP BY recipient_id"
    ).bind(start).bind(end).fetch_all(x).await?))
}

/// The region's time of the daily digest (`HH:MM`).
pub async fn daily_digest_at(c: &mut C<'_>) -> Result<String> {
    Ok(
        run!(c, x => sqlx::query_scalar("SELECT daily_digest_at FROM region_settings WHERE id = 1")
        .fetch_one(x).await?),
    )
}

/// Unanswered tickets per inbox (`None`: triage): (inbox, open, overdue at `now`).
pub async fn unanswered(c: &mut C<'_>, now: i64) -> Result<Vec<(Option<i64>, i64, i64)>> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT agency_id, COUNT(*), SUM(CASE WHEN due_at < $1 AND sla_paused_at IS NULL THEN 1 ELSE 0 END)
         FROM tickets WHERE status IN ('received', 'open') GROUP BY agency_id"
    ).bind(now).fetch_all(x).await?))
}

/// The inbox's unanswered ticket most overdue at `now`: (register number, due).
pub async fn oldest_overdue(
    c: &mut C<'_>,
    now: i64,
    agency_id: Option<i64>,
) -> Result<Option<(String, i64)>> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT register_number, due_at FROM tickets WHERE status IN ('received', 'open')
         AND due_at < $1 AND sla_paused_at IS NULL AND agency_id IS NOT DISTINCT FROM $2
         ORDER BY due_at LIMIT 1"
    ).bind(now).bind(agency_id).fetch_optional(x).await?))
}

/// A ticket as a notice names it: (register number, category).
pub async fn ticket_heading(c: &mut C<'_>, ticket_id: i64) -> Result<(String, String)> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT register_number, category FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_one(x).await?))
}

/// Queues one notice about a ticket to each official, on the channels they chose (SMS held in
/// their quiet hours), on the caller's transaction; returns the number of messages.
pub async fn notify_users(
    c: &mut C<'_>,
    user_ids: &[i64],
    ticket_id: i64,
    subject: &str,
    body: &str,
    kind: &'static str,
    now: i64,
) -> Result<usize> {
    if user_ids.is_empty() {
        return Ok(0);
    }
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "SELECT id, role, agency_id, email, phone, notify_channels, quiet_hours FROM users
         WHERE active AND notify_channels <> 'none' AND id IN ({})",
        p.list(user_ids.len())
    );
    let officials: Vec<Official> = run!(c, x => {
        let mut q = sqlx::query_as::<_, Official>(sqlx::AssertSqlSafe(sql));
        for id in user_ids {
            q = q.bind(*id);
        }
        q.fetch_all(x).await?
    });
    let zone = region_zone(c).await?;
    let local = zone
        .timestamp_millis_opt(now)
        .single()
        .map(|t| t.time())
        .unwrap_or_default();
    let mut batch = Vec::new();
    for official in &officials {
        for message in official.messages(subject, body, local) {
            batch.push(Queued {
                ticket_id: Some(ticket_id),
                message,
                kind,
                gateway: None,
            });
        }
    }
    Ok(enqueue_many(c, &batch, now).await?.len())
}

/// Liaison officers of an agency (they receive forwarded tickets, seed `003_…`).
pub async fn liaison_officers(c: &mut C<'_>, agency_id: i64) -> Result<Vec<i64>> {
    Ok(run!(c, x => sqlx::query_scalar(
        "SELECT id FROM users WHERE active AND role = 'liaison_officer' AND agency_id = $1 ORDER BY id"
    ).bind(agency_id).fetch_all(x).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_may_wrap_past_midnight() {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        assert!(in_quiet_hours(Some("21:00-06:00"), t("23:30")));
        assert!(in_quiet_hours(Some("21:00-06:00"), t("05:59")));
        assert!(!in_quiet_hours(Some("21:00-06:00"), t("06:00")));
        assert!(in_quiet_hours(Some("12:00-13:00"), t("12:30")));
        assert!(!in_quiet_hours(None, t("03:00")));
        assert!(!in_quiet_hours(Some("rusak"), t("03:00")));
    }
}

/// How an official wants to be notified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Preferences {
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `sms`, `email`, `sms,email` or `none`.
    pub notify_channels: String,
    /// `HH:MM-HH:MM` in region time, or none.
    pub quiet_hours: Option<String>,
}

impl Db {
    pub async fn preferences(&self, user_id: i64) -> Result<Preferences> {
        let mut conn = self.conn().await?;
        run!(&mut conn.c(), x => sqlx::query_as::<_, Preferences>(
            "SELECT email, phone, notify_channels, quiet_hours FROM users WHERE id = $1"
        ).bind(user_id).fetch_optional(x).await?)
        .ok_or(crate::StoreError::NotFound)
    }

    /// Saves an official's own contact and notification settings; the message names the field.
    pub async fn update_preferences(&self, user_id: i64, new: &Preferences) -> Result<()> {
        let invalid = |m: &str| crate::StoreError::Invalid(m.to_string());
        if !["sms", "email", "sms,email", "none"].contains(&new.notify_channels.as_str()) {
            return Err(invalid(
                "notify_channels: pilih sms, email, keduanya atau tidak ada",
            ));
        }
        if let Some(quiet) = &new.quiet_hours {
            let ok = quiet.split_once('-').is_some_and(|(a, b)| {
                NaiveTime::parse_from_str(a.trim(), "%H:%M").is_ok()
                    && NaiveTime::parse_from_str(b.trim(), "%H:%M").is_ok()
            });
            if !ok {
                return Err(invalid("quiet_hours: tulis seperti 21:00-06:00"));
            }
        }
        if let Some(email) = &new.email
            && !email.contains('@')
        {
            return Err(invalid("email: alamat email tidak valid"));
        }
        let phone = match &new.phone {
            Some(phone) => Some(
                domain::PhoneNumber::parse(phone)
                    .map_err(|e| invalid(&format!("phone: {e}")))?
                    .to_string(),
            ),
            None => None,
        };
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE users SET email = $1, phone = $2, notify_channels = $3, quiet_hours = $4 WHERE id = $5"
        ).bind(&new.email).bind(&phone).bind(&new.notify_channels).bind(&new.quiet_hours).bind(user_id)
            .execute(x).await?.rows_affected());
        tx.commit().await
    }
}
