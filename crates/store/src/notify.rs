//! Notifications to officials (seed `000_…` §12.2 and `003_…`): the hourly digest of new
//! tickets, the daily digest of unanswered ones, and the notice of a ticket forwarded or
//! assigned to someone. Each goes out on the channels the official chose (SMS, email) and SMS
//! waits out their quiet hours. A digest is sent once per (official, kind, period): the row in
//! `notification_runs` is inserted in the same transaction as the messages, so restarts and
//! several schedulers on one PostgreSQL never send it twice.

use crate::db::{C, Placeholders, run};
use crate::messages::{OutgoingMessage, Queued, enqueue_many};
pub use crate::rows::DigestReport;
pub use crate::settings::in_quiet_hours;
use crate::settings::{fill, region_zone, template};
use crate::{Db, Result};
use chrono::{NaiveTime, TimeZone};
use std::collections::{BTreeMap, HashMap};

const HOUR_MS: i64 = 3_600_000;

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

/// The inbox a role reads: the triage queue for the secretariat, the agency's for its officials;
/// operators have none (they hear only of dispositions to them).
fn own_inbox(role: &str, agency_id: Option<i64>) -> Option<Option<i64>> {
    match role {
        "secretariat" => Some(None),
        "head_of_agency" | "liaison_officer" | "staff" => agency_id.map(Some),
        _ => None,
    }
}

impl Official {
    /// Their inboxes that have news in `inboxes`, own first.
    fn news<'a, T>(
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
                channel: "email",
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
                channel: "sms",
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
async fn officials(c: &mut C<'_>, at: i64) -> Result<Vec<Official>> {
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
async fn claim_run(c: &mut C<'_>, kind: &str, period: &str, now: i64) -> Result<bool> {
    Ok(!claim(c, &[0], &format!("{kind}_run"), period, now)
        .await?
        .is_empty())
}

/// Claims (user, kind, period) for each candidate; returns those claimed now.
async fn claim(
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

async fn agency_names(c: &mut C<'_>) -> Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> =
        run!(c, x => sqlx::query_as("SELECT id, name FROM agencies").fetch_all(x).await?);
    Ok(rows.into_iter().collect())
}

/// Sends one message text to each claimed official, in one statement.
async fn queue(
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

impl Db {
    /// The hourly digest for the last full hour before `now`: every official whose inbox got
    /// new tickets (received or forwarded in that hour) gets one message with the count and the
    /// top categories; nobody hears anything about an empty hour.
    pub async fn send_hourly_digests(&self, now: i64, base_url: &str) -> Result<DigestReport> {
        let hour_end = now - now.rem_euclid(HOUR_MS);
        let period = chrono::DateTime::from_timestamp_millis(hour_end)
            .map(|t| t.format("%Y-%m-%dT%H").to_string())
            .unwrap_or_default();
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        if !claim_run(&mut c, "digest_hourly", &period, now).await? {
            return Ok(DigestReport::default());
        }
        // The agency a ticket is in now (NULL: triage), by category.
        let rows: Vec<(Option<i64>, String, i64)> = run!(&mut c, x => sqlx::query_as(
            "SELECT t.agency_id, t.category, COUNT(DISTINCT t.id) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
             WHERE e.kind IN ('received', 'forwarded') AND e.at >= $1 AND e.at < $2
             GROUP BY t.agency_id, t.category"
        ).bind(hour_end - HOUR_MS).bind(hour_end).fetch_all(x).await?);
        // New dispositions per recipient; whoever stands in for them (Plt./Plh.) counts them too.
        let disposed: Vec<(i64, i64)> = run!(&mut c, x => sqlx::query_as(
            "SELECT recipient_id, COUNT(*) FROM dispositions WHERE created_at >= $1 AND created_at < $2
             GROUP BY recipient_id"
        ).bind(hour_end - HOUR_MS).bind(hour_end).fetch_all(x).await?);
        let mut dispositions: HashMap<i64, i64> = HashMap::new();
        for (user, count) in disposed {
            for reached in crate::delegations::with_delegates(&mut c, &[user], hour_end - 1).await?
            {
                *dispositions.entry(reached).or_default() += count;
            }
        }
        if rows.is_empty() && dispositions.is_empty() {
            tx.commit().await?;
            return Ok(DigestReport::default());
        }
        let mut inboxes: HashMap<Option<i64>, (i64, BTreeMap<String, i64>)> = HashMap::new();
        for (agency, category, count) in rows {
            let entry = inboxes.entry(agency).or_default();
            entry.0 += count;
            *entry.1.entry(category).or_default() += count;
        }
        let officials: Vec<Official> = officials(&mut c, hour_end - 1)
            .await?
            .into_iter()
            .filter(|o| o.news(&inboxes).next().is_some() || dispositions.contains_key(&o.id))
            .collect();
        let ids: Vec<i64> = officials.iter().map(|o| o.id).collect();
        let claimed = claim(&mut c, &ids, "digest_hourly", &period, now).await?;
        let claimed: Vec<&Official> = officials
            .iter()
            .filter(|o| claimed.contains(&o.id))
            .collect();
        let names = agency_names(&mut c).await?;
        let template = template(&mut c, "digest_hourly").await?;
        let zone = region_zone(&mut c).await?;
        let local = zone
            .timestamp_millis_opt(now)
            .single()
            .map(|t| t.time())
            .unwrap_or_default();
        let link = format!("{}/staf", base_url.trim_end_matches('/'));
        let messages = queue(
            &mut c,
            &claimed,
            |official| {
                let disposed = dispositions.get(&official.id).copied().unwrap_or(0);
                let mut news = official.news(&inboxes);
                let Some((first, (count, categories))) = news.next() else {
                    let body = format!(
                        "Balai: {disposed} disposisi baru untuk Anda dalam 1 jam terakhir. {link}/disposisi"
                    );
                    return (format!("{disposed} disposisi baru untuk Anda"), body);
                };
                let inbox = inbox_name(&names, first);
                let mut top: Vec<(&String, &i64)> = categories.iter().collect();
                top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let top: Vec<String> = top
                    .iter()
                    .take(3)
                    .map(|(c, n)| format!("{c} {n}"))
                    .collect();
                let mut body = fill(
                    &template,
                    &[
                        ("count", &count.to_string()),
                        ("inbox", &inbox),
                        ("categories", &top.join(", ")),
                        ("link", &link),
                    ],
                );
                for (other, (count, _)) in news {
                    body.push_str(&format!(
                        " Juga {count} aduan baru di {} (selaku Plt./Plh.).",
                        inbox_name(&names, other)
                    ));
                }
                if disposed > 0 {
                    let body = format!("{body} Disposisi baru untuk Anda: {disposed}.");
                    return (format!("{count} aduan baru di {inbox}, {disposed} disposisi"), body);
                }
                (format!("{count} aduan baru di {inbox}"), body)
            },
            "digest_hourly",
            local,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(DigestReport {
            recipients: claimed.len(),
            messages,
        })
    }

    /// The daily digest, once the region's clock has passed `daily_digest_at`: every official
    /// whose inbox holds unanswered tickets gets the count, how many are overdue and the
    /// oldest overdue one.
    pub async fn send_daily_digests(&self, now: i64, base_url: &str) -> Result<DigestReport> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let zone = region_zone(&mut c).await?;
        let at: String = run!(&mut c, x => sqlx::query_scalar("SELECT daily_digest_at FROM region_settings WHERE id = 1")
            .fetch_one(x).await?);
        let send_at = NaiveTime::parse_from_str(&at, "%H:%M").unwrap_or(NaiveTime::MIN);
        let Some(local) = zone.timestamp_millis_opt(now).single() else {
            return Ok(DigestReport::default());
        };
        if local.time() < send_at {
            tx.commit().await?;
            return Ok(DigestReport::default());
        }
        let period = local.format("%Y-%m-%d").to_string();
        if !claim_run(&mut c, "digest_daily", &period, now).await? {
            return Ok(DigestReport::default());
        }
        let rows: Vec<(Option<i64>, i64, i64)> = run!(&mut c, x => sqlx::query_as(
            "SELECT agency_id, COUNT(*), SUM(CASE WHEN due_at < $1 AND sla_paused_at IS NULL THEN 1 ELSE 0 END)
             FROM tickets WHERE status IN ('received', 'open') GROUP BY agency_id"
        ).bind(now).fetch_all(x).await?);
        let mut inboxes: HashMap<Option<i64>, (i64, i64, String)> = HashMap::new();
        for (agency, open, overdue) in rows {
            let oldest: Option<(String, i64)> = if overdue > 0 {
                run!(&mut c, x => sqlx::query_as(
                    "SELECT register_number, due_at FROM tickets WHERE status IN ('received', 'open')
                     AND due_at < $1 AND sla_paused_at IS NULL AND agency_id IS NOT DISTINCT FROM $2
                     ORDER BY due_at LIMIT 1"
                ).bind(now).bind(agency).fetch_optional(x).await?)
            } else {
                None
            };
            let oldest = oldest
                .map(|(register, due)| {
                    let due = zone
                        .timestamp_millis_opt(due)
                        .single()
                        .map(|d| d.format("%d-%m %H:%M").to_string())
                        .unwrap_or_default();
                    format!("{register} (tempo {due})")
                })
                .unwrap_or_else(|| "-".into());
            inboxes.insert(agency, (open, overdue, oldest));
        }
        let officials: Vec<Official> = officials(&mut c, now)
            .await?
            .into_iter()
            .filter(|o| o.news(&inboxes).next().is_some())
            .collect();
        let ids: Vec<i64> = officials.iter().map(|o| o.id).collect();
        let claimed = claim(&mut c, &ids, "digest_daily", &period, now).await?;
        let claimed: Vec<&Official> = officials
            .iter()
            .filter(|o| claimed.contains(&o.id))
            .collect();
        let names = agency_names(&mut c).await?;
        let template = template(&mut c, "digest_daily").await?;
        let link = format!("{}/staf?sort=due", base_url.trim_end_matches('/'));
        let messages = queue(
            &mut c,
            &claimed,
            |official| {
                let mut news = official.news(&inboxes);
                let Some((first, (open, overdue, oldest))) = news.next() else {
                    return (String::new(), String::new());
                };
                let inbox = inbox_name(&names, first);
                let mut body = fill(
                    &template,
                    &[
                        ("count", &open.to_string()),
                        ("overdue", &overdue.to_string()),
                        ("oldest", oldest),
                        ("inbox", &inbox),
                        ("link", &link),
                    ],
                );
                for (other, (open, overdue, _)) in news {
                    body.push_str(&format!(
                        " Juga {open} aduan {} belum dijawab, {overdue} lewat tenggat (selaku Plt./Plh.).",
                        inbox_name(&names, other)
                    ));
                }
                (format!("{open} aduan {inbox} belum dijawab"), body)
            },
            "digest_daily",
            local.time(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(DigestReport {
            recipients: claimed.len(),
            messages,
        })
    }
}

fn inbox_name(names: &HashMap<i64, String>, agency: Option<i64>) -> String {
    agency
        .and_then(|a| names.get(&a).cloned())
        .unwrap_or_else(|| "antrian triase".into())
}

/// Tells officials that a ticket reached them (forwarded to their agency, assigned to them),
/// on the caller's transaction. Whoever stands in for them (Plt./Plh.) is told too.
pub async fn notify_ticket_reached(
    c: &mut C<'_>,
    user_ids: &[i64],
    ticket_id: i64,
    now: i64,
) -> Result<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let (register, category): (String, String) = run!(c, x => sqlx::query_as(
        "SELECT register_number, category FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_one(x).await?);
    let body = fill(
        &template(c, "forwarded").await?,
        &[("register", &register), ("category", &category)],
    );
    let users = crate::delegations::with_delegates(c, user_ids, now).await?;
    notify_users(
        c,
        &users,
        ticket_id,
        &format!("Aduan {register} untuk Anda"),
        &body,
        "forwarded",
        now,
    )
    .await?;
    Ok(())
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
