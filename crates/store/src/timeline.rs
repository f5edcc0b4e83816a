//! Shared: the append-only, hash-chained timeline of a ticket (`ticket_events`). Any aggregate
//! that records what happened to a ticket appends here, on the caller's transaction.

use crate::Result;
use crate::db::{C, run};
use domain::EventKind;
use domain::timeline::EventContent;

/// Appends an event to a ticket whose row the caller has locked, extending the hash chain.
pub async fn append_event(
    c: &mut C<'_>,
    ticket_id: i64,
    kind: EventKind,
    actor_id: Option<i64>,
    body: &str,
    payload: &serde_json::Value,
    at: i64,
) -> Result<()> {
    let (last_seq, last_hash): (i64, String) = run!(c, x => sqlx::query_as(
        "SELECT last_seq, last_hash FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_one(x).await?);
    let seq = last_seq + 1;
    let payload = payload.to_string();
    let hash = domain::event_hash(
        &last_hash,
        &EventContent {
            ticket_id,
            seq,
            kind: kind.as_str(),
            actor_id,
            at_ms: at,
            body,
            payload: &payload,
        },
    );
    run!(c, x => sqlx::query(
        "INSERT INTO ticket_events (ticket_id, seq, kind, actor_id, public, body, payload, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ).bind(ticket_id).bind(seq).bind(kind.as_str()).bind(actor_id).bind(kind.is_public()).bind(body)
        .bind(&payload).bind(at).bind(&last_hash).bind(&hash).execute(x).await?.rows_affected());
    run!(c, x => sqlx::query("UPDATE tickets SET last_seq = $1, last_hash = $2, updated_at = $3 WHERE id = $4")
        .bind(seq).bind(&hash).bind(at).bind(ticket_id).execute(x).await?.rows_affected());
    Ok(())
}
