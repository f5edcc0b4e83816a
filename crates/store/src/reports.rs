//! Queries behind the reports (seed `002_…` §9–10 and *Lampiran I*, seed `003_…`): the rows of
//! an agency's monthly recap, the liaison officers' figures, the raw counts of the semester
//! report, and the monthly submission of each agency's recap to the secretariat by the 10th
//! with daily reminders from the 5th (each agency at most once per day).
//!
//! The crate `report` turns these into report models and files.

use crate::db::{C, Placeholders, run};
use crate::messages::{OutgoingMessage, Queued, enqueue_many};
use crate::rows::DigestReport;
use crate::settings::in_quiet_hours;
use crate::settings::region_zone;
use crate::settings::{fill, template};
use crate::{Access, Db, Result, StoreError};
use chrono::{Datelike, NaiveDate, NaiveTime, Offset, TimeZone};
use domain::{AgencyId, Capability, Role};
use serde::Serialize;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
/// The semester report reads the words of at most this many tickets (the newest) for its list
/// of frequent words.
pub const KEYWORD_SAMPLE: i64 = 20_000;
/// Monthly recaps are due on this day of the next month (seed `002_…` Pasal 9 (2)).
pub const SUBMISSION_DAY: u32 = 10;
/// Reminders go out from this day of the next month.
pub const REMINDER_FROM_DAY: u32 = 5;

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// Indonesian name of a month (1–12).
pub fn month_name(month: u32) -> &'static str {
    MONTHS_ID[(month.clamp(1, 12) - 1) as usize]
}

/// A report period: a month (`2026-10`) or a half year (`2026-S2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Period {
    Month { year: i32, month: u32 },
    Semester { year: i32, half: u32 },
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim();
        let bad = || {
            format!(
                "periode {text:?} tidak valid: tulis TTTT-BB (mis. 2026-10) atau TTTT-S1/TTTT-S2"
            )
        };
        let (year, rest) = text.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        if let Some(half) = rest.strip_prefix('S').or_else(|| rest.strip_prefix('s')) {
            return match half {
                "1" => Ok(Period::Semester { year, half: 1 }),
                "2" => Ok(Period::Semester { year, half: 2 }),
                _ => Err(bad()),
            };
        }
        if rest.len() != 2 {
            return Err(bad());
        }
        let month: u32 = rest.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Period::Month { year, month })
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Semester { year, half } => write!(f, "{year}-S{half}"),
        }
    }
}

impl Period {
    /// The month that contains `date`.
    pub fn month_of(date: NaiveDate) -> Period {
        Period::Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The months of the period, in order, as (year, month).
    pub fn months(&self) -> Vec<(i32, u32)> {
        match *self {
            Period::Month { year, month } => vec![(year, month)],
            Period::Semester { year, half } => {
                let first = if half == 1 { 1 } else { 7 };
                (first..first + 6).map(|m| (year, m)).collect()
            }
        }
    }

    /// First local day of the period and first local day after it.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let months = self.months();
        let (y, m) = months[0];
        let (ly, lm) = months[months.len() - 1];
        let first = NaiveDate::from_ymd_opt(y, m, 1).expect("valid month");
        let next = if lm == 12 {
            NaiveDate::from_ymd_opt(ly + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(ly, lm + 1, 1)
        }
        .expect("valid month");
        (first, next)
    }

    /// `[from_ms, to_ms)` in the region's zone.
    pub fn bounds(&self, tz: chrono_tz::Tz) -> (i64, i64) {
        let (first, next) = self.days();
        (local_midnight(first, tz), local_midnight(next, tz))
    }

    /// `Oktober 2026`, `Semester II 2026 (Juli–Desember)`.
    pub fn label_id(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{} {year}", month_name(month)),
            Period::Semester { year, half: 1 } => format!("Semester I {year} (Januari–Juni)"),
            Period::Semester { year, .. } => format!("Semester II {year} (Juli–Desember)"),
        }
    }

    /// The monthly recap's submission deadline: the end of the 10th of the next month
    /// (the instant the 11th starts, region time). `None` for a semester.
    pub fn submission_deadline(&self, tz: chrono_tz::Tz) -> Option<i64> {
        match self {
            Period::Month { .. } => {
                let (_, next) = self.days();
                let day = next.with_day(SUBMISSION_DAY + 1)?;
                Some(local_midnight(day, tz))
            }
            Period::Semester { .. } => None,
        }
    }
}

fn local_midnight(date: NaiveDate, tz: chrono_tz::Tz) -> i64 {
    date.and_time(NaiveTime::MIN)
        .and_local_timezone(tz)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

impl Db {
    /// The region's zone (for the report's dates).
    pub async fn region_timezone(&self) -> Result<chrono_tz::Tz> {
        let mut conn = self.conn().await?;
        region_zone(&mut conn.c()).await
    }
}

// ---------------------------------------------------------------------------------------------
// Monthly recap (Lampiran I)

/// One ticket of an agency's monthly recap. The reporter's identity is `None` for anonymous
/// and confidential tickets and for roles that may not see it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct RecapRow {
    pub id: i64,
    #[serde(skip)]
    pub agency_id: Option<i64>,
    pub register_number: String,
    pub received_at: i64,
    #[sqlx(try_from = "String")]
    pub channel: domain::Channel,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: domain::TicketStatus,
    pub text: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub address: Option<String>,
    /// Who took the ticket in: the official who entered it or forwarded it to the agency.
    pub receiver: Option<String>,
    /// The latest answer on the timeline.
    pub answer: Option<String>,
    pub decline_reason: Option<String>,
    /// The latest decline's explanation.
    pub decline_note: Option<String>,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub due_at: Option<i64>,
}

/// An agency as the reports name it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct AgencyRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// `IN (1,2,3)` of numbers from the database.
fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "(NULL)".into();
    }
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("({})", ids.join(","))
}

/// Which agencies a report over `agency` covers for `actor`: the agency and its sub-units, or
/// (without an agency) what the actor sees. Forbidden when the actor may not see the agency.
async fn covered(db: &Db, actor: &Access, agency: Option<i64>) -> Result<Option<Vec<i64>>> {
    match agency {
        Some(id) => {
            if !actor.sees(Some(AgencyId(id))) {
                return Err(StoreError::Forbidden);
            }
            Ok(Some(db.agency_subtree(id).await?))
        }
        None => Ok(crate::visible_ids(actor)),
    }
}

impl Db {
    pub async fn agency_ref(&self, code: &str) -> Result<AgencyRef> {
        let mut conn = self.conn().await?;
        run!(&mut conn.c(), x => sqlx::query_as::<_, AgencyRef>(
            "SELECT id, code, name FROM agencies WHERE code = $1"
        ).bind(code.trim()).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }

    /// The name of the agency's head (the first active head of agency), for the signature.
    pub async fn agency_head_name(&self, agency_id: i64) -> Result<Option<String>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_scalar(
            "SELECT full_name FROM users WHERE active AND role = 'head_of_agency' AND agency_id = $1
             ORDER BY id LIMIT 1"
        ).bind(agency_id).fetch_optional(x).await?))
    }

    /// Tickets of the agency (and its sub-units) received in `[from_ms, to_ms)`, oldest first.
    pub async fn recap_rows(
        &self,
        actor: &Access,
        agency_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<RecapRow>> {
        let ids = covered(self, actor, Some(agency_id))
            .await?
            .unwrap_or_default();
        let sql = format!(
            "SELECT t.id, t.agency_id, t.register_number, t.received_at, t.channel, t.category, t.status, t.text,
                t.anonymous, t.confidential, t.reporter_name, t.reporter_phone, t.reporter_email,
                t.address,
                (SELECT u.full_name FROM ticket_events e JOIN users u ON u.id = e.actor_id
                 WHERE e.ticket_id = t.id AND e.kind IN ('received', 'forwarded')
                 ORDER BY e.seq LIMIT 1) AS receiver,
                (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'answered'
                 ORDER BY e.seq DESC LIMIT 1) AS answer,
                t.decline_reason,
                (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'declined'
                 ORDER BY e.seq DESC LIMIT 1) AS decline_note,
                t.answered_at, t.closed_at, t.due_at
             FROM tickets t
             WHERE t.agency_id IN {} AND t.received_at >= $1 AND t.received_at < $2
             ORDER BY t.received_at, t.id",
            id_list(&ids)
        );
        let mut conn = self.conn().await?;
        let mut rows: Vec<RecapRow> = run!(&mut conn.c(), x => sqlx::query_as::<_, RecapRow>(sqlx::AssertSqlSafe(sql))
            .bind(from_ms).bind(to_ms).fetch_all(x).await?);
        for row in &mut rows {
            let identity = actor.can(Capability::SeeReporterIdentity, row.agency_id.map(AgencyId));
            if row.anonymous || row.confidential || !identity {
                row.reporter_name = None;
                row.reporter_phone = None;
                row.reporter_email = None;
                row.address = None;
            }
        }
        Ok(rows)
    }
}

// ---------------------------------------------------------------------------------------------
// Liaison officers (seed 003)

/// One liaison officer's month.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct LiaisonRow {
    pub user_id: i64,
    pub full_name: String,
    pub agency_code: String,
    pub agency_name: String,
    /// Distinct tickets the officer acted on in the period (forwarded, assigned, noted, asked,
    /// answered, declined, closed).
    pub handled: i64,
    /// Answers the officer gave in the period.
    pub answered: i64,
    /// Of those, given by the ticket's deadline.
    pub answered_on_time: i64,
    pub declined: i64,
    /// Median time from receipt to the officer's answer (ms).
    pub median_answer_ms: Option<i64>,
}

/// The median of unsorted values (the lower middle for an even count).
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}

impl Db {
    /// The liaison officers of `agency` (or all the actor sees) and what they did in the period.
    pub async fn liaison_stats(
        &self,
        actor: &Access,
        agency: Option<i64>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<LiaisonRow>> {
        let scope = covered(self, actor, agency).await?;
        let scope_sql = scope
            .as_ref()
            .map(|ids| format!(" AND u.agency_id IN {}", id_list(ids)))
            .unwrap_or_default();
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let officers: Vec<(i64, String, Option<String>, Option<String>)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.id, u.full_name, a.code, a.name FROM users u LEFT JOIN agencies a ON a.id = u.agency_id
             WHERE u.role = 'liaison_officer'{scope_sql} ORDER BY a.name, u.full_name, u.id"
        ))).fetch_all(x).await?);
        if officers.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = officers.iter().map(|o| o.0).collect();
        let list = id_list(&ids);
        let handled: Vec<(i64, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT e.actor_id, COUNT(DISTINCT e.ticket_id) FROM ticket_events e
             WHERE e.kind IN ('forwarded', 'assigned', 'note', 'asked_reporter', 'answered', 'declined', 'closed')
               AND e.at >= $1 AND e.at < $2 AND e.actor_id IN {list}
             GROUP BY e.actor_id"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let acts: Vec<(i64, String, i64, i64, Option<i64>)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT e.actor_id, e.kind, e.at, t.received_at, t.due_at FROM ticket_events e
             JOIN tickets t ON t.id = e.ticket_id
             WHERE e.kind IN ('answered', 'declined') AND e.at >= $1 AND e.at < $2 AND e.actor_id IN {list}"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let handled: BTreeMap<i64, i64> = handled.into_iter().collect();
        let mut times: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        let mut rows: Vec<LiaisonRow> = officers
            .into_iter()
            .map(|(id, name, code, agency)| LiaisonRow {
                user_id: id,
                full_name: name,
                agency_code: code.unwrap_or_default(),
                agency_name: agency.unwrap_or_default(),
                handled: handled.get(&id).copied().unwrap_or(0),
                ..LiaisonRow::default()
            })
            .collect();
        for (actor_id, kind, at, received, due) in acts {
            let Some(row) = rows.iter_mut().find(|r| r.user_id == actor_id) else {
                continue;
            };
            if kind == "answered" {
                row.answered += 1;
                if due.is_some_and(|d| at <= d) {
                    row.answered_on_time += 1;
                }
                times.entry(actor_id).or_default().push(at - received);
            } else {
                row.declined += 1;
            }
        }
        for row in &mut rows {
            row.median_answer_ms = times.get_mut(&row.user_id).and_then(|t| median(t));
        }
        Ok(rows)
    }
}

// ---------------------------------------------------------------------------------------------
// Semester

/// Tickets received in the period with one combination of agency, category, channel, status
/// and decline reason.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Combo {
    pub agency_id: Option<i64>,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub channel: domain::Channel,
    #[sqlx(try_from = "String")]
    pub status: domain::TicketStatus,
    pub decline_reason: Option<String>,
    pub count: i64,
    pub answered: i64,
    pub answered_on_time: i64,
}

/// One local day: received, answered (of those received that day) and answered on time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayFigures {
    pub date: NaiveDate,
    pub received: i64,
    pub answered: i64,
    pub answered_on_time: i64,
}

/// Workflow steps of one agency with a deadline (tickets received in the period): how many,
/// done by their deadline, and late (done after it, or still open past it).
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct StepFigures {
    pub agency_id: Option<i64>,
    pub step: String,
    /// The step's place in its workflow (for ordering).
    pub position: i64,
    pub total: i64,
    pub on_time: i64,
    pub late: i64,
}

/// The raw counts of a semester report, read in four passes over the period's tickets.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SemesterData {
    pub from_ms: i64,
    pub to_ms: i64,
    pub combos: Vec<Combo>,
    pub days: Vec<DayFigures>,
    /// Answered tickets by whole minutes from receipt to answer: (minutes, tickets).
    pub answer_minutes: Vec<(i64, i64)>,
    /// Texts of up to `KEYWORD_SAMPLE` of the newest tickets, for frequent words.
    pub texts: Vec<String>,
    pub agencies: Vec<AgencyRef>,
    /// (code, name) of the categories.
    pub categories: Vec<(String, String)>,
    /// SLA per agency and workflow step.
    pub steps: Vec<StepFigures>,
}

impl Db {
    /// Counts for the semester report over tickets received in `[from_ms, to_ms)` of `agency`
    /// (with its sub-units) or of all the actor sees.
    pub async fn semester_data(
        &self,
        actor: &Access,
        agency: Option<i64>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<SemesterData> {
        let scope = covered(self, actor, agency).await?;
        let scope_sql = scope
            .as_ref()
            .map(|ids| format!(" AND t.agency_id IN {}", id_list(ids)))
            .unwrap_or_default();
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let zone = region_zone(&mut c).await?;
        let offset_ms = i64::from(
            zone.offset_from_utc_datetime(&chrono::Utc::now().naive_utc())
                .fix()
                .local_minus_utc(),
        ) * 1000;
        // SQLite: when the period holds a large share of all tickets, one pass over the table
        // beats a walk of an index with a lookup per row (the planner picks the index).
        let mut hint = "";
        if c.is_sqlite() {
            let (in_period, total): (i64, Option<i64>) = run!(&mut c, x => sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM tickets WHERE received_at >= $1 AND received_at < $2),
                        (SELECT MAX(id) FROM tickets)"
            ).bind(from_ms).bind(to_ms).fetch_one(x).await?);
            if in_period * 5 > total.unwrap_or(0) {
                hint = " NOT INDEXED";
            }
        }
        let on_time = "CASE WHEN t.answered_at IS NOT NULL AND t.due_at IS NOT NULL AND t.answered_at <= t.due_at THEN 1 ELSE 0 END";
        let answered = "CASE WHEN t.answered_at IS NOT NULL THEN 1 ELSE 0 END";
        let combos: Vec<Combo> = run!(&mut c, x => sqlx::query_as::<_, Combo>(sqlx::AssertSqlSafe(format!(
            "SELECT t.agency_id, t.category, t.channel, t.status, t.decline_reason, COUNT(*) AS count,
                    SUM({answered}) AS answered, SUM({on_time}) AS answered_on_time
             FROM tickets t{hint} WHERE t.received_at >= $1 AND t.received_at < $2{scope_sql}
             GROUP BY t.agency_id, t.category, t.channel, t.status, t.decline_reason"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let days: Vec<(i64, i64, i64, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT (t.received_at + $1) / {DAY_MS} AS day, COUNT(*), SUM({answered}), SUM({on_time})
             FROM tickets t{hint} WHERE t.received_at >= $2 AND t.received_at < $3{scope_sql} GROUP BY day"
        ))).bind(offset_ms).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let answer_minutes: Vec<(i64, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT (t.answered_at - t.received_at) / 60000 AS m, COUNT(*) FROM tickets t{hint}
             WHERE t.received_at >= $1 AND t.received_at < $2 AND t.answered_at IS NOT NULL{scope_sql}
             GROUP BY m ORDER BY m"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let texts: Vec<String> = run!(&mut c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT t.text FROM tickets t WHERE t.received_at >= $1 AND t.received_at < $2{scope_sql}
             ORDER BY t.received_at DESC LIMIT {KEYWORD_SAMPLE}"
        ))).bind(from_ms).bind(to_ms).fetch_all(x).await?);
        let agencies: Vec<AgencyRef> = run!(&mut c, x => sqlx::query_as::<_, AgencyRef>(
            "SELECT id, code, name FROM agencies ORDER BY name"
        ).fetch_all(x).await?);
        let categories: Vec<(String, String)> = run!(&mut c, x => sqlx::query_as(
            "SELECT code, name FROM categories ORDER BY sort_order, code"
        ).fetch_all(x).await?);
        // Steps exist only for tickets on a workflow; without any, skip the join (SQLite would
        // walk the period's tickets probing for steps).
        let any_steps: bool = run!(&mut c, x => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM ticket_steps)"
        ).fetch_one(x).await?);
        let steps: Vec<StepFigures> = if !any_steps {
            Vec::new()
        } else {
            run!(&mut c, x => sqlx::query_as::<_, StepFigures>(sqlx::AssertSqlSafe(format!(
            "SELECT t.agency_id, s.name AS step, MIN(s.position) AS position, COUNT(*) AS total,
                    SUM(CASE WHEN s.done_at IS NOT NULL AND s.done_at <= s.due_at THEN 1 ELSE 0 END) AS on_time,
                    SUM(CASE WHEN (s.done_at IS NOT NULL AND s.done_at > s.due_at)
                              OR (s.done_at IS NULL AND s.due_at < $3) THEN 1 ELSE 0 END) AS late
             FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id
             WHERE s.due_at IS NOT NULL AND t.received_at >= $1 AND t.received_at < $2{scope_sql}
             GROUP BY t.agency_id, s.name ORDER BY t.agency_id, MIN(s.position)"
        ))).bind(from_ms).bind(to_ms).bind(crate::now_ms()).fetch_all(x).await?)
        };
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let days = days
            .into_iter()
            .map(|(day, received, answered, on_time)| DayFigures {
                date: epoch + chrono::TimeDelta::days(day),
                received,
                answered,
                answered_on_time: on_time,
            })
            .collect();
        Ok(SemesterData {
            from_ms,
            to_ms,
            combos,
            days,
            answer_minutes,
            texts,
            agencies,
            categories,
            steps,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Submission of the monthly recap by the 10th

/// Where an agency's recap of a month stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SubmissionState {
    /// Not submitted, the deadline not passed.
    NotYet,
    /// Submitted by the deadline.
    Submitted,
    /// Submitted after the deadline, or not submitted and the deadline passed.
    Late,
}

impl SubmissionState {
    pub fn label_id(self) -> &'static str {
        match self {
            SubmissionState::NotYet => "Belum dikirim",
            SubmissionState::Submitted => "Sudah dikirim",
            SubmissionState::Late => "Terlambat",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionState::NotYet => "not_yet",
            SubmissionState::Submitted => "submitted",
            SubmissionState::Late => "late",
        }
    }
}

/// An agency's recap of one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub agency_id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub period: String,
    pub state: SubmissionState,
    pub submitted_at: Option<i64>,
    pub submitted_by: Option<String>,
}

/// The state at `now` given when (if ever) the recap was submitted.
pub fn submission_state(submitted_at: Option<i64>, deadline: i64, now: i64) -> SubmissionState {
    match submitted_at {
        Some(at) if at < deadline => SubmissionState::Submitted,
        Some(_) => SubmissionState::Late,
        None if now >= deadline => SubmissionState::Late,
        None => SubmissionState::NotYet,
    }
}

/// Roles that submit their agency's recap.
pub fn submits_recap(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::HeadOfAgency | Role::LiaisonOfficer | Role::Staff
    )
}

/// A head or liaison officer of an agency: (user, agency, email, phone, channels, quiet hours).
type Recipient = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

/// Agencies that owe a monthly recap (every active one but the secretariat).
async fn reporting_agencies(c: &mut C<'_>) -> Result<Vec<AgencyRef>> {
    Ok(run!(c, x => sqlx::query_as::<_, AgencyRef>(
        "SELECT id, code, name FROM agencies WHERE active AND kind <> 'secretariat' ORDER BY name, id"
    ).fetch_all(x).await?))
}

fn month_period(period: &str) -> Result<Period> {
    match period.parse::<Period>() {
        Ok(p @ Period::Month { .. }) => Ok(p),
        Ok(_) => Err(StoreError::Invalid(
            "periode: rekapitulasi bulanan memakai bulan (TTTT-BB)".into(),
        )),
        Err(e) => Err(StoreError::Invalid(format!("periode: {e}"))),
    }
}

impl Db {
    /// Each agency the actor sees and the state of its recap for `period` (`YYYY-MM`) at `now`.
    pub async fn submissions(
        &self,
        actor: &Access,
        period: &str,
        now: i64,
    ) -> Result<Vec<Submission>> {
        let p = month_period(period)?;
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let zone = region_zone(&mut c).await?;
        let deadline = p.submission_deadline(zone).unwrap_or(i64::MAX);
        let agencies = reporting_agencies(&mut c).await?;
        let done: Vec<(i64, i64, Option<String>)> = run!(&mut c, x => sqlx::query_as(
            "SELECT s.agency_id, s.submitted_at, u.full_name FROM report_submissions s
             LEFT JOIN users u ON u.id = s.submitted_by WHERE s.period = $1"
        ).bind(p.to_string()).fetch_all(x).await?);
        let done: BTreeMap<i64, (i64, Option<String>)> =
            done.into_iter().map(|(a, at, by)| (a, (at, by))).collect();
        Ok(agencies
            .into_iter()
            .filter(|a| actor.sees(Some(AgencyId(a.id))))
            .map(|a| {
                let (at, by) = done
                    .get(&a.id)
                    .cloned()
                    .map_or((None, None), |(at, by)| (Some(at), by));
                Submission {
                    state: submission_state(at, deadline, now),
                    agency_id: a.id,
                    agency_code: a.code,
                    agency_name: a.name,
                    period: p.to_string(),
                    submitted_at: at,
                    submitted_by: by,
                }
            })
            .collect())
    }

    /// Records that the agency submitted its recap of `period` to the secretariat. A month not
    /// yet over is refused; submitting again changes nothing. Returns the agency's state.
    pub async fn submit_recap(
        &self,
        actor: &Access,
        agency_id: i64,
        period: &str,
        now: i64,
    ) -> Result<Submission> {
        let agency = Some(AgencyId(agency_id));
        let submits = actor
            .inboxes()
            .iter()
            .any(|i| i.grants(Capability::Read, agency) && submits_recap(i.role));
        if !submits {
            return Err(StoreError::Forbidden);
        }
        let p = month_period(period)?;
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let zone = region_zone(&mut c).await?;
        let (_, end) = p.bounds(zone);
        if now < end {
            return Err(StoreError::Invalid(format!(
                "periode: bulan {} belum berakhir",
                p.label_id()
            )));
        }
        let exists: Option<i64> = run!(&mut c, x => sqlx::query_scalar(
            "SELECT id FROM agencies WHERE id = $1 AND kind <> 'secretariat'"
        ).bind(agency_id).fetch_optional(x).await?);
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        run!(&mut c, x => sqlx::query(
            "INSERT INTO report_submissions (agency_id, period, submitted_at, submitted_by)
             VALUES ($1, $2, $3, $4) ON CONFLICT (agency_id, period) DO NOTHING"
        ).bind(agency_id).bind(p.to_string()).bind(now).bind(actor.user().get()).execute(x).await?.rows_affected());
        tx.commit().await?;
        self.submissions(actor, period, now)
            .await?
            .into_iter()
            .find(|s| s.agency_id == agency_id)
            .ok_or(StoreError::NotFound)
    }

    /// From the 5th of a month, once the region's clock has passed `daily_digest_at`: each
    /// agency that has not submitted last month's recap gets one reminder that day, by SMS
    /// and/or email to its head and liaison officers (as each chose). The claim of (agency, day)
    /// is committed with the messages, so restarts and several nodes never send it twice.
    pub async fn send_report_reminders(&self, now: i64, base_url: &str) -> Result<DigestReport> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let zone = region_zone(&mut c).await?;
        let Some(local) = zone.timestamp_millis_opt(now).single() else {
            return Ok(DigestReport::default());
        };
        let at: String = run!(&mut c, x => sqlx::query_scalar("SELECT daily_digest_at FROM region_settings WHERE id = 1")
            .fetch_one(x).await?);
        let send_at = NaiveTime::parse_from_str(&at, "%H:%M").unwrap_or(NaiveTime::MIN);
        if local.day() < REMINDER_FROM_DAY || local.time() < send_at {
            tx.commit().await?;
            return Ok(DigestReport::default());
        }
        let today = local.date_naive();
        let last_month = today
            .with_day(1)
            .and_then(|d| d.pred_opt())
            .map(Period::month_of)
            .ok_or_else(|| StoreError::Invalid("tanggal di luar jangkauan".into()))?;
        let period = last_month.to_string();
        let day = today.format("%Y-%m-%d").to_string();
        let submitted: Vec<i64> = run!(&mut c, x => sqlx::query_scalar(
            "SELECT agency_id FROM report_submissions WHERE period = $1"
        ).bind(&period).fetch_all(x).await?);
        let owing: Vec<AgencyRef> = reporting_agencies(&mut c)
            .await?
            .into_iter()
            .filter(|a| !submitted.contains(&a.id))
            .collect();
        if owing.is_empty() {
            tx.commit().await?;
            return Ok(DigestReport::default());
        }
        let mut claimed: Vec<i64> = Vec::new();
        for chunk in owing.chunks(500) {
            let mut p = Placeholders::for_conn(&c);
            let sql = format!(
                "INSERT INTO report_reminders (agency_id, day, period, created_at) VALUES {}
                 ON CONFLICT (agency_id, day) DO NOTHING RETURNING agency_id",
                p.rows(chunk.len(), 4)
            );
            let rows: Vec<i64> = run!(&mut c, x => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for agency in chunk {
                    q = q.bind(agency.id).bind(&day).bind(&period).bind(now);
                }
                q.fetch_all(x).await?
            });
            claimed.extend(rows);
        }
        if claimed.is_empty() {
            tx.commit().await?;
            return Ok(DigestReport::default());
        }
        let recipients: Vec<Recipient> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, agency_id, email, phone, notify_channels, quiet_hours FROM users
             WHERE active AND notify_channels <> 'none' AND role IN ('head_of_agency', 'liaison_officer')
               AND agency_id IN {} ORDER BY id",
            id_list(&claimed)
        ))).fetch_all(x).await?);
        let template = template(&mut c, "report_reminder").await?;
        let deadline = last_month
            .submission_deadline(zone)
            .and_then(|d| zone.timestamp_millis_opt(d - 1).single())
            .map(|d| format!("{} {}", d.day(), month_name(d.month())))
            .unwrap_or_default();
        let month = last_month.label_id();
        let link = format!(
            "{}/staf/laporan?periode={period}",
            base_url.trim_end_matches('/')
        );
        let mut batch = Vec::new();
        let mut reached = std::collections::BTreeSet::new();
        for (user, agency_id, email, phone, channels, quiet) in recipients {
            let Some(agency) = owing.iter().find(|a| a.id == agency_id) else {
                continue;
            };
            let body = fill(
                &template,
                &[
                    ("agency", &agency.name),
                    ("month", &month),
                    ("deadline", &deadline),
                    ("link", &link),
                ],
            );
            let subject = format!("Rekapitulasi pengaduan {month} belum dikirim");
            let wants = |w: &str| channels.split(',').any(|c| c.trim() == w);
            if wants("email")
                && let Some(email) = email.filter(|e| !e.trim().is_empty())
            {
                batch.push(OutgoingMessage {
                    channel: domain::MessageChannel::Email,
                    recipient: email,
                    subject: subject.clone(),
                    body: body.clone(),
                });
                reached.insert(user);
            }
            if wants("sms")
                && !in_quiet_hours(quiet.as_deref(), local.time())
                && let Some(phone) = phone.filter(|p| !p.trim().is_empty())
            {
                batch.push(OutgoingMessage {
                    channel: domain::MessageChannel::Sms,
                    recipient: phone,
                    subject: String::new(),
                    body,
                });
                reached.insert(user);
            }
        }
        let queued: Vec<Queued> = batch
            .into_iter()
            .map(|message| Queued {
                ticket_id: None,
                message,
                kind: "report_reminder",
                gateway: None,
            })
            .collect();
        let messages = enqueue_many(&mut c, &queued, now).await?.len();
        tx.commit().await?;
        Ok(DigestReport {
            recipients: reached.len(),
            messages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_bound() {
        let p: Period = "2026-10".parse().unwrap();
        assert_eq!(
            p,
            Period::Month {
                year: 2026,
                month: 10
            }
        );
        assert_eq!(p.label_id(), "Oktober 2026");
        let tz = chrono_tz::Asia::Jakarta;
        let (from, to) = p.bounds(tz);
        assert_eq!(
            chrono::DateTime::from_timestamp_millis(from)
                .unwrap()
                .to_rfc3339(),
            "2026-09-30T17:00:00+00:00"
        );
        assert_eq!(to - from, 31 * DAY_MS);
        let deadline = p.submission_deadline(tz).unwrap();
        assert_eq!(
            chrono::DateTime::from_timestamp_millis(deadline)
                .unwrap()
                .to_rfc3339(),
            "2026-11-10T17:00:00+00:00"
        );
        let s: Period = "2026-S2".parse().unwrap();
        assert_eq!(s.months().len(), 6);
        assert_eq!(s.days().1, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(s.to_string(), "2026-S2");
        for bad in ["2026", "2026-13", "2026-S3", "26-10", "2026-1", "x-10"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn states() {
        assert_eq!(submission_state(None, 100, 50), SubmissionState::NotYet);
        assert_eq!(submission_state(None, 100, 100), SubmissionState::Late);
        assert_eq!(
            submission_state(Some(99), 100, 500),
            SubmissionState::Submitted
        );
        assert_eq!(submission_state(Some(100), 100, 500), SubmissionState::Late);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
        assert_eq!(median(&mut []), None);
    }
}
