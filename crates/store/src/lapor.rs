//! LAPOR! SP4N, the national complaint system: the secretariat reports the results of handled
//! tickets there (SOP step 6) and records here the tracking number LAPOR! gives back. The
//! export lists the answered and closed tickets with what LAPOR! asks for.

use crate::db::run;
use crate::rows::Cursor;
use crate::timeline::append_event;
use crate::{Access, Db, Result, StoreError, now_ms};
use domain::{AgencyId, Capability, EventKind};
use serde::Serialize;

/// Longest LAPOR! tracking number accepted.
pub const MAX_NUMBER_LEN: usize = 40;

/// Checks a LAPOR! tracking number as typed: trimmed, 1–40 letters, digits, `-` or `/`.
pub fn normalize_number(raw: &str) -> Result<String> {
    let number = raw.trim();
    if number.is_empty() {
        return Err(StoreError::Invalid("nomor LAPOR! wajib diisi".into()));
    }
    if number.chars().count() > MAX_NUMBER_LEN {
        return Err(StoreError::Invalid(format!(
            "nomor LAPOR! paling banyak {MAX_NUMBER_LEN} karakter"
        )));
    }
    if !number
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
    {
        return Err(StoreError::Invalid(
            "nomor LAPOR! hanya boleh berisi huruf, angka, - dan /".into(),
        ));
    }
    Ok(number.to_string())
}

/// A ticket's LAPOR! number and when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaporStatus {
    pub lapor_number: Option<String>,
    pub lapor_recorded_at: Option<i64>,
}

/// The outcome of `record_lapor_number`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub lapor_number: String,
    pub lapor_recorded_at: i64,
    /// The number it replaced, if any.
    pub previous: Option<String>,
    /// False when the ticket already had this number (nothing was written).
    pub changed: bool,
}

/// One ticket of the export. The reporter's identity is left out (`None`) for anonymous and
/// confidential tickets and for roles that may not see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LaporRow {
    pub id: i64,
    pub register_number: String,
    pub tracking_code: String,
    #[sqlx(try_from = "String")]
    pub status: domain::TicketStatus,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    #[serde(skip)]
    pub agency_id: Option<i64>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    pub category_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub channel: domain::Channel,
    pub text: String,
    /// The latest answer on the timeline; `None` for a ticket closed without an answer.
    pub answer: Option<String>,
    pub anonymous: bool,
    pub confidential: bool,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub lapor_number: Option<String>,
    pub lapor_recorded_at: Option<i64>,
}

/// What to export: tickets received in `[from_ms, to_ms)`, oldest first, one page at a time.
#[derive(Debug, Clone)]
pub struct LaporFilter {
    pub from_ms: i64,
    pub to_ms: i64,
    /// Only tickets without a LAPOR! number yet.
    pub only_unreported: bool,
    /// Continue after this row (keyset pagination on received_at, id).
    pub after: Option<Cursor>,
    /// `None`: every matching row.
    pub limit: Option<i64>,
}

impl Db {
    /// Records the ticket's LAPOR! tracking number as the actor. The same number again changes
    /// nothing; a different one replaces it (both are on the timeline); a number another ticket
    /// already has is a `Conflict`.
    pub async fn record_lapor_number(
        &self,
        actor: &Access,
        ticket_id: i64,
        number: &str,
    ) -> Result<Recorded> {
        if !actor.can_somewhere(Capability::Handle) {
            return Err(StoreError::Forbidden);
        }
        let number = normalize_number(number)?;
        // Scope: NotFound or Forbidden exactly as for reading the ticket.
        self.ticket(actor, ticket_id).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let lock_sql = format!(
            "SELECT agency_id, lapor_number, lapor_recorded_at FROM tickets WHERE id = $1{}",
            self.for_update()
        );
        let (agency_id, current, recorded_at): (Option<i64>, Option<String>, Option<i64>) =
            run!(&mut c, x =>
            sqlx::query_as(sqlx::AssertSqlSafe(lock_sql)).bind(ticket_id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)?;
        // The ticket may have been forwarded since it was read.
        if !actor.can(Capability::Handle, agency_id.map(AgencyId)) {
            return Err(StoreError::Forbidden);
        }
        if current.as_deref() == Some(number.as_str()) {
            return Ok(Recorded {
                lapor_number: number,
                lapor_recorded_at: recorded_at.unwrap_or(now),
                previous: None,
                changed: false,
            });
        }
        let taken: Option<String> = run!(&mut c, x => sqlx::query_scalar(
            "SELECT register_number FROM tickets WHERE lapor_number = $1 AND id <> $2"
        ).bind(&number).bind(ticket_id).fetch_optional(x).await?);
        if let Some(other) = taken {
            return Err(conflict(&number, Some(&other)));
        }
        let updated = run!(&mut c, x => sqlx::query(
            "UPDATE tickets SET lapor_number = $1, lapor_recorded_at = $2 WHERE id = $3"
        ).bind(&number).bind(now).bind(ticket_id).execute(x).await.map(|r| r.rows_affected()));
        match updated {
            Ok(_) => {}
            // A concurrent recording of the same number on another ticket won.
            Err(e) if StoreError::is_unique_violation(&e) => return Err(conflict(&number, None)),
            Err(e) => return Err(e.into()),
        }
        let payload = serde_json::json!({ "lapor_number": number, "previous": current });
        append_event(
            &mut c,
            ticket_id,
            EventKind::LaporRecorded,
            Some(actor.user().get()),
            &number,
            &payload,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Recorded {
            lapor_number: number,
            lapor_recorded_at: now,
            previous: current,
            changed: true,
        })
    }

    /// The ticket's LAPOR! number, for an actor who may see the ticket.
    pub async fn lapor_status(&self, actor: &Access, ticket_id: i64) -> Result<LaporStatus> {
        let mut conn = self.conn().await?;
        let row: (Option<i64>, Option<String>, Option<i64>) =
            run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT agency_id, lapor_number, lapor_recorded_at FROM tickets WHERE id = $1"
        ).bind(ticket_id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)?;
        if !actor.sees(row.0.map(AgencyId)) {
            return Err(StoreError::NotFound);
        }
        Ok(LaporStatus {
            lapor_number: row.1,
            lapor_recorded_at: row.2,
        })
    }

    /// Answered and closed tickets received in `[from_ms, to_ms)` in the actor's scope, oldest
    /// first, for reporting to LAPOR! SP4N; `only_unreported` leaves out those with a number.
    pub async fn lapor_export(
        &self,
        actor: &Access,
        from_ms: i64,
        to_ms: i64,
        only_unreported: bool,
    ) -> Result<Vec<LaporRow>> {
        let filter = LaporFilter {
            from_ms,
            to_ms,
            only_unreported,
            after: None,
            limit: None,
        };
        Ok(self.lapor_page(actor, &filter).await?.0)
    }

    /// One page of `lapor_export`, with the cursor of the next page (`None` on the last).
    pub async fn lapor_page(
        &self,
        actor: &Access,
        filter: &LaporFilter,
    ) -> Result<(Vec<LaporRow>, Option<Cursor>)> {
        let mut clauses = vec![
            "t.status IN ('answered', 'closed')".to_string(),
            "t.received_at >= $1".to_string(),
            "t.received_at < $2".to_string(),
        ];
        if let Some(scope) = &crate::visible_ids(actor) {
            if scope.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let ids: Vec<String> = scope.iter().map(i64::to_string).collect();
                clauses.push(format!("t.agency_id IN ({})", ids.join(",")));
            }
        }
        if filter.only_unreported {
            clauses.push("t.lapor_number IS NULL".into());
        }
        if filter.after.is_some() {
            clauses.push("(t.received_at > $3 OR (t.received_at = $3 AND t.id > $4))".into());
        }
        let limit = filter.limit.map(|l| l.max(1));
        let limit_sql = limit
            .map(|l| format!(" LIMIT {}", l + 1))
            .unwrap_or_default();
        let sql = format!(
            "SELECT t.id, t.register_number, t.tracking_code, t.status, t.received_at, t.answered_at,
                t.closed_at, t.agency_id, a.code AS agency_code, a.name AS agency_name, t.category,
                c.name AS category_name, t.channel, t.text,
                (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'answered'
                 ORDER BY e.seq DESC LIMIT 1) AS answer,
                t.anonymous, t.confidential, t.reporter_name, t.reporter_phone, t.reporter_email,
                t.lapor_number, t.lapor_recorded_at
             FROM tickets t
             LEFT JOIN agencies a ON a.id = t.agency_id
             LEFT JOIN categories c ON c.code = t.category
             WHERE {}
             ORDER BY t.received_at, t.id{limit_sql}",
            clauses.join(" AND ")
        );
        let mut conn = self.conn().await?;
        let mut rows: Vec<LaporRow> = run!(&mut conn.c(), x => {
            let mut q = sqlx::query_as::<_, LaporRow>(sqlx::AssertSqlSafe(sql))
                .bind(filter.from_ms)
                .bind(filter.to_ms);
            if let Some(after) = filter.after {
                q = q.bind(after.received_at).bind(after.id);
            }
            q.fetch_all(x).await?
        });
        let next = match limit {
            Some(l) if rows.len() as i64 > l => {
                rows.truncate(l as usize);
                rows.last().map(|r| Cursor {
                    received_at: r.received_at,
                    id: r.id,
                })
            }
            _ => None,
        };
        for row in &mut rows {
            let identity = actor.can(Capability::SeeReporterIdentity, row.agency_id.map(AgencyId));
            if row.anonymous || row.confidential || !identity {
                row.reporter_name = None;
                row.reporter_phone = None;
                row.reporter_email = None;
            }
        }
        Ok((rows, next))
    }
}

fn conflict(number: &str, other: Option<&str>) -> StoreError {
    StoreError::Conflict(match other {
        Some(register) => format!("nomor LAPOR! {number} sudah dipakai aduan {register}"),
        None => format!("nomor LAPOR! {number} sudah dipakai aduan lain"),
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_number;

    #[test]
    fn numbers_are_checked() {
        assert_eq!(normalize_number("  1234567 ").unwrap(), "1234567");
        assert_eq!(normalize_number("SP4N/2026-001").unwrap(), "SP4N/2026-001");
        assert!(normalize_number("").is_err());
        assert!(normalize_number("   ").is_err());
        assert!(normalize_number("12 34").is_err());
        assert!(normalize_number("12;DROP").is_err());
        assert!(normalize_number(&"9".repeat(40)).is_ok());
        assert!(normalize_number(&"9".repeat(41)).is_err());
    }
}
