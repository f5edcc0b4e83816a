//! Deadlines that pass: a periodic sweep restarts clocks stopped too long (the reporter did not
//! answer within the pause limit) and escalates each open ticket past its deadline exactly
//! once: `sla_breached` on the timeline and a message to the officials above — the heads of
//! the ticket's agency, or the secretariat when it has none (or no head has an address).
//! The conditional update of `sla_breached_at` makes "once" hold with several nodes.

use crate::calendar::deadlines;
use crate::db::run;
use crate::messages::{OutgoingMessage, Queued, enqueue_many};
use crate::timeline::append_event;
use crate::{Db, Result};
use domain::EventKind;

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Stopped clocks restarted because the pause limit passed.
    pub resumed: usize,
    /// Tickets newly past their deadline.
    pub breached: usize,
    /// Messages queued to officials.
    pub notified: usize,
    /// Dispositions newly past their due date without a report.
    pub dispositions_overdue: usize,
}

/// Tickets escalated per sweep at most; the next sweep takes the rest.
const BATCH: i64 = 200;

impl Db {
    /// Runs one sweep at `now`; `base_url` is the address staff open (`web.public_url`).
    pub async fn sweep_deadlines(&self, now: i64, base_url: &str) -> Result<SweepReport> {
        let mut report = SweepReport::default();
        let mut conn = self.conn().await?;
        let deadlines = deadlines(&mut conn.c()).await?;
        let paused: Vec<(i64, i64)> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT id, sla_paused_at FROM tickets WHERE sla_paused_at IS NOT NULL"
        ).fetch_all(x).await?);
        let late: Vec<i64> = run!(&mut conn.c(), x => sqlx::query_scalar(
            "SELECT id FROM tickets WHERE status IN ('received', 'open') AND COALESCE(step_due_at, due_at) < $1
             AND sla_paused_at IS NULL AND sla_breached_at IS NULL ORDER BY COALESCE(step_due_at, due_at) LIMIT $2"
        ).bind(now).bind(BATCH).fetch_all(x).await?);
        drop(conn);

        for (id, paused_at) in paused {
            if deadlines.pause_ends(paused_at) > now {
                continue;
            }
            let mut tx = self.begin().await?;
            let mut c = tx.c();
            // Only the clock this sweep saw: a reply that restarted it meanwhile wins.
            let still: Option<i64> = run!(&mut c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM tickets WHERE id = $1 AND sla_paused_at = $2{}", self.for_update()
            ))).bind(id).bind(paused_at).fetch_optional(x).await?);
            if still.is_some() {
                if let Some(paused_at) =
                    crate::tickets::resume_ticket_clock(&mut c, id, &deadlines, now).await?
                {
                    crate::workflow::resume_step_clock(&mut c, id, &deadlines, paused_at, now)
                        .await?;
                }
                report.resumed += 1;
            }
            tx.commit().await?;
        }

        let zone = deadlines.calendar.zone();
        for id in late {
            let mut tx = self.begin().await?;
            let mut c = tx.c();
            let claimed = run!(&mut c, x => sqlx::query(
                "UPDATE tickets SET sla_breached_at = $1 WHERE id = $2 AND sla_breached_at IS NULL
                 AND sla_paused_at IS NULL AND status IN ('received', 'open') AND COALESCE(step_due_at, due_at) < $1"
            ).bind(now).bind(id).execute(x).await?.rows_affected());
            if claimed == 0 {
                continue; // another node, an answer or a reply came first
            }
            let (register, agency_id, agency, due): (String, Option<i64>, Option<String>, i64) = run!(&mut c, x => sqlx::query_as(
                "SELECT t.register_number, t.agency_id, a.name, COALESCE(t.step_due_at, t.due_at) FROM tickets t
                 LEFT JOIN agencies a ON a.id = t.agency_id WHERE t.id = $1"
            ).bind(id).fetch_one(x).await?);
            // With a workflow, the current step is the one that passed its deadline.
            let step = crate::workflow::mark_breached(&mut c, id, now).await?;
            let step_text = step
                .as_ref()
                .map(|(_, name)| format!(" pada langkah \"{name}\""))
                .unwrap_or_default();
            let heads: Vec<(i64, Option<String>, Option<String>)> = match agency_id {
                Some(agency) => run!(&mut c, x => sqlx::query_as(
                    "SELECT id, email, phone FROM users WHERE active AND role = 'head_of_agency' AND agency_id = $1
                     AND (email IS NOT NULL OR phone IS NOT NULL) ORDER BY id"
                ).bind(agency).fetch_all(x).await?),
                None => Vec::new(),
            };
            let mut recipients: Vec<(i64, Option<String>, Option<String>)> = if heads.is_empty() {
                run!(&mut c, x => sqlx::query_as(
                    "SELECT id, email, phone FROM users WHERE active AND role = 'secretariat'
                     AND (email IS NOT NULL OR phone IS NOT NULL) ORDER BY id"
                ).fetch_all(x).await?)
            } else {
                heads
            };
            // Whoever stands in for one of them (Plt./Plh.) is told too.
            let ids: Vec<i64> = recipients.iter().map(|r| r.0).collect();
            for delegate in crate::delegations::with_delegates(&mut c, &ids, now).await? {
                if ids.contains(&delegate) {
                    continue;
                }
                let contact: Option<(i64, Option<String>, Option<String>)> = run!(&mut c, x => sqlx::query_as(
                    "SELECT id, email, phone FROM users WHERE id = $1 AND active"
                ).bind(delegate).fetch_optional(x).await?);
                recipients.extend(contact);
            }
            let due_text = chrono::DateTime::from_timestamp_millis(due)
                .map(|d| d.with_timezone(&zone).format("%d-%m-%Y %H:%M").to_string())
                .unwrap_or_default();
            let agency_text = agency.unwrap_or_else(|| "antrian triase".into());
            let link = format!("{}/staf/aduan/{id}", base_url.trim_end_matches('/'));
            let body = format!(
                "Aduan {register} ({agency_text}) melewati batas waktu {due_text}{step_text} dan belum dijawab. \
                 Mohon segera ditindaklanjuti: {link}"
            );
            let messages: Vec<Queued> = recipients
                .iter()
                .filter_map(|(_, email, phone)| {
                    let (channel, recipient) = match (email, phone) {
                        (Some(email), _) if !email.trim().is_empty() => ("email", email.clone()),
                        (_, Some(phone)) if !phone.trim().is_empty() => ("sms", phone.clone()),
                        _ => return None,
                    };
                    Some(Queued {
                        ticket_id: Some(id),
                        message: OutgoingMessage {
                            channel,
                            recipient,
                            subject: format!("Aduan {register} melewati batas waktu"),
                            body: body.clone(),
                        },
                        kind: "escalation",
                        gateway: None,
                    })
                })
                .collect();
            let notified: Vec<i64> = recipients.iter().map(|(user, _, _)| *user).collect();
            append_event(
                &mut c,
                id,
                EventKind::SlaBreached,
                None,
                "",
                &serde_json::json!({
                    "due_at": due,
                    "notified_users": notified,
                    "step": step.as_ref().map(|(_, name)| name),
                    "step_position": step.as_ref().map(|(position, _)| position),
                }),
                now,
            )
            .await?;
            report.notified += enqueue_many(&mut c, &messages, now).await?.len();
            tx.commit().await?;
            report.breached += 1;
        }
        let (overdue, notified) = self.sweep_dispositions(now, base_url, BATCH).await?;
        report.dispositions_overdue = overdue;
        report.notified += notified;
        if report.breached > 0 {
            metrics::counter!("balai_sla_breaches_total").increment(report.breached as u64);
        }
        Ok(report)
    }
}
