//! Deadlines that pass, the tables' side: which stopped clocks and which open tickets past
//! their deadline a sweep looks at, the claim that makes "escalated once" hold with several
//! nodes (the conditional update of `sla_breached_at`), and the officials to tell. The sweep
//! itself is `app::sweeps`.

use crate::calendar::{Deadlines, deadlines};
use crate::db::{C, run};
use crate::{Db, Result};
use domain::escalation::Contact;

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

/// What a sweep looks at, read together.
pub struct Candidates {
    pub deadlines: Deadlines,
    /// Tickets whose clock is stopped: (ticket, stopped at).
    pub paused: Vec<(i64, i64)>,
    /// Open tickets past their (step's) deadline, not escalated yet, the most overdue first.
    pub late: Vec<i64>,
}

impl Db {
    /// The stopped clocks and at most `limit` late tickets at `now`.
    pub async fn sweep_candidates(&self, now: i64, limit: i64) -> Result<Candidates> {
        let mut conn = self.conn().await?;
        let deadlines = deadlines(&mut conn.c()).await?;
        let paused = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT id, sla_paused_at FROM tickets WHERE sla_paused_at IS NOT NULL"
        ).fetch_all(x).await?);
        let late = run!(&mut conn.c(), x => sqlx::query_scalar(
            "SELECT id FROM tickets WHERE status IN ('received', 'open') AND COALESCE(step_due_at, due_at) < $1
             AND sla_paused_at IS NULL AND sla_breached_at IS NULL ORDER BY COALESCE(step_due_at, due_at) LIMIT $2"
        ).bind(now).bind(limit).fetch_all(x).await?);
        Ok(Candidates {
            deadlines,
            paused,
            late,
        })
    }
}

/// Locks the ticket if its clock is still the one stopped at `paused_at` (a reply that
/// restarted it meanwhile wins).
pub async fn lock_if_still_paused(c: &mut C<'_>, ticket_id: i64, paused_at: i64) -> Result<bool> {
    let sql = format!(
        "SELECT id FROM tickets WHERE id = $1 AND sla_paused_at = $2{}",
        c.for_update()
    );
    let still: Option<i64> = run!(c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(ticket_id).bind(paused_at).fetch_optional(x).await?);
    Ok(still.is_some())
}

/// Marks the ticket breached if it still is open, running and past its deadline and nobody
/// marked it before; false when another node, an answer or a reply came first.
pub async fn claim_breach(c: &mut C<'_>, ticket_id: i64, now: i64) -> Result<bool> {
    let claimed = run!(c, x => sqlx::query(
        "UPDATE tickets SET sla_breached_at = $1 WHERE id = $2 AND sla_breached_at IS NULL
         AND sla_paused_at IS NULL AND status IN ('received', 'open') AND COALESCE(step_due_at, due_at) < $1"
    ).bind(now).bind(ticket_id).execute(x).await?.rows_affected());
    Ok(claimed > 0)
}

/// A breached ticket as its escalation names it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Breached {
    pub register_number: String,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    /// The deadline that passed (the step's, with a workflow).
    pub due_at: i64,
}

pub async fn breached(c: &mut C<'_>, ticket_id: i64) -> Result<Breached> {
    Ok(run!(c, x => sqlx::query_as(
        "SELECT t.register_number, t.agency_id, a.name AS agency_name, COALESCE(t.step_due_at, t.due_at) AS due_at
         FROM tickets t LEFT JOIN agencies a ON a.id = t.agency_id WHERE t.id = $1"
    ).bind(ticket_id).fetch_one(x).await?))
}

type ContactRow = (i64, Option<String>, Option<String>);

fn contacts(rows: Vec<ContactRow>) -> Vec<Contact> {
    rows.into_iter()
        .map(|(user, email, phone)| Contact { user, email, phone })
        .collect()
}

/// The active heads of an agency who gave an address.
pub async fn heads_of_agency(c: &mut C<'_>, agency_id: i64) -> Result<Vec<Contact>> {
    let rows: Vec<ContactRow> = run!(c, x => sqlx::query_as(
        "SELECT id, email, phone FROM users WHERE active AND role = 'head_of_agency' AND agency_id = $1
         AND (email IS NOT NULL OR phone IS NOT NULL) ORDER BY id"
    ).bind(agency_id).fetch_all(x).await?);
    Ok(contacts(rows))
}

/// The active secretariat who gave an address.
pub async fn secretariat(c: &mut C<'_>) -> Result<Vec<Contact>> {
    let rows: Vec<ContactRow> = run!(c, x => sqlx::query_as(
        "SELECT id, email, phone FROM users WHERE active AND role = 'secretariat'
         AND (email IS NOT NULL OR phone IS NOT NULL) ORDER BY id"
    ).fetch_all(x).await?);
    Ok(contacts(rows))
}

/// An active user's addresses.
pub async fn contact(c: &mut C<'_>, user_id: i64) -> Result<Option<Contact>> {
    let row: Option<ContactRow> = run!(c, x => sqlx::query_as(
        "SELECT id, email, phone FROM users WHERE id = $1 AND active"
    ).bind(user_id).fetch_optional(x).await?);
    Ok(contacts(row.into_iter().collect()).pop())
}
