//! Publication of answered complaints (SMS §12.9, MISSION E1): a copy of the question and the
//! answer with personal data masked (`domain::redact`), published in the transaction that
//! answers the ticket. Confidential tickets are never published; anonymous ones carry no
//! identity. Moderators (secretariat, admin) may withhold a case or edit its copy; each change is
//! kept in an append-only history. The ticket's own text is never touched.

use crate::db::{C, Placeholders, run};
use crate::timeline::append_event;
use crate::{Access, Db, Result, StoreError, now_ms};
use chrono::TimeZone;
use domain::EventKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// Cases per page on the public list and the API.
pub const PER_PAGE: i64 = 20;
/// The deepest page served (offset pagination stays cheap).
pub const MAX_PAGE: i64 = 500;
/// Below this many estimated matches, a PostgreSQL search reads every match from the GIN index
/// and sorts them; above, it walks windows of the newest ids.
const RARE_MATCHES: f64 = 20_000.0;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PublishedCase {
    pub id: i64,
    #[serde(skip)]
    pub ticket_id: i64,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    pub category_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub channel: domain::Channel,
    pub month: String,
    pub received_at: i64,
    pub answered_at: i64,
    /// Time to answer, in milliseconds.
    pub answer_ms: i64,
    /// Answered by the deadline; `None` without a deadline.
    pub on_time: Option<bool>,
    /// "Budi S."; `None` for an anonymous reporter.
    pub reporter_label: Option<String>,
    pub question: String,
    pub answer: String,
    pub withheld: bool,
    pub withheld_reason: Option<String>,
    pub edited: bool,
    pub published_at: i64,
    pub updated_at: i64,
}

const CASE_COLUMNS: &str = "SELECT p.id, p.ticket_id, a.code AS agency_code, a.name AS agency_name,
    p.category, c.name AS category_name, p.channel, p.month, p.received_at, p.answered_at, p.answer_ms,
    p.on_time, p.reporter_label, p.question, p.answer, p.withheld, p.withheld_reason, p.edited,
    p.published_at, p.updated_at";
const CASE_JOINS: &str =
    "LEFT JOIN agencies a ON a.id = p.agency_id LEFT JOIN categories c ON c.code = p.category";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub at: i64,
    /// `edit`, `withhold`, `restore` or `reanswer`.
    pub action: String,
    pub reason: String,
    pub question_before: String,
    pub question_after: String,
    pub answer_before: String,
    pub answer_after: String,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub q: Option<String>,
    pub agency_code: Option<String>,
    pub category: Option<String>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    /// 1-based.
    pub page: i64,
    /// Moderators also see withheld cases.
    pub include_withheld: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CasePage {
    pub items: Vec<PublishedCase>,
    pub page: i64,
    pub has_next: bool,
}

/// An agency's handling officers as the public sees them: name and position, no contact.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Officer {
    pub full_name: String,
    pub position: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: domain::Role,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AgencyStat {
    pub code: String,
    pub name: String,
    pub received: i64,
    pub answered: i64,
    pub answered_with_deadline: i64,
    pub answered_on_time: i64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PublicStats {
    /// `YYYY-MM` and tickets received that month, oldest first, zero-filled.
    pub per_month: Vec<(String, i64)>,
    pub agencies: Vec<AgencyStat>,
    pub received: i64,
    pub answered: i64,
    pub answered_with_deadline: i64,
    pub answered_on_time: i64,
    pub median_answer_ms: Option<i64>,
    pub published: i64,
}

impl PublicStats {
    pub fn on_time_percent(&self) -> Option<f64> {
        (self.answered_with_deadline > 0)
            .then(|| 100.0 * self.answered_on_time as f64 / self.answered_with_deadline as f64)
    }
}

/// Whether the user moderates the published copies (a region-wide desk).
pub fn may_moderate(access: &Access) -> bool {
    access.can_region_wide(domain::Capability::Moderate)
}

/// `YYYY-MM` of an instant in the zone.
pub fn month_of(ms: i64, zone: chrono_tz::Tz) -> String {
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&zone).format("%Y-%m").to_string())
        .unwrap_or_default()
}

/// Whether `text` is a month `YYYY-MM`.
pub fn valid_month(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(text[5..].parse::<u32>(), Ok(1..=12))
}

/// What publication needs of a ticket.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Source {
    pub id: i64,
    pub agency_id: Option<i64>,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub channel: domain::Channel,
    pub text: String,
    pub tracking_code: String,
    pub register_number: String,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    pub anonymous: bool,
    pub confidential: bool,
    pub received_at: i64,
    pub due_at: Option<i64>,
    pub answered_at: Option<i64>,
}

pub const SOURCE_COLUMNS: &str = "t.id, t.agency_id, t.category, t.channel, t.text,
    t.tracking_code, t.register_number, t.reporter_name, t.reporter_phone, t.reporter_email,
    t.anonymous, t.confidential, t.received_at, t.due_at, t.answered_at";

/// What the masking knows of a ticket: the reporter's identity and the ticket's own codes, so
/// that none of them is published (a case never leads to its tracking page).
pub fn reporter_of(
    tracking_code: &str,
    register_number: &str,
    name: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
) -> domain::redact::Reporter {
    let owned = |v: Option<&str>| v.map(str::to_string).into_iter().collect();
    domain::redact::Reporter {
        names: owned(name),
        phones: owned(phone),
        emails: owned(email),
        codes: vec![tracking_code.to_string(), register_number.to_string()],
    }
}

/// The optional kinds of masking the administrator switched on.
pub async fn redaction_settings(c: &mut C<'_>) -> Result<domain::redact::Settings> {
    let (addresses, plates, handles, third_party_names): (bool, bool, bool, bool) = run!(c, x => sqlx::query_as(
        "SELECT redact_addresses, redact_plates, redact_handles, redact_third_party_names
         FROM region_settings WHERE id = 1"
    ).fetch_one(x).await?);
    Ok(domain::redact::Settings {
        addresses,
        plates,
        handles,
        third_party_names,
    })
}

/// Answered, not confidential tickets after `after` (by id) that have no published case yet,
/// at most `limit`, by id (the seeded tickets of `balai seed`, which have no answer event).
pub async fn unpublished_answered(c: &mut C<'_>, after: i64, limit: i64) -> Result<Vec<Source>> {
    let sql = format!(
        "SELECT {SOURCE_COLUMNS} FROM tickets t
         WHERE t.id > $1 AND t.answered_at IS NOT NULL AND NOT t.confidential
           AND NOT EXISTS (SELECT 1 FROM published_cases p WHERE p.ticket_id = t.id)
         ORDER BY t.id LIMIT $2"
    );
    Ok(
        run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(after).bind(limit).fetch_all(x).await?),
    )
}

/// An answered ticket not yet published, with its latest answer.
#[derive(sqlx::FromRow)]
struct Pending {
    #[sqlx(flatten)]
    src: Source,
    answer: Option<String>,
}

/// A row of `published_cases` ready to insert.
pub struct NewCase {
    pub ticket_id: i64,
    pub agency_id: Option<i64>,
    pub category: String,
    pub channel: domain::Channel,
    pub month: String,
    pub received_at: i64,
    pub answered_at: i64,
    pub on_time: Option<bool>,
    pub reporter_label: Option<String>,
    pub question: String,
    pub answer: String,
}

impl NewCase {
    /// The masked copy of a ticket and its answer; `None` for a confidential ticket.
    pub fn of(
        src: &Source,
        answer: &str,
        answered_at: i64,
        zone: chrono_tz::Tz,
        settings: domain::redact::Settings,
    ) -> Option<NewCase> {
        if src.confidential {
            return None;
        }
        let reporter = reporter_of(
            &src.tracking_code,
            &src.register_number,
            src.reporter_name.as_deref(),
            src.reporter_phone.as_deref(),
            src.reporter_email.as_deref(),
        );
        let redactor = domain::redact::Redactor::new(&reporter, settings, &[&src.text, answer]);
        Some(NewCase {
            ticket_id: src.id,
            agency_id: src.agency_id,
            category: src.category.clone(),
            channel: src.channel,
            month: month_of(src.received_at, zone),
            received_at: src.received_at,
            answered_at,
            on_time: src.due_at.map(|due| answered_at <= due),
            reporter_label: if src.anonymous {
                None
            } else {
                src.reporter_name
                    .as_deref()
                    .and_then(domain::redact::public_name)
            },
            question: redactor.mask(&src.text),
            answer: redactor.mask(answer),
        })
    }
}

const INSERT_COLUMNS: &str = "INSERT INTO published_cases (ticket_id, agency_id, category, channel, month,
    received_at, answered_at, answer_ms, on_time, reporter_label, question, answer, published_at, updated_at)";
const INSERT_WIDTH: usize = 14;

/// Inserts cases in one statement; a ticket already published is left alone. Returns the
/// (case, ticket) pairs inserted.
pub async fn insert_cases(c: &mut C<'_>, cases: &[NewCase], now: i64) -> Result<Vec<(i64, i64)>> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = Placeholders::for_conn(c);
    let sql = format!(
        "{INSERT_COLUMNS} VALUES {} ON CONFLICT (ticket_id) DO NOTHING RETURNING id, ticket_id",
        p.rows(cases.len(), INSERT_WIDTH)
    );
    Ok(run!(c, x => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for n in cases {
            q = q.bind(n.ticket_id).bind(n.agency_id).bind(n.category.clone()).bind(n.channel.as_str())
                .bind(n.month.clone()).bind(n.received_at).bind(n.answered_at)
                .bind(n.answered_at - n.received_at).bind(n.on_time).bind(n.reporter_label.clone())
                .bind(n.question.clone()).bind(n.answer.clone()).bind(now).bind(now);
        }
        q.fetch_all(x).await?
    }))
}

/// "Dipublikasikan" on the ticket's own timeline (public: the reporter sees their case went on
/// the site); `updated` when a new answer replaced the published one.
async fn record_published(
    c: &mut C<'_>,
    ticket_id: i64,
    case_id: i64,
    actor_id: Option<i64>,
    updated: bool,
    now: i64,
) -> Result<()> {
    append_event(
        c,
        ticket_id,
        EventKind::Published,
        actor_id,
        "",
        &serde_json::json!({ "case_id": case_id, "updated": updated }),
        now,
    )
    .await
}

/// A moderator's action on the timeline (internal): `withhold`, `restore` or `edit`, with the
/// reason as the body. Locks the ticket row like every other timeline write.
async fn record_moderation(
    c: &mut C<'_>,
    for_update: &str,
    case_id: i64,
    actor_id: i64,
    action: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    let sql = format!(
        "SELECT t.id FROM tickets t JOIN published_cases p ON p.ticket_id = t.id WHERE p.id = $1{for_update}"
    );
    let ticket_id: i64 = run!(c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(case_id).fetch_one(x).await?);
    append_event(
        c,
        ticket_id,
        EventKind::PublicationModerated,
        Some(actor_id),
        reason,
        &serde_json::json!({ "case_id": case_id, "action": action }),
        now,
    )
    .await
}

async fn append_revision(
    c: &mut C<'_>,
    case_id: i64,
    actor_id: Option<i64>,
    (action, reason): (&str, &str),
    before: (&str, &str),
    after: (&str, &str),
    at: i64,
) -> Result<()> {
    run!(c, x => sqlx::query(
        "INSERT INTO published_case_revisions (case_id, actor_id, at, action, reason, question_before,
            question_after, answer_before, answer_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ).bind(case_id).bind(actor_id).bind(at).bind(action).bind(reason).bind(before.0).bind(after.0)
        .bind(before.1).bind(after.1).execute(x).await?.rows_affected());
    Ok(())
}

/// Publishes a ticket on the transaction that answers it (the ticket row is locked by the
/// caller). A second answer (after reopening) replaces the published answer, with history.
pub async fn publish_on_answer(
    c: &mut C<'_>,
    ticket_id: i64,
    answer: &str,
    actor_id: Option<i64>,
    now: i64,
) -> Result<()> {
    let sql = format!("SELECT {SOURCE_COLUMNS} FROM tickets t WHERE t.id = $1");
    let src: Source =
        run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ticket_id).fetch_one(x).await?);
    let zone = crate::settings::region_zone(c).await?;
    let settings = redaction_settings(c).await?;
    let Some(case) = NewCase::of(&src, answer, now, zone, settings) else {
        return Ok(());
    };
    let existing: Option<(i64, String, String)> = run!(c, x => sqlx::query_as(
        "SELECT id, question, answer FROM published_cases WHERE ticket_id = $1"
    ).bind(ticket_id).fetch_optional(x).await?);
    match existing {
        None => {
            for (case_id, ticket_id) in insert_cases(c, std::slice::from_ref(&case), now).await? {
                record_published(c, ticket_id, case_id, actor_id, false, now).await?;
            }
        }
        Some((id, question, before)) => {
            run!(c, x => sqlx::query(
                "UPDATE published_cases SET answer = $1, answered_at = $2, answer_ms = $3, on_time = $4,
                    agency_id = $5, updated_at = $6 WHERE id = $7"
            ).bind(&case.answer).bind(now).bind(now - case.received_at).bind(case.on_time)
                .bind(case.agency_id).bind(now).bind(id).execute(x).await?.rows_affected());
            append_revision(
                c,
                id,
                actor_id,
                ("reanswer", ""),
                (&question, &before),
                (&question, &case.answer),
                now,
            )
            .await?;
            record_published(c, ticket_id, id, actor_id, true, now).await?;
        }
    }
    Ok(())
}

enum Param {
    S(String),
}

impl Db {
    /// The optional kinds of masking (`/admin/penyamaran`); they apply to cases published from
    /// now on, never to those already published.
    pub async fn redaction_settings(&self) -> Result<domain::redact::Settings> {
        let mut conn = self.conn().await?;
        redaction_settings(&mut conn.c()).await
    }

    pub async fn update_redaction_settings(&self, new: domain::redact::Settings) -> Result<()> {
        let mut tx = self.begin().await?;
        run!(&mut tx.c(), x => sqlx::query(
            "UPDATE region_settings SET redact_addresses = $1, redact_plates = $2, redact_handles = $3,
             redact_third_party_names = $4 WHERE id = 1"
        ).bind(new.addresses).bind(new.plates).bind(new.handles).bind(new.third_party_names)
            .execute(x).await?.rows_affected());
        tx.commit().await
    }

    /// Publishes every answered, non-confidential ticket that is not published yet, with its
    /// latest answer; `limit` tickets per transaction. Safe to run any time and on several
    /// nodes: a ticket is published once. Returns how many were published.
    pub async fn publish_pending(&self, limit: i64) -> Result<u64> {
        let mut total = 0;
        let mut after = 0i64;
        loop {
            let mut tx = self.begin().await?;
            let mut c = tx.c();
            let zone = crate::settings::region_zone(&mut c).await?;
            let settings = redaction_settings(&mut c).await?;
            let sql = format!(
                "SELECT {SOURCE_COLUMNS},
                    (SELECT e.body FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'answered'
                     ORDER BY e.seq DESC LIMIT 1) AS answer
                 FROM tickets t
                 WHERE t.answered_at IS NOT NULL AND t.id > $1 AND NOT t.confidential
                   AND NOT EXISTS (SELECT 1 FROM published_cases p WHERE p.ticket_id = t.id)
                 ORDER BY t.id LIMIT $2"
            );
            let rows: Vec<Pending> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(after).bind(limit.max(1)).fetch_all(x).await?);
            let Some(last) = rows.last() else {
                break;
            };
            after = last.src.id;
            let fetched = rows.len() as i64;
            // Only a ticket with an answer on its timeline has something to publish.
            let cases: Vec<NewCase> = rows
                .into_iter()
                .filter_map(|p| NewCase::of(&p.src, &p.answer?, p.src.answered_at?, zone, settings))
                .collect();
            let now = now_ms();
            for chunk in cases.chunks(500) {
                for (case_id, ticket_id) in insert_cases(&mut c, chunk, now).await? {
                    record_published(&mut c, ticket_id, case_id, None, false, now).await?;
                    total += 1;
                }
            }
            tx.commit().await?;
            if fetched < limit.max(1) {
                break;
            }
        }
        Ok(total)
    }

    /// Published cases matching the filter, newest publication first. Withheld cases only
    /// with `include_withheld`.
    pub async fn search_cases(&self, filter: &CaseFilter) -> Result<CasePage> {
        let page = filter.page.clamp(1, MAX_PAGE);
        let offset = (page - 1) * PER_PAGE;
        let mut params: Vec<Param> = Vec::new();
        let sqlite = matches!(self, Db::Sqlite { .. });
        let mut n = 0usize;
        let mut bind = |p: Param, params: &mut Vec<Param>| {
            params.push(p);
            n += 1;
            if sqlite {
                "?".to_string()
            } else {
                format!("${n}")
            }
        };
        let mut clauses: Vec<String> = Vec::new();
        let mut from = format!("FROM published_cases p {CASE_JOINS}");
        let mut order_key = "p.id";
        let search = filter.q.as_deref().and_then(crate::search::plain_query);
        let fts5 = search.as_deref().and_then(crate::search::fts5_query);
        let search = search.filter(|_| fts5.is_some());
        let search = search.as_deref();
        if let Some(q) = search {
            match self {
                Db::Sqlite { .. } => {
                    from = format!(
                        "FROM published_cases_fts f JOIN published_cases p ON p.id = f.rowid {CASE_JOINS}"
                    );
                    order_key = "f.rowid";
                    let p = bind(Param::S(fts5.clone().unwrap_or_default()), &mut params);
                    clauses.push(format!("published_cases_fts MATCH {p}"));
                }
                Db::Pg(_) => {
                    let p = bind(Param::S(q.to_string()), &mut params);
                    clauses.push(format!("p.search @@ plainto_tsquery('simple', {p})"));
                }
            }
        }
        if !filter.include_withheld {
            clauses.push("NOT p.withheld".into());
        }
        if let Some(code) = filter.agency_code.as_deref().filter(|c| !c.is_empty()) {
            let p = bind(Param::S(code.to_string()), &mut params);
            clauses.push(format!(
                "p.agency_id = (SELECT id FROM agencies WHERE code = {p})"
            ));
        }
        if let Some(category) = filter.category.as_deref().filter(|c| !c.is_empty()) {
            let p = bind(Param::S(category.to_string()), &mut params);
            clauses.push(format!("p.category = {p}"));
        }
        if let Some(month) = filter.month.as_deref().filter(|m| !m.is_empty()) {
            if !valid_month(month) {
                return Err(StoreError::Refused(domain::Refusal::MonthFormat(
                    month.to_string(),
                )));
            }
            let p = bind(Param::S(month.to_string()), &mut params);
            clauses.push(format!("p.month = {p}"));
        }
        // PostgreSQL cannot read a GIN index in id order: bound a search to a window of the
        // newest ids, widening until the page is full or the window covers everything.
        // A rare term (by the planner's own estimate) is read through the GIN index and sorted:
        // walking ids would test every case for it.
        let frequent = match (search, self) {
            (Some(q), Db::Pg(_)) => self.estimated_matches(q).await? > RARE_MATCHES,
            _ => false,
        };
        if search.is_some() && !sqlite && !frequent {
            // `+ 0`: not the primary key's order, so the planner reads the GIN index and sorts.
            order_key = "p.id + 0";
        }
        let windows: &[i64] = if frequent {
            &[50_000, 500_000, i64::MAX]
        } else {
            &[i64::MAX]
        };
        let max_id = if windows.len() > 1 {
            let mut conn = self.conn().await?;
            run!(&mut conn.c(), x => sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM published_cases").fetch_one(x).await?)
        } else {
            0
        };
        let mut conn = self.conn().await?;
        let mut items: Vec<PublishedCase> = Vec::new();
        for &window in windows {
            let mut all = clauses.clone();
            if window != i64::MAX {
                all.push(format!("p.id > {}", max_id.saturating_sub(window)));
            }
            let where_sql = if all.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", all.join(" AND "))
            };
            let sql = format!(
                "{CASE_COLUMNS} {from}{where_sql} ORDER BY {order_key} DESC LIMIT {} OFFSET {offset}",
                PER_PAGE + 1
            );
            items = run!(&mut conn.c(), x => {
                let mut query = sqlx::query_as::<_, PublishedCase>(sqlx::AssertSqlSafe(sql));
                for p in &params {
                    let Param::S(s) = p;
                    query = query.bind(s.clone());
                }
                query.fetch_all(x).await?
            });
            if items.len() as i64 > PER_PAGE || max_id.saturating_sub(window) <= 0 {
                break;
            }
        }
        let has_next = items.len() as i64 > PER_PAGE;
        items.truncate(PER_PAGE as usize);
        Ok(CasePage {
            items,
            page,
            has_next,
        })
    }

    /// PostgreSQL's estimate of the cases matching a search (planning only, no execution).
    async fn estimated_matches(&self, q: &str) -> Result<f64> {
        let mut conn = self.conn().await?;
        let plan: sqlx::types::Json<serde_json::Value> = run!(&mut conn.c(), x => sqlx::query_scalar(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM published_cases p WHERE p.search @@ plainto_tsquery('simple', $1)"
        ).bind(q).fetch_one(x).await?);
        Ok(plan.0[0]["Plan"]["Plan Rows"].as_f64().unwrap_or(f64::MAX))
    }

    /// One published case as the public sees it (withheld: not found).
    pub async fn public_case(&self, id: i64) -> Result<PublishedCase> {
        let case = self.case_by_id(id).await?;
        if case.withheld {
            return Err(StoreError::NotFound);
        }
        Ok(case)
    }

    async fn case_by_id(&self, id: i64) -> Result<PublishedCase> {
        let mut conn = self.conn().await?;
        let sql = format!("{CASE_COLUMNS} FROM published_cases p {CASE_JOINS} WHERE p.id = $1");
        run!(&mut conn.c(), x => sqlx::query_as::<_, PublishedCase>(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)
    }

    /// The published copy of a ticket, if any (any state).
    pub async fn case_of_ticket(&self, ticket_id: i64) -> Result<Option<PublishedCase>> {
        let mut conn = self.conn().await?;
        let sql =
            format!("{CASE_COLUMNS} FROM published_cases p {CASE_JOINS} WHERE p.ticket_id = $1");
        Ok(
            run!(&mut conn.c(), x => sqlx::query_as::<_, PublishedCase>(sqlx::AssertSqlSafe(sql))
            .bind(ticket_id).fetch_optional(x).await?),
        )
    }

    /// A case with its history, for a moderator.
    pub async fn case_for_moderation(
        &self,
        actor: &Access,
        id: i64,
    ) -> Result<(PublishedCase, Vec<Revision>)> {
        if !may_moderate(actor) {
            return Err(StoreError::Forbidden);
        }
        let case = self.case_by_id(id).await?;
        let mut conn = self.conn().await?;
        let revisions: Vec<Revision> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT r.id, r.actor_id, u.full_name AS actor_name, r.at, r.action, r.reason,
                r.question_before, r.question_after, r.answer_before, r.answer_after
             FROM published_case_revisions r LEFT JOIN users u ON u.id = r.actor_id
             WHERE r.case_id = $1 ORDER BY r.id"
        ).bind(id).fetch_all(x).await?);
        Ok((case, revisions))
    }

    /// Replaces the published copy's question and answer (the ticket is unchanged).
    pub async fn edit_case(
        &self,
        actor: &Access,
        id: i64,
        question: &str,
        answer: &str,
        reason: &str,
    ) -> Result<PublishedCase> {
        if !may_moderate(actor) {
            return Err(StoreError::Forbidden);
        }
        if question.trim().is_empty() || answer.trim().is_empty() {
            return Err(StoreError::Refused(domain::Refusal::FieldRequired(
                domain::Field::QuestionAndAnswer,
            )));
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let sql = format!(
            "SELECT question, answer FROM published_cases WHERE id = $1{}",
            self.for_update()
        );
        let (q_before, a_before): (String, String) =
            run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)?;
        if q_before == question && a_before == answer {
            return Err(StoreError::Refused(domain::Refusal::NoChange));
        }
        run!(&mut c, x => sqlx::query(
            "UPDATE published_cases SET question = $1, answer = $2, edited = TRUE, updated_at = $3 WHERE id = $4"
        ).bind(question).bind(answer).bind(now).bind(id).execute(x).await?.rows_affected());
        append_revision(
            &mut c,
            id,
            Some(actor.user().get()),
            ("edit", reason.trim()),
            (&q_before, &a_before),
            (question, answer),
            now,
        )
        .await?;
        record_moderation(
            &mut c,
            self.for_update(),
            id,
            actor.user().get(),
            "edit",
            reason.trim(),
            now,
        )
        .await?;
        tx.commit().await?;
        self.case_by_id(id).await
    }

    /// Withholds a case from the public (`withhold = true`, a reason is required) or publishes
    /// it again.
    pub async fn set_case_withheld(
        &self,
        actor: &Access,
        id: i64,
        withhold: bool,
        reason: &str,
    ) -> Result<PublishedCase> {
        if !may_moderate(actor) {
            return Err(StoreError::Forbidden);
        }
        if withhold && reason.trim().is_empty() {
            return Err(StoreError::Refused(domain::Refusal::FieldRequired(
                domain::Field::WithholdReason,
            )));
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let sql = format!(
            "SELECT question, answer, withheld FROM published_cases WHERE id = $1{}",
            self.for_update()
        );
        let (question, answer, was): (String, String, bool) =
            run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)?;
        if was == withhold {
            return Err(StoreError::Refused(if withhold {
                domain::Refusal::AlreadyWithheld
            } else {
                domain::Refusal::AlreadyShown
            }));
        }
        let reason_value = withhold.then(|| reason.trim().to_string());
        run!(&mut c, x => sqlx::query(
            "UPDATE published_cases SET withheld = $1, withheld_reason = $2, updated_at = $3 WHERE id = $4"
        ).bind(withhold).bind(reason_value).bind(now).bind(id).execute(x).await?.rows_affected());
        append_revision(
            &mut c,
            id,
            Some(actor.user().get()),
            (if withhold { "withhold" } else { "restore" }, reason.trim()),
            (&question, &answer),
            (&question, &answer),
            now,
        )
        .await?;
        record_moderation(
            &mut c,
            self.for_update(),
            id,
            actor.user().get(),
            if withhold { "withhold" } else { "restore" },
            reason.trim(),
            now,
        )
        .await?;
        tx.commit().await?;
        self.case_by_id(id).await
    }

    /// The public face of an agency's complaint handling: its liaison officers and head
    /// (names and positions only).
    pub async fn agency_officers(&self, agency_id: i64) -> Result<Vec<Officer>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT u.full_name, p.name AS position, u.role FROM users u
             LEFT JOIN positions p ON p.id = u.position_id
             WHERE u.agency_id = $1 AND u.active AND u.role IN ('head_of_agency', 'liaison_officer')
             ORDER BY CASE u.role WHEN 'head_of_agency' THEN 0 ELSE 1 END, u.full_name"
        ).bind(agency_id).fetch_all(x).await?))
    }

    /// Visible published cases per agency id.
    pub async fn published_per_agency(&self) -> Result<BTreeMap<i64, i64>> {
        let mut conn = self.conn().await?;
        let rows: Vec<(Option<i64>, i64)> = run!(&mut conn.c(), x => sqlx::query_as(
            "SELECT agency_id, COUNT(*) FROM published_cases WHERE NOT withheld GROUP BY agency_id"
        ).fetch_all(x).await?);
        Ok(rows
            .into_iter()
            .filter_map(|(id, n)| id.map(|id| (id, n)))
            .collect())
    }

    /// Public statistics of the tickets received in the last `months` months (the current one
    /// included): per month, per agency, share answered on time and median time to answer.
    pub async fn public_stats(&self, now: i64, months: u32) -> Result<PublicStats> {
        use chrono::Datelike;
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let zone = crate::settings::region_zone(&mut c).await?;
        let local = chrono::Utc
            .timestamp_millis_opt(now)
            .single()
            .unwrap_or_default()
            .with_timezone(&zone);
        // The first day of each month of the period, oldest first.
        let mut starts: Vec<(i32, u32)> = Vec::new();
        let (mut y, mut m) = (local.year(), local.month());
        for _ in 0..months.max(1) {
            starts.push((y, m));
            if m == 1 {
                y -= 1;
                m = 12;
            } else {
                m -= 1;
            }
        }
        starts.reverse();
        let month_start = |(y, m): (i32, u32)| -> i64 {
            zone.with_ymd_and_hms(y, m, 1, 0, 0, 0)
                .earliest()
                .map(|t| t.timestamp_millis())
                .unwrap_or(0)
        };
        let from = month_start(starts[0]);
        let mut bounds: Vec<(String, i64)> = starts
            .iter()
            .map(|&(y, m)| (format!("{y:04}-{m:02}"), month_start((y, m))))
            .collect();
        // Count per month with one range condition per month.
        let mut cases = String::new();
        for (k, (_, start)) in bounds.iter().enumerate().rev() {
            cases.push_str(&format!(" WHEN received_at >= {start} THEN {k}"));
        }
        let per_month_rows: Vec<(i64, i64)> = run!(&mut c, x => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(CASE{cases} ELSE -1 END AS BIGINT) AS m, COUNT(*) FROM tickets WHERE received_at >= $1 GROUP BY m"
        ))).bind(from).fetch_all(x).await?);
        let per_month_map: BTreeMap<i64, i64> = per_month_rows.into_iter().collect();
        let per_month = bounds
            .drain(..)
            .enumerate()
            .map(|(k, (label, _))| (label, per_month_map.get(&(k as i64)).copied().unwrap_or(0)))
            .collect();

        type Row = (Option<String>, Option<String>, i64, i64, i64, i64);
        let rows: Vec<Row> = run!(&mut c, x => sqlx::query_as(
            "SELECT a.code, a.name, COUNT(*),
                SUM(CASE WHEN t.answered_at IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.answered_at IS NOT NULL AND t.due_at IS NOT NULL THEN 1 ELSE 0 END),
                SUM(CASE WHEN t.answered_at IS NOT NULL AND t.due_at IS NOT NULL AND t.answered_at <= t.due_at THEN 1 ELSE 0 END)
             FROM tickets t LEFT JOIN agencies a ON a.id = t.agency_id
             WHERE t.received_at >= $1 GROUP BY a.code, a.name"
        ).bind(from).fetch_all(x).await?);
        let mut stats = PublicStats {
            per_month,
            ..PublicStats::default()
        };
        for (code, name, received, answered, with_deadline, on_time) in rows {
            stats.received += received;
            stats.answered += answered;
            stats.answered_with_deadline += with_deadline;
            stats.answered_on_time += on_time;
            stats.agencies.push(AgencyStat {
                code: code.unwrap_or_else(|| "-".into()),
                name: name.unwrap_or_else(|| "Belum diteruskan (triase)".into()),
                received,
                answered,
                answered_with_deadline: with_deadline,
                answered_on_time: on_time,
            });
        }
        stats
            .agencies
            .sort_by(|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)));
        if stats.answered > 0 {
            let middle = (stats.answered - 1) / 2;
            stats.median_answer_ms = run!(&mut c, x => sqlx::query_scalar(
                "SELECT answered_at - received_at AS d FROM tickets
                 WHERE received_at >= $1 AND answered_at IS NOT NULL ORDER BY d LIMIT 1 OFFSET $2"
            ).bind(from).bind(middle).fetch_optional(x).await?);
        }
        stats.published = run!(&mut c, x => sqlx::query_scalar(
            "SELECT COUNT(*) FROM published_cases WHERE NOT withheld"
        ).fetch_one(x).await?);
        Ok(stats)
    }
}
