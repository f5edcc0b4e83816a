//! Deadlines that pass: a periodic sweep restarts clocks stopped too long (the reporter did not
//! answer within the pause limit) and escalates each open ticket past its deadline exactly
//! once: `sla_breached` on the timeline and a message to the officials above
//! (`domain::escalation` says who); then each disposition past its due date without a report,
//! to whoever sent it. Each ticket is its own transaction; the claims in `store::escalation`
//! and `store::dispositions` make "once" hold with several nodes.

use crate::{App, texts};
use domain::EventKind;
use domain::escalation::{self as rule, Route};
use store::escalation::{self, SweepReport};
use store::messages::{OutgoingMessage, Queued, enqueue_many};
use store::{Result, delegations, dispositions, notify, settings, tickets, timeline, workflow};

/// Tickets (and dispositions) escalated per sweep at most; the next sweep takes the rest.
const BATCH: i64 = 200;

fn staff_link(base_url: &str, ticket_id: i64) -> String {
    format!("{}/staf/aduan/{ticket_id}", base_url.trim_end_matches('/'))
}

impl App {
    /// Runs one sweep at `now`; `base_url` is the address staff open (`web.public_url`).
    pub async fn sweep_deadlines(&self, now: i64, base_url: &str) -> Result<SweepReport> {
        let mut report = SweepReport::default();
        let candidates = self.db.sweep_candidates(now, BATCH).await?;
        let deadlines = candidates.deadlines;

        for (id, paused_at) in candidates.paused {
            if deadlines.pause_ends(paused_at) > now {
                continue;
            }
            let mut tx = self.db.begin().await?;
            let mut c = tx.c();
            if escalation::lock_if_still_paused(&mut c, id, paused_at).await? {
                if let Some(paused_at) =
                    tickets::resume_ticket_clock(&mut c, id, &deadlines, now).await?
                {
                    workflow::resume_step_clock(&mut c, id, &deadlines, paused_at, now).await?;
                }
                report.resumed += 1;
            }
            tx.commit().await?;
        }

        let zone = deadlines.calendar.zone();
        for id in candidates.late {
            let mut tx = self.db.begin().await?;
            let mut c = tx.c();
            if !escalation::claim_breach(&mut c, id, now).await? {
                continue; // another node, an answer or a reply came first
            }
            let ticket = escalation::breached(&mut c, id).await?;
            // With a workflow, the current step is the one that passed its deadline.
            let step = workflow::mark_breached(&mut c, id, now).await?;
            let heads = match ticket.agency_id {
                Some(agency) => escalation::heads_of_agency(&mut c, agency).await?,
                None => Vec::new(),
            };
            let secretariat = if heads.is_empty() {
                escalation::secretariat(&mut c).await?
            } else {
                Vec::new()
            };
            let officials = rule::recipients(heads, secretariat);
            // Whoever stands in for one of them (Plt./Plh.) is told too.
            let ids: Vec<i64> = officials.iter().map(|o| o.user).collect();
            let mut stand_ins = Vec::new();
            for delegate in delegations::with_delegates(&mut c, &ids, now).await? {
                if ids.contains(&delegate) {
                    continue;
                }
                stand_ins.extend(escalation::contact(&mut c, delegate).await?);
            }
            let recipients = rule::with_stand_ins(officials, stand_ins);
            let due = chrono::DateTime::from_timestamp_millis(ticket.due_at)
                .map(|d| d.with_timezone(&zone).format("%d-%m-%Y %H:%M").to_string())
                .unwrap_or_default();
            let (subject, body) = texts::escalation(
                &ticket.register_number,
                ticket.agency_name.as_deref(),
                &due,
                step.as_ref().map(|(_, name)| name.as_str()),
                &staff_link(base_url, id),
            );
            let messages: Vec<Queued> = recipients
                .iter()
                .filter_map(|contact| {
                    let (channel, recipient) = match contact.route()? {
                        Route::Email(email) => (domain::MessageChannel::Email, email),
                        Route::Sms(phone) => (domain::MessageChannel::Sms, phone),
                    };
                    Some(Queued {
                        ticket_id: Some(id),
                        message: OutgoingMessage {
                            channel,
                            recipient,
                            subject: subject.clone(),
                            body: body.clone(),
                        },
                        kind: "escalation",
                        gateway: None,
                    })
                })
                .collect();
            let notified: Vec<i64> = recipients.iter().map(|r| r.user).collect();
            timeline::append_event(
                &mut c,
                id,
                EventKind::SlaBreached,
                None,
                "",
                &serde_json::json!({
                    "due_at": ticket.due_at,
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

    /// Escalates each disposition past its due date without a report exactly once: an
    /// internal event on the ticket and a notice to whoever sent it (and the official they
    /// acted for, and whoever stands in for them). Returns how many were escalated and the
    /// messages queued.
    pub async fn sweep_dispositions(
        &self,
        now: i64,
        base_url: &str,
        batch: i64,
    ) -> Result<(usize, usize)> {
        let late = self.db.overdue_dispositions(now, batch).await?;
        let (mut escalated, mut notified) = (0, 0);
        for (id, ticket_id) in late {
            let mut tx = self.db.begin().await?;
            let mut c = tx.c();
            let Some(d) = dispositions::claim_overdue(&mut c, id, ticket_id, now).await? else {
                continue; // another node or a report came first
            };
            let zone = settings::region_zone(&mut c).await?;
            let mut to = vec![d.from_user_id];
            to.extend(d.on_behalf_of);
            let to = delegations::with_delegates(&mut c, &to, now).await?;
            timeline::append_event(
                &mut c,
                ticket_id,
                EventKind::DispositionOverdue,
                None,
                "",
                &serde_json::json!({ "disposition_id": id, "recipient": d.recipient_name, "due_at": d.due_at, "notified_users": to }),
                now,
            )
            .await?;
            let (subject, body) = texts::disposition_overdue(
                &d.register_number,
                &d.recipient_name,
                &d.instruction_label,
                &dispositions::format_due(zone, d.due_at),
                &staff_link(base_url, ticket_id),
            );
            notified +=
                notify::notify_users(&mut c, &to, ticket_id, &subject, &body, "escalation", now)
                    .await?;
            tx.commit().await?;
            escalated += 1;
        }
        Ok((escalated, notified))
    }
}
