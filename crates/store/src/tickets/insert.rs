//! Storing new tickets: register numbers, the ticket rows and their first events, in a fixed
//! number of statements per batch.

use super::{Created, NewTicket};
use crate::db::{C, Placeholders, run};
use crate::rows::WorkflowStart;
use crate::{Result, StoreError};
use domain::timeline::EventContent;
use domain::{EventKind, TicketStatus, TrackingCode};
use std::collections::HashMap;

/// Takes `count` consecutive numbers in an agency's register for a year; returns the first.
async fn take_register_values(c: &mut C<'_>, scope: &str, year: i32, count: i64) -> Result<i64> {
    let last: i64 = run!(c, x => sqlx::query_scalar(
        "INSERT INTO register_counters (scope, year, last_value) VALUES ($1, $2, $3)
         ON CONFLICT (scope, year) DO UPDATE SET last_value = register_counters.last_value + excluded.last_value
         RETURNING last_value"
    ).bind(scope).bind(year as i64).bind(count).fetch_one(x).await?);
    Ok(last - count + 1)
}

/// Stores a new ticket and its `received` event on the caller's transaction.
pub async fn insert_ticket(c: &mut C<'_>, new: &NewTicket) -> Result<(Created, WorkflowStart)> {
    let (mut created, mut starts) = insert_tickets(c, std::slice::from_ref(new)).await?;
    Ok((created.remove(0), starts.remove(0)))
}

/// Stores new tickets and their `received` events on the caller's transaction, in a fixed
/// number of statements whatever their number (SMS intake stores a whole batch at once).
/// Returns what each ticket's workflow starts from (the caller starts it on the same transaction).
pub async fn insert_tickets(
    c: &mut C<'_>,
    batch: &[NewTicket],
) -> Result<(Vec<Created>, Vec<WorkflowStart>)> {
    if batch.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut codes: Vec<&str> = batch
        .iter()
        .filter_map(|n| n.intake.agency_code.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut agencies: HashMap<String, i64> = HashMap::new();
    if !codes.is_empty() {
        let sql = format!(
            "SELECT code, id FROM agencies WHERE active AND code IN ({})",
            Placeholders::for_conn(c).list(codes.len())
        );
        let rows: Vec<(String, i64)> = run!(c, x => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for code in &codes {
                q = q.bind(*code);
            }
            q.fetch_all(x).await?
        });
        agencies.extend(rows);
    }
    if let Some(unknown) = codes.iter().find(|code| !agencies.contains_key(**code)) {
        return Err(StoreError::Refused(domain::Refusal::UnknownIntakeAgency(
            unknown.to_string(),
        )));
    }
    let secretariat = if batch.iter().any(|n| n.intake.agency_code.is_none()) {
        run!(c, x => sqlx::query_scalar::<_, String>(
            "SELECT code FROM agencies WHERE kind = 'secretariat' ORDER BY id LIMIT 1"
        ).fetch_optional(x).await?)
        .unwrap_or_else(|| "SETDA".to_string())
    } else {
        String::new()
    };

    // Register numbers: one counter update per (scope, year), taken in a fixed order so that
    // concurrent batches on PostgreSQL never wait on each other's counters in a cycle. The year
    // is the region's: 1 January 01:00 WIB is already the new year.
    let zone = crate::settings::region_zone(c).await?;
    let scope_of = |n: &NewTicket| {
        (
            n.intake
                .agency_code
                .clone()
                .unwrap_or_else(|| secretariat.clone()),
            year_of(n.received_at, zone),
        )
    };
    let mut needed: std::collections::BTreeMap<(String, i32), i64> = Default::default();
    for n in batch {
        *needed.entry(scope_of(n)).or_default() += 1;
    }
    let mut next_value: HashMap<(String, i32), i64> = HashMap::new();
    for ((scope, year), count) in needed {
        let first = take_register_values(c, &scope, year, count).await?;
        next_value.insert((scope, year), first);
    }

    let mut created = Vec::with_capacity(batch.len());
    for n in batch {
        let key = scope_of(n);
        let value = next_value.get_mut(&key).expect("counter taken above");
        let register_number = domain::register_number(&key.0, key.1, *value);
        *value += 1;
        let status = if n.intake.agency_code.is_some() {
            TicketStatus::Open
        } else {
            TicketStatus::Received
        };
        created.push(Created {
            id: 0,
            tracking_code: TrackingCode::generate().to_string(),
            register_number,
            status: status.as_str().to_string(),
            replayed: false,
        });
    }

    let deadlines = crate::calendar::deadlines(c).await?;
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "INSERT INTO tickets (tracking_code, register_number, agency_id, category, channel, status, text,
            reporter_name, reporter_phone, reporter_email, anonymous, confidential, address, lat, long,
            received_at, updated_at, due_at, idempotency_key)
         VALUES {} RETURNING id, tracking_code",
        p.rows(batch.len(), 19)
    );
    let ids: Vec<(i64, String)> = run!(c, x => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for (n, made) in batch.iter().zip(&created) {
            let intake = &n.intake;
            let agency_id = intake.agency_code.as_ref().and_then(|code| agencies.get(code).copied());
            q = q.bind(made.tracking_code.clone()).bind(made.register_number.clone()).bind(agency_id)
                .bind(intake.category.clone()).bind(n.channel.as_str()).bind(made.status.clone())
                .bind(intake.text.clone()).bind(intake.reporter_name.clone())
                .bind(intake.reporter_phone.as_ref().map(|p| p.to_string())).bind(intake.reporter_email.clone())
                .bind(intake.anonymous).bind(intake.confidential).bind(intake.address.clone())
                .bind(intake.lat).bind(intake.long).bind(n.received_at).bind(n.received_at)
                .bind(deadlines.due(n.channel, n.received_at)).bind(n.idempotency_key.clone());
        }
        q.fetch_all(x).await?
    });
    let ids: HashMap<String, i64> = ids.into_iter().map(|(id, code)| (code, id)).collect();
    for made in &mut created {
        made.id = ids[&made.tracking_code];
    }
    let starts: Vec<WorkflowStart> = batch
        .iter()
        .zip(&created)
        .map(|(n, made)| WorkflowStart {
            ticket_id: made.id,
            agency_id: n
                .intake
                .agency_code
                .as_ref()
                .and_then(|code| agencies.get(code).copied()),
            category: n.intake.category.clone(),
            received_at: n.received_at,
        })
        .collect();

    // The first event of each chain: its hash covers the ticket id, known only now.
    let mut events = Vec::with_capacity(batch.len());
    for (n, made) in batch.iter().zip(&created) {
        let payload = serde_json::json!({ "channel": n.channel.as_str(), "agency_code": n.intake.agency_code })
            .to_string();
        let kind = EventKind::Received;
        let hash = domain::event_hash(
            "",
            &EventContent {
                ticket_id: made.id,
                seq: 1,
                kind: kind.as_str(),
                actor_id: None,
                at_ms: n.received_at,
                body: "",
                payload: &payload,
            },
        );
        events.push((made.id, payload, n.received_at, hash));
    }
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "INSERT INTO ticket_events (ticket_id, seq, kind, actor_id, public, body, payload, at, prev_hash, hash) VALUES {}",
        (0..events.len())
            .map(|_| format!(
                "({}, 1, '{}', NULL, {}, '', {}, {}, '', {})",
                p.next(),
                EventKind::Received.as_str(),
                if EventKind::Received.is_public() {
                    "TRUE"
                } else {
                    "FALSE"
                },
                p.next(),
                p.next(),
                p.next()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    run!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, payload, at, hash) in &events {
            q = q.bind(*id).bind(payload.clone()).bind(*at).bind(hash.clone());
        }
        q.execute(x).await?.rows_affected()
    });
    let mut p = Placeholders::for_conn(c);
    let cases: String = (0..events.len())
        .map(|_| format!(" WHEN {} THEN {}", p.next(), p.next()))
        .collect();
    let sql = format!(
        "UPDATE tickets SET last_seq = 1, last_hash = CASE id{cases} END WHERE id IN ({})",
        p.list(events.len())
    );
    run!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, _, _, hash) in &events {
            q = q.bind(*id).bind(hash.clone());
        }
        for (id, _, _, _) in &events {
            q = q.bind(*id);
        }
        q.execute(x).await?.rows_affected()
    });
    Ok((created, starts))
}

fn year_of(ms: i64, zone: chrono_tz::Tz) -> i32 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.with_timezone(&zone).year())
        .unwrap_or(1970)
}
