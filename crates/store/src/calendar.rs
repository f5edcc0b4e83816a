//! The region's working-time calendar and answer deadlines: settings, holidays, and the due
//! instant of a new ticket computed in working time (`domain::calendar`).

use crate::db::{C, Placeholders, run};
use crate::{Db, Result, StoreError};
use chrono::NaiveDate;
use domain::Channel;
use domain::calendar::{Duration, WorkingCalendar, parse_week, parse_zone};
use serde::Serialize;

/// The calendar settings as stored (text forms the admin edits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CalendarSettings {
    /// `Asia/Jakarta` (WIB), `Asia/Makassar` (WITA) or `Asia/Jayapura` (WIT).
    pub timezone: String,
    /// e.g. `mon-thu 07:30-12:00 13:00-16:00; fri 07:30-11:30 13:00-16:00`.
    pub working_week: String,
    /// Deadline of an SMS ticket (SMS Center: `3wh`, three working hours).
    pub answer_within_sms: String,
    /// Deadline of other tickets, e.g. `5wd`.
    pub answer_within: String,
    /// Longest the deadline clock stops while the reporter is asked a question, e.g. `5wd`.
    pub ask_pause_limit: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub name: String,
}

/// The calendar with the region's holidays and the deadlines per channel.
#[derive(Debug, Clone)]
pub struct Deadlines {
    pub calendar: WorkingCalendar,
    pub sms: Duration,
    pub other: Duration,
    /// Longest the clock stays stopped while the reporter is asked a question.
    pub pause_limit: Duration,
}

fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Deadlines {
    /// When a clock stopped at `paused_at` stops counting as paused: after `pause_limit`.
    pub fn pause_ends(&self, paused_at: i64) -> i64 {
        self.calendar
            .checked_add(instant(paused_at), self.pause_limit)
            .map(|t| t.timestamp_millis())
            .unwrap_or(i64::MAX)
    }

    /// The deadline `due` moved by the working time between `paused_at` and `resumed_at`
    /// (at most the pause limit).
    pub fn resumed_due(&self, paused_at: i64, due: i64, resumed_at: i64) -> i64 {
        let resumed_at = resumed_at.min(self.pause_ends(paused_at)).max(paused_at);
        let paused = self
            .calendar
            .working_between(instant(paused_at), instant(resumed_at))
            .num_seconds();
        let moved = self.calendar.add_working_seconds(instant(due), paused);
        moved.timestamp_millis()
    }

    /// When a ticket received at `received_ms` on `channel` must be answered.
    pub fn due(&self, channel: Channel, received_ms: i64) -> i64 {
        let start = chrono::DateTime::from_timestamp_millis(received_ms).unwrap_or_default();
        let within = if channel == Channel::Sms {
            self.sms
        } else {
            self.other
        };
        self.calendar
            .checked_add(start, within)
            .map(|due| due.timestamp_millis())
            .unwrap_or(i64::MAX)
    }
}

impl CalendarSettings {
    /// Checks every field; the message names the field.
    pub fn deadlines(&self, holidays: &[Holiday]) -> Result<Deadlines> {
        let invalid =
            |field: &str, e: &dyn std::fmt::Display| StoreError::Invalid(format!("{field}: {e}"));
        let zone = parse_zone(&self.timezone).map_err(|e| invalid("timezone", &e))?;
        let week = parse_week(&self.working_week).map_err(|e| invalid("working_week", &e))?;
        let days = holidays
            .iter()
            .filter_map(|h| NaiveDate::parse_from_str(&h.day, "%Y-%m-%d").ok());
        let calendar =
            WorkingCalendar::new(zone, week, days).map_err(|e| invalid("working_week", &e))?;
        let sms = self
            .answer_within_sms
            .parse()
            .map_err(|e| invalid("answer_within_sms", &e))?;
        let other = self
            .answer_within
            .parse()
            .map_err(|e| invalid("answer_within", &e))?;
        let pause_limit = self
            .ask_pause_limit
            .parse()
            .map_err(|e| invalid("ask_pause_limit", &e))?;
        Ok(Deadlines {
            calendar,
            sms,
            other,
            pause_limit,
        })
    }
}

async fn settings(c: &mut C<'_>) -> Result<CalendarSettings> {
    Ok(run!(c, x => sqlx::query_as::<_, CalendarSettings>(
        "SELECT timezone, working_week, answer_within_sms, answer_within, ask_pause_limit FROM region_settings WHERE id = 1"
    ).fetch_one(x).await?))
}

async fn holidays(c: &mut C<'_>) -> Result<Vec<Holiday>> {
    Ok(
        run!(c, x => sqlx::query_as::<_, Holiday>("SELECT day, name FROM holidays ORDER BY day")
        .fetch_all(x).await?),
    )
}

/// The deadlines in force, read on the caller's transaction. Settings are checked when saved;
/// should they be unreadable anyway, the default calendar keeps intake working.
pub async fn deadlines(c: &mut C<'_>) -> Result<Deadlines> {
    let settings = settings(c).await?;
    let holidays = holidays(c).await?;
    Ok(settings.deadlines(&holidays).unwrap_or_else(|e| {
        tracing::error!("working calendar unreadable, using the default: {e}");
        Deadlines {
            calendar: WorkingCalendar::default(),
            sms: Duration::WorkingHours(3),
            other: Duration::WorkingDays(5),
            pause_limit: Duration::WorkingDays(5),
        }
    }))
}

/// Open tickets of one agency against their deadlines (the dashboard's counts).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgencyDeadlines {
    /// `None`: the triage queue (no agency yet).
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub open: i64,
    pub overdue: i64,
}

impl Db {
    /// Open (received, open) tickets per agency and how many are past their deadline at `now`,
    /// agencies with the most overdue first.
    pub async fn deadlines_by_agency(&self, now: i64) -> Result<Vec<AgencyDeadlines>> {
        let mut conn = self.conn().await?;
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, AgencyDeadlines>(
            "SELECT a.code AS agency_code, a.name AS agency_name, COUNT(*) AS open,
                    SUM(CASE WHEN t.due_at < $1 AND t.sla_paused_at IS NULL THEN 1 ELSE 0 END) AS overdue
             FROM tickets t LEFT JOIN agencies a ON a.id = t.agency_id
             WHERE t.status IN ('received', 'open')
             GROUP BY a.code, a.name ORDER BY overdue DESC, open DESC, a.name"
        ).bind(now).fetch_all(x).await?),
        )
    }

    pub async fn calendar_settings(&self) -> Result<CalendarSettings> {
        let mut conn = self.conn().await?;
        settings(&mut conn.c()).await
    }

    /// Saves the settings after checking them (an error names the field).
    pub async fn update_calendar_settings(&self, new: &CalendarSettings) -> Result<()> {
        new.deadlines(&[])?;
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE region_settings SET timezone = $1, working_week = $2, answer_within_sms = $3, answer_within = $4,
             ask_pause_limit = $5 WHERE id = 1"
        ).bind(&new.timezone).bind(&new.working_week).bind(&new.answer_within_sms).bind(&new.answer_within)
            .bind(&new.ask_pause_limit)
            .execute(x).await?.rows_affected());
        tx.commit().await
    }

    pub async fn deadlines(&self) -> Result<Deadlines> {
        let mut conn = self.conn().await?;
        deadlines(&mut conn.c()).await
    }

    pub async fn holidays(&self) -> Result<Vec<Holiday>> {
        let mut conn = self.conn().await?;
        holidays(&mut conn.c()).await
    }

    /// Adds holidays, replacing the name of a day already listed; returns how many were new.
    pub async fn add_holidays(&self, days: &[(NaiveDate, String)]) -> Result<usize> {
        let before = self.holidays().await?.len();
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        for chunk in days.chunks(500) {
            let mut p = Placeholders::for_conn(&c);
            let sql = format!(
                "INSERT INTO holidays (day, name) VALUES {} ON CONFLICT (day) DO UPDATE SET name = excluded.name",
                p.rows(chunk.len(), 2)
            );
            run!(&mut c, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (day, name) in chunk {
                    q = q.bind(day.format("%Y-%m-%d").to_string()).bind(name.trim().to_string());
                }
                q.execute(x).await?.rows_affected()
            });
        }
        tx.commit().await?;
        Ok(self.holidays().await?.len() - before)
    }

    pub async fn delete_holiday(&self, day: NaiveDate) -> Result<()> {
        let mut tx = self.begin().await?;
        let deleted = run!(&mut tx.c(), x => sqlx::query("DELETE FROM holidays WHERE day = $1")
            .bind(day.format("%Y-%m-%d").to_string()).execute(x).await?.rows_affected());
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }
}
