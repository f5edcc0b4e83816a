//! Numbers for the dashboards: tickets per day, backlog and deadlines per agency, answers on
//! time, channel and category mix, located tickets for the map, and the overdue list.

use crate::db::{C, run};
use crate::rows::StepOverdue;
use crate::settings::region_zone;
use crate::{Access, Db, Result};
use chrono::{NaiveDate, Offset, TimeZone};
use serde::Serialize;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
/// The map shows at most this many located tickets (the newest).
pub const MAP_LIMIT: i64 = 2_000;
/// The overdue list shows at most this many tickets (the most overdue first).
pub const OVERDUE_LIMIT: i64 = 50;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AgencyNumbers {
    pub agency_id: Option<i64>,
    pub code: String,
    pub name: String,
    /// Received in the period.
    pub received: i64,
    /// Of those, answered (at any time up to now).
    pub answered: i64,
    /// Of those answered, answered by their deadline.
    pub answered_on_time: i64,
    /// Open now (received or open status), whenever received.
    pub open: i64,
    /// Open now and past their deadline (clock not paused).
    pub overdue: i64,
}

impl AgencyNumbers {
    /// Share of answered tickets answered on time, in percent; `None` with nothing answered.
    pub fn on_time_percent(&self) -> Option<f64> {
        (self.answered > 0).then(|| 100.0 * self.answered_on_time as f64 / self.answered as f64)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct LocatedTicket {
    pub id: i64,
    pub register_number: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: domain::TicketStatus,
    pub lat: f64,
    pub long: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct OverdueTicket {
    pub id: i64,
    pub register_number: String,
    pub agency_name: Option<String>,
    pub category: String,
    pub received_at: i64,
    pub due_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dashboard {
    pub from_ms: i64,
    pub to_ms: i64,
    /// Every local day of the period, zero-filled.
    pub per_day: Vec<DayCount>,
    pub agencies: Vec<AgencyNumbers>,
    pub channels: Vec<(String, i64)>,
    pub categories: Vec<(String, i64)>,
    pub located: Vec<LocatedTicket>,
    pub overdue: Vec<OverdueTicket>,
    /// Open tickets past their current workflow step's deadline, per agency and step.
    pub overdue_by_step: Vec<StepOverdue>,
    pub totals: AgencyNumbers,
}

/// `AND t.agency_id IN (…)` for a scoped actor (ids are numbers from the database).
fn scope_clause(actor: &Access) -> String {
    match &crate::visible_ids(actor) {
        None => String::new(),
        Some(ids) if ids.is_empty() => " AND 1 = 0".into(),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND t.agency_id IN ({})", ids.join(","))
        }
    }
}

type Counts = (Option<i64>, i64, i64, i64);

fn agency_row<'a>(
    rows: &'a mut BTreeMap<Option<i64>, AgencyNumbers>,
    names: &BTreeMap<i64, (String, String)>,
    id: Option<i64>,
) -> &'a mut AgencyNumbers {
    rows.entry(id).or_insert_with(|| {
        let (code, name) = id
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| ("-".into(), "Antrian triase".into()));
        AgencyNumbers {
            agency_id: id,
            code,
            name,
            ..AgencyNumbers::default()
        }
    })
}

impl Db {
    /// The dashboard of what `actor` may see, for tickets received in `[from_ms, to_ms)`;
    /// backlog and overdue figures are as of `now`.
    pub async fn dashboard(
        &self,
        actor: &Access,
        from_ms: i64,
        to_ms: i64,
        now: i64,
    ) -> Result<Dashboard> {
        let scope = scope_clause(actor);
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let zone = region_zone(&mut c).await?;
        // Indonesian zones have no daylight saving: one offset holds for the whole period.
        let offset_ms = i64::from(
            zone.offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
                .fix()
                .local_minus_utc(),
        ) * 1000;

        let days: Vec<(i64, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT (t.received_at + $1) / {DAY_MS} AS day, COUNT(*) FROM tickets t
             WHERE t.received_at >= $2 AND t.received_at < $3{scope} GROUP BY day"
        ))).bind(offset_ms).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let days: BTreeMap<i64, i64> = days.into_iter().collect();
        let first_day = (from_ms + offset_ms).div_euclid(DAY_MS);
        let last_day = (to_ms - 1 + offset_ms).div_euclid(DAY_MS);
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let per_day = (first_day..=last_day)
            .map(|d| DayCount {
                date: epoch + chrono::TimeDelta::days(d),
                count: days.get(&d).copied().unwrap_or(0),
            })
            .collect();

        let received: Vec<Counts> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.agency_id, COUNT(*),
                    SUM(CASE WHEN t.answered_at IS NOT NULL THEN 1 ELSE 0 END),
                    SUM(CASE WHEN t.answered_at IS NOT NULL AND t.due_at IS NOT NULL
                             AND t.answered_at <= t.due_at THEN 1 ELSE 0 END)
             FROM tickets t WHERE t.received_at >= $1 AND t.received_at < $2{scope}
             GROUP BY t.agency_id"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let backlog: Vec<(Option<i64>, i64, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.agency_id, COUNT(*),
                    SUM(CASE WHEN t.due_at < $1 AND t.sla_paused_at IS NULL THEN 1 ELSE 0 END)
             FROM tickets t WHERE t.status IN ('received', 'open'){scope}
             GROUP BY t.agency_id"
        ))).bind(now).fetch_all(x).await?);
        let names: Vec<(i64, String, String)> = run!(&mut c, x => sqlx::query_as(
            "SELECT id, code, name FROM agencies"
        ).fetch_all(x).await?);
        let names: BTreeMap<i64, (String, String)> = names
            .into_iter()
            .map(|(id, code, name)| (id, (code, name)))
            .collect();
        let mut agencies: BTreeMap<Option<i64>, AgencyNumbers> = BTreeMap::new();
        for (id, count, answered, on_time) in received {
            let row = agency_row(&mut agencies, &names, id);
            row.received = count;
            row.answered = answered;
            row.answered_on_time = on_time;
        }
        for (id, open, overdue) in backlog {
            let row = agency_row(&mut agencies, &names, id);
            row.open = open;
            row.overdue = overdue;
        }
        let mut agencies: Vec<AgencyNumbers> = agencies.into_values().collect();
        agencies.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then(b.open.cmp(&a.open))
                .then(b.received.cmp(&a.received))
                .then(a.name.cmp(&b.name))
        });
        let mut totals = AgencyNumbers {
            name: "Jumlah".into(),
            ..AgencyNumbers::default()
        };
        for a in &agencies {
            totals.received += a.received;
            totals.answered += a.answered;
            totals.answered_on_time += a.answered_on_time;
            totals.open += a.open;
            totals.overdue += a.overdue;
        }

        let mix = |column: &str| {
            format!(
                "SELECT t.{column}, COUNT(*) AS n FROM tickets t
                 WHERE t.received_at >= $1 AND t.received_at < $2{scope}
                 GROUP BY t.{column} ORDER BY n DESC, t.{column}"
            )
        };
        let channels: Vec<(String, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(mix("channel")))
            .bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let categories: Vec<(String, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(mix("category")))
            .bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let located: Vec<LocatedTicket> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.id, t.register_number, t.category, t.status, t.lat, t.long FROM tickets t
             WHERE t.received_at >= $1 AND t.received_at < $2 AND t.lat IS NOT NULL
               AND t.long IS NOT NULL{scope}
             ORDER BY t.received_at DESC LIMIT {MAP_LIMIT}"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let overdue: Vec<OverdueTicket> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT t.id, t.register_number, a.name AS agency_name, t.category, t.received_at, t.due_at
             FROM tickets t LEFT JOIN agencies a ON a.id = t.agency_id
             WHERE t.status IN ('received', 'open') AND t.due_at < $1 AND t.sla_paused_at IS NULL{scope}
             ORDER BY t.due_at, t.id LIMIT {OVERDUE_LIMIT}"
        ))).bind(now).fetch_all(x).await?);
        let overdue_by_step = overdue_by_step(&mut c, &scope, now).await?;

        Ok(Dashboard {
            from_ms,
            to_ms,
            per_day,
            agencies,
            channels,
            categories,
            located,
            overdue,
            overdue_by_step,
            totals,
        })
    }
}

/// [`Db::overdue_by_agency_and_step`] within `scope`, an SQL condition on `t` (`" AND …"`,
/// built from numbers only) or empty for the whole region.
pub async fn overdue_by_step(c: &mut C<'_>, scope: &str, now: i64) -> Result<Vec<StepOverdue>> {
    Ok(
        run!(c, x => sqlx::query_as::<_, StepOverdue>(sqlx::AssertSqlSafe(format!(
        "SELECT a.code AS agency_code, a.name AS agency_name, s.name AS step_name, COUNT(*) AS overdue
         FROM tickets t JOIN ticket_steps s ON s.ticket_id = t.id AND s.position = t.step_position
         LEFT JOIN agencies a ON a.id = t.agency_id
         WHERE t.status IN ('received', 'open') AND t.sla_paused_at IS NULL AND t.step_due_at < $1{scope}
         GROUP BY a.code, a.name, s.name ORDER BY overdue DESC, a.code, s.name"
    ))).bind(now).fetch_all(x).await?),
    )
}

impl Db {
    /// Open tickets past their current step's deadline at `now`, per agency and step name.
    pub async fn overdue_by_agency_and_step(&self, now: i64) -> Result<Vec<StepOverdue>> {
        let mut conn = self.conn().await?;
        overdue_by_step(&mut conn.c(), "", now).await
    }
}
