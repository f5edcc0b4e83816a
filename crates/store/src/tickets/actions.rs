//! Row writes of the handling actions, on the application layer's transaction.

use crate::db::{C, run};
use crate::{Result, StoreError};
use domain::handling::RowChange;
use domain::{AgencyId, TicketStatus};

/// The ticket as a handling command needs it, read with its row locked.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub agency: Option<AgencyId>,
    pub status: TicketStatus,
    pub channel: domain::Channel,
    pub reporter_email: Option<String>,
    pub reporter_phone: Option<String>,
    pub tracking_code: String,
}

/// Locks the ticket's row for a command (`NotFound` when there is none).
pub async fn lock_for_action(c: &mut C<'_>, ticket_id: i64) -> Result<ActionRow> {
    let sql = format!(
        "SELECT agency_id, status, channel, reporter_email, reporter_phone, tracking_code FROM tickets WHERE id = $1{}",
        c.for_update()
    );
    type Row = (
        Option<i64>,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
    );
    let row: Row = run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ticket_id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)?;
    let (agency_id, status, channel, reporter_email, reporter_phone, tracking_code) = row;
    let status = TicketStatus::parse(&status).ok_or_else(|| {
        StoreError::Corrupt(format!("ticket {ticket_id}: unknown status {status:?}"))
    })?;
    let channel = channel_of(ticket_id, &channel)?;
    Ok(ActionRow {
        agency: agency_id.map(AgencyId),
        status,
        channel,
        reporter_email,
        reporter_phone,
        tracking_code,
    })
}

/// The active agency that handles tickets with this code: its id and name.
pub async fn forward_target(c: &mut C<'_>, code: &str) -> Result<Option<(AgencyId, String)>> {
    let row: Option<(i64, String)> = run!(c, x => sqlx::query_as(
        "SELECT id, name FROM agencies WHERE code = $1 AND active AND kind <> 'secretariat'"
    ).bind(code).fetch_optional(x).await?);
    Ok(row.map(|(id, name)| (AgencyId(id), name)))
}

/// An active user: their name and agency.
pub async fn assignee(c: &mut C<'_>, user_id: i64) -> Result<Option<(String, Option<AgencyId>)>> {
    let row: Option<(String, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT full_name, agency_id FROM users WHERE id = $1 AND active"
    ).bind(user_id).fetch_optional(x).await?);
    Ok(row.map(|(name, agency)| (name, agency.map(AgencyId))))
}

/// Another ticket by register number or tracking code: its id and agency.
pub async fn find_original(
    c: &mut C<'_>,
    number_or_code: &str,
    not: i64,
) -> Result<Option<(i64, Option<AgencyId>)>> {
    let row: Option<(i64, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT id, agency_id FROM tickets WHERE (register_number = $1 OR tracking_code = $1) AND id <> $2"
    ).bind(number_or_code).bind(not).fetch_optional(x).await?);
    Ok(row.map(|(id, agency)| (id, agency.map(AgencyId))))
}

/// Writes the ticket row as a handling decision says.
pub async fn set_after_action(
    c: &mut C<'_>,
    ticket_id: i64,
    status: TicketStatus,
    change: RowChange,
    now: i64,
) -> Result<()> {
    let status = status.as_str();
    run!(c, x => match change {
        RowChange::None => sqlx::query("UPDATE tickets SET status = $1 WHERE id = $2")
            .bind(status).bind(ticket_id).execute(x).await?,
        RowChange::Agency(agency) => sqlx::query(
            "UPDATE tickets SET agency_id = $1, status = $2, assignee_id = NULL WHERE id = $3"
        ).bind(agency.get()).bind(status).bind(ticket_id).execute(x).await?,
        RowChange::Assignee(user) => sqlx::query("UPDATE tickets SET assignee_id = $1, status = $2 WHERE id = $3")
            .bind(user.get()).bind(status).bind(ticket_id).execute(x).await?,
        RowChange::Answered => sqlx::query("UPDATE tickets SET status = $1, answered_at = $2 WHERE id = $3")
            .bind(status).bind(now).bind(ticket_id).execute(x).await?,
        RowChange::AwaitReporter => sqlx::query(
            "UPDATE tickets SET status = $1, awaiting_reporter_since = $2, sla_paused_at = COALESCE(sla_paused_at, $2) WHERE id = $3"
        ).bind(status).bind(now).bind(ticket_id).execute(x).await?,
        RowChange::Declined(reason) => sqlx::query("UPDATE tickets SET status = $1, decline_reason = $2 WHERE id = $3")
            .bind(status).bind(reason.as_str()).bind(ticket_id).execute(x).await?,
        RowChange::Closed => sqlx::query("UPDATE tickets SET status = $1, closed_at = $2 WHERE id = $3")
            .bind(status).bind(now).bind(ticket_id).execute(x).await?,
        RowChange::Reopened => sqlx::query(
            "UPDATE tickets SET status = $1, closed_at = NULL, decline_reason = NULL WHERE id = $2"
        ).bind(status).bind(ticket_id).execute(x).await?,
    }.rows_affected());
    Ok(())
}

/// Marks a ticket answered at `now` (an approved draft sent); returns the reporter's channel,
/// email, phone and tracking code.
pub async fn mark_answered(
    c: &mut C<'_>,
    ticket_id: i64,
    now: i64,
) -> Result<(domain::Channel, Option<String>, Option<String>, String)> {
    let (channel, email, phone, code): (String, Option<String>, Option<String>, String) = run!(c, x => sqlx::query_as(
        "SELECT channel, reporter_email, reporter_phone, tracking_code FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_one(x).await?);
    let channel = channel_of(ticket_id, &channel)?;
    run!(c, x => sqlx::query("UPDATE tickets SET status = $1, answered_at = $2 WHERE id = $3")
        .bind(TicketStatus::Answered.as_str()).bind(now).bind(ticket_id).execute(x).await?.rows_affected());
    Ok((channel, email, phone, code))
}

/// The reporter answered: the ticket no longer waits for them.
pub async fn wait_no_more_for_reporter(c: &mut C<'_>, ticket_id: i64) -> Result<()> {
    run!(c, x => sqlx::query("UPDATE tickets SET awaiting_reporter_since = NULL WHERE id = $1")
        .bind(ticket_id).execute(x).await?.rows_affected());
    Ok(())
}

/// Restarts a ticket's stopped deadline clock at `now`: the deadline moves by the working time
/// it was stopped, at most the region's `ask_pause_limit`. Returns when it had stopped.
pub async fn resume_ticket_clock(
    c: &mut C<'_>,
    ticket_id: i64,
    deadlines: &crate::calendar::Deadlines,
    now: i64,
) -> Result<Option<i64>> {
    let row: Option<(Option<i64>, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT sla_paused_at, due_at FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_optional(x).await?);
    let Some((Some(paused_at), due)) = row else {
        return Ok(None);
    };
    let new_due = due.map(|due| deadlines.resumed_due(paused_at, due, now));
    run!(c, x => sqlx::query("UPDATE tickets SET sla_paused_at = NULL, due_at = $1 WHERE id = $2")
        .bind(new_due).bind(ticket_id).execute(x).await?.rows_affected());
    Ok(Some(paused_at))
}

/// Keeps the fingerprint of the request that created a ticket with an idempotency key.
pub async fn set_fingerprint(c: &mut C<'_>, ticket_id: i64, fingerprint: &str) -> Result<()> {
    run!(c, x => sqlx::query("UPDATE tickets SET idempotency_fingerprint = $1 WHERE id = $2")
        .bind(fingerprint).bind(ticket_id).execute(x).await?.rows_affected());
    Ok(())
}

/// The gateway the citizen wrote to (SMS tickets): replies leave through it.
pub async fn reporter_gateway(c: &mut C<'_>, ticket_id: i64) -> Result<Option<String>> {
    Ok(run!(c, x => sqlx::query_scalar(
        "SELECT gateway FROM inbound_messages WHERE ticket_id = $1 ORDER BY id LIMIT 1"
    ).bind(ticket_id).fetch_optional(x).await?))
}

/// The reporter's answer to a question: appended to the timeline (their words, unaltered), the
/// ticket no longer waits for them and its deadline clock runs again. Returns when the clock
/// had stopped (the caller resumes the workflow step's clock from it).
pub async fn record_reporter_reply(
    c: &mut C<'_>,
    ticket_id: i64,
    text: &str,
    deadlines: &crate::calendar::Deadlines,
    at: i64,
) -> Result<Option<i64>> {
    wait_no_more_for_reporter(c, ticket_id).await?;
    let paused_at = resume_ticket_clock(c, ticket_id, deadlines, at).await?;
    crate::timeline::append_event(
        c,
        ticket_id,
        domain::EventKind::ReporterReplied,
        None,
        text,
        &serde_json::json!({}),
        at,
    )
    .await?;
    Ok(paused_at)
}

/// A ticket's stored channel; a value outside the closed set is corrupt data.
fn channel_of(ticket_id: i64, text: &str) -> Result<domain::Channel> {
    domain::Channel::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("ticket {ticket_id}: unknown channel {text:?}")))
}
