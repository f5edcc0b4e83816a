//! Verification of every ticket's hash-chained timeline.

use crate::db::run;
use crate::{Db, Result};
use domain::timeline::EventContent;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenChain {
    pub ticket_id: i64,
    pub register_number: String,
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    pub tickets: i64,
    pub events: i64,
    pub broken: Vec<BrokenChain>,
}

type EventRow = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    i64,
    String,
    String,
);

struct Chain {
    ticket_id: i64,
    expected_seq: i64,
    last_hash: String,
    broken: bool,
}

impl Db {
    /// Recomputes every event's hash in ticket order and reports the first break in each chain.
    pub async fn verify_chains(&self) -> Result<AuditReport> {
        let mut report = AuditReport::default();
        let mut broken: Vec<(i64, i64, String)> = Vec::new();
        let mut chain: Option<Chain> = None;
        let mut tails: Vec<(i64, String)> = Vec::new();
        let mut after = (0i64, 0i64);
        loop {
            let mut conn = self.conn().await?;
            let rows: Vec<EventRow> = run!(&mut conn.c(), x => sqlx::query_as(
                "SELECT ticket_id, seq, kind, actor_id, body, payload, at, prev_hash, hash FROM ticket_events
                 WHERE ticket_id > $1 OR (ticket_id = $1 AND seq > $2) ORDER BY ticket_id, seq LIMIT 5000"
            ).bind(after.0).bind(after.1).fetch_all(x).await?);
            let Some(last) = rows.last() else { break };
            after = (last.0, last.1);
            for (ticket_id, seq, kind, actor_id, body, payload, at, prev_hash, hash) in rows {
                report.events += 1;
                if chain.as_ref().is_none_or(|c| c.ticket_id != ticket_id) {
                    if let Some(done) = chain.take() {
                        tails.push((done.ticket_id, done.last_hash));
                    }
                    report.tickets += 1;
                    chain = Some(Chain {
                        ticket_id,
                        expected_seq: 1,
                        last_hash: String::new(),
                        broken: false,
                    });
                }
                let Some(current) = chain.as_mut() else {
                    continue;
                };
                if current.broken {
                    continue;
                }
                let content = EventContent {
                    ticket_id,
                    seq,
                    kind: &kind,
                    actor_id,
                    at_ms: at,
                    body: &body,
                    payload: &payload,
                };
                let problem = if seq != current.expected_seq {
                    Some(format!(
                        "expected event {} but found {seq}",
                        current.expected_seq
                    ))
                } else if prev_hash != current.last_hash {
                    Some("previous-hash link does not match".to_string())
                } else if domain::event_hash(&prev_hash, &content) != hash {
                    Some("event content does not match its hash".to_string())
                } else {
                    None
                };
                match problem {
                    Some(reason) => {
                        current.broken = true;
                        broken.push((ticket_id, seq, reason));
                    }
                    None => {
                        current.expected_seq += 1;
                        current.last_hash = hash;
                    }
                }
            }
        }
        if let Some(done) = chain.take() {
            tails.push((done.ticket_id, done.last_hash));
        }
        // The ticket row remembers its chain's head: a removed tail event shows up here.
        let mut conn = self.conn().await?;
        let heads: Vec<(i64, String, String)> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT id, register_number, last_hash FROM tickets ORDER BY id"
        ).fetch_all(x).await?);
        let tails: std::collections::HashMap<i64, String> = tails.into_iter().collect();
        let names: std::collections::HashMap<i64, String> = heads
            .iter()
            .map(|(id, reg, _)| (*id, reg.clone()))
            .collect();
        for (id, _, head) in &heads {
            let already = broken.iter().any(|b| b.0 == *id);
            if !already && tails.get(id).map(String::as_str).unwrap_or("") != head {
                broken.push((
                    *id,
                    0,
                    "timeline ends before the ticket's recorded last event".to_string(),
                ));
            }
        }
        report.broken = broken
            .into_iter()
            .map(|(ticket_id, seq, reason)| BrokenChain {
                register_number: names.get(&ticket_id).cloned().unwrap_or_default(),
                ticket_id,
                seq,
                reason,
            })
            .collect();
        Ok(report)
    }
}
