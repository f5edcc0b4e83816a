//! Workflow templates and answer approval. The admin keeps templates (ordered steps with a
//! role, the action that completes them and a duration); a new ticket copies the steps of the
//! template that matches it most specifically (`domain::workflow::choose`) and its current step
//! gets a deadline in the region's working time. Handling actions advance the step. When the
//! template has an approval step, an answer is drafted, then approved (possibly edited) or
//! returned with comments; only an approved answer reaches the reporter.

use crate::db::{C, Placeholders, run};
pub use crate::rows::StepOverdue;
use crate::timeline::append_event;
use crate::{Access, Db, Result, StoreError, now_ms};
use domain::calendar::Duration;
use domain::workflow::{Scope, Step, StepKind};
use domain::{Action, AgencyId, Capability, EventKind, PositionId, Role, TicketStatus};
use serde::Serialize;

/// A template as the admin sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub category: Option<String>,
    pub is_default: bool,
    pub steps: Vec<Step>,
}

/// What the admin saves.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    pub name: String,
    pub agency_id: Option<i64>,
    pub category: Option<String>,
    pub is_default: bool,
    pub steps: Vec<Step>,
}

/// One step of a ticket's workflow.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TicketStep {
    pub position: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: domain::Role,
    #[sqlx(try_from = "String")]
    pub kind: domain::workflow::StepKind,
    pub duration: String,
    /// Only this position's holder acts in the step.
    pub position_id: Option<i64>,
    pub started_at: Option<i64>,
    pub due_at: Option<i64>,
    pub done_at: Option<i64>,
    pub breached_at: Option<i64>,
}

impl TicketStep {
    /// `done`, `current` or `todo` (to come).
    pub fn state(&self, current: Option<i64>) -> &'static str {
        if self.done_at.is_some() {
            "done"
        } else if current == Some(self.position) {
            "current"
        } else {
            "todo"
        }
    }
}

/// A ticket's workflow: its template's name, the current step and all steps.
#[derive(Debug, Clone, Serialize)]
pub struct TicketWorkflow {
    pub template: Option<String>,
    pub current: Option<i64>,
    pub current_due_at: Option<i64>,
    pub steps: Vec<TicketStep>,
}

impl TicketWorkflow {
    pub fn current_step(&self) -> Option<&TicketStep> {
        self.steps.iter().find(|s| Some(s.position) == self.current)
    }

    /// Whether a direct answer is refused (an approval or a send step is ahead).
    pub fn blocks_direct_answer(&self) -> bool {
        self.current.is_some()
            && self
                .steps
                .iter()
                .any(|s| matches!(s.kind.as_str(), "approve" | "send") && s.done_at.is_none())
    }

    pub fn needs_approval(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.kind == StepKind::Approve && s.done_at.is_none())
            && self.current.is_some()
    }
}

/// One version of a drafted answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AnswerDraft {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub created_at: i64,
    /// `pending` (waits for approval), `returned`, `edited` (replaced by the approver's
    /// version), `approved` (waits to be sent), `sent`.
    #[sqlx(try_from = "String")]
    pub status: domain::DraftStatus,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<i64>,
    pub comment: String,
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

type StepRow = (String, String, String, String, Option<i64>);

/// A stored step; an unknown role, kind or duration is corrupt data, never a default.
fn step_of(row: StepRow) -> Result<Step> {
    let (name, role, kind, duration, position_id) = row;
    let corrupt =
        |what: &str, value: &str| StoreError::Corrupt(format!("step {name:?}: {what} {value:?}"));
    Ok(Step {
        position_id,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        kind: StepKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        duration: parse_duration(&name, &duration)?,
        name,
    })
}

fn parse_duration(step: &str, text: &str) -> Result<Duration> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("step {step:?}: duration {text:?}")))
}

async fn template_steps(c: &mut C<'_>, template_id: i64) -> Result<Vec<Step>> {
    let rows: Vec<StepRow> = run!(c, x => sqlx::query_as(
        "SELECT name, role, kind, duration, position_id FROM workflow_steps WHERE template_id = $1 ORDER BY position"
    ).bind(template_id).fetch_all(x).await?);
    rows.into_iter().map(step_of).collect()
}

pub use crate::rows::WorkflowStart as Start;

/// Starts the workflow of new tickets (in the intake transaction): copies the matching
/// template's steps and sets the first current step and its deadline.
pub async fn start(c: &mut C<'_>, tickets: &[Start]) -> Result<()> {
    if tickets.is_empty() {
        return Ok(());
    }
    type ScopeRow = (i64, Option<i64>, Option<String>, bool, String);
    let scopes: Vec<ScopeRow> = run!(c, x => sqlx::query_as(
        "SELECT id, agency_id, category, is_default, name FROM workflow_templates"
    ).fetch_all(x).await?);
    if scopes.is_empty() {
        return Ok(());
    }
    let domain_scopes: Vec<Scope> = scopes
        .iter()
        .map(|(id, agency, category, default, _)| Scope {
            template_id: *id,
            agency_id: *agency,
            category: category.clone(),
            is_default: *default,
        })
        .collect();
    let mut steps_of: std::collections::HashMap<i64, Vec<Step>> = Default::default();
    let calendar = crate::calendar::deadlines(c).await?.calendar;
    // (ticket, template name, first position, its due, steps)
    let mut plans = Vec::new();
    for t in tickets {
        let Some(template) = domain::workflow::choose(&domain_scopes, t.agency_id, &t.category)
        else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = steps_of.entry(template) {
            e.insert(template_steps(c, template).await?);
        }
        let steps = &steps_of[&template];
        let Some(first) = domain::workflow::first_step(steps, t.agency_id.is_some()) else {
            continue;
        };
        let due = domain::workflow::step_due(&calendar, instant(t.received_at), &steps[first])
            .timestamp_millis();
        let name = scopes
            .iter()
            .find(|s| s.0 == template)
            .map(|s| s.4.clone())
            .unwrap_or_default();
        plans.push((t, name, first, due, template));
    }
    if plans.is_empty() {
        return Ok(());
    }
    // One row per step; 9 parameters each, in chunks well under both backends' limits.
    let mut rows = Vec::new();
    for (t, _, first, due, template) in &plans {
        for (i, s) in steps_of[template].iter().enumerate() {
            let (started, due_at, done) = if i < *first {
                (Some(t.received_at), None, Some(t.received_at))
            } else if i == *first {
                (Some(t.received_at), Some(*due), None)
            } else {
                (None, None, None)
            };
            rows.push((t.ticket_id, i as i64, s.clone(), started, due_at, done));
        }
    }
    for chunk in rows.chunks(500) {
        let mut p = Placeholders::for_conn(c);
        let sql = format!(
            "INSERT INTO ticket_steps (ticket_id, position, name, role, kind, duration, position_id, started_at, due_at, done_at) VALUES {}",
            p.rows(chunk.len(), 10)
        );
        run!(c, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, pos, s, started, due, done) in chunk {
                q = q.bind(*id).bind(*pos).bind(s.name.clone()).bind(s.role.as_str())
                    .bind(s.kind.as_str()).bind(s.duration.to_string()).bind(s.position_id).bind(*started).bind(*due).bind(*done);
            }
            q.execute(x).await?.rows_affected()
        });
    }
    for chunk in plans.chunks(300) {
        let mut p = Placeholders::for_conn(c);
        let mut case = |n: usize| -> String {
            (0..n)
                .map(|_| format!(" WHEN {} THEN {}", p.next(), p.next()))
                .collect()
        };
        let names = case(chunk.len());
        let positions = case(chunk.len());
        let dues = case(chunk.len());
        let sql = format!(
            "UPDATE tickets SET workflow_name = CASE id{names} END, step_position = CASE id{positions} END,
             step_due_at = CASE id{dues} END WHERE id IN ({})",
            p.list(chunk.len())
        );
        run!(c, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (t, name, _, _, _) in chunk {
                q = q.bind(t.ticket_id).bind(name.clone());
            }
            for (t, _, first, _, _) in chunk {
                q = q.bind(t.ticket_id).bind(*first as i64);
            }
            for (t, _, _, due, _) in chunk {
                q = q.bind(t.ticket_id).bind(*due);
            }
            for (t, _, _, _, _) in chunk {
                q = q.bind(t.ticket_id);
            }
            q.execute(x).await?.rows_affected()
        });
    }
    Ok(())
}

async fn load_steps(c: &mut C<'_>, ticket_id: i64) -> Result<Vec<TicketStep>> {
    Ok(run!(c, x => sqlx::query_as::<_, TicketStep>(
        "SELECT position, name, role, kind, duration, position_id, started_at, due_at, done_at, breached_at
         FROM ticket_steps WHERE ticket_id = $1 ORDER BY position"
    ).bind(ticket_id).fetch_all(x).await?))
}

fn domain_steps(steps: &[TicketStep]) -> Result<Vec<Step>> {
    steps
        .iter()
        .map(|s| {
            Ok(Step {
                name: s.name.clone(),
                role: s.role,
                kind: s.kind,
                duration: parse_duration(&s.name, &s.duration)?,
                position_id: s.position_id,
            })
        })
        .collect()
}

async fn current_position(c: &mut C<'_>, ticket_id: i64) -> Result<Option<i64>> {
    Ok(run!(c, x => sqlx::query_scalar::<_, Option<i64>>(
        "SELECT step_position FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_optional(x).await?)
    .flatten())
}

/// Makes `position` the current step from `now` (or ends the workflow with `None`); the
/// ticket may be escalated again for the new step.
async fn set_current(
    c: &mut C<'_>,
    ticket_id: i64,
    steps: &[TicketStep],
    position: Option<i64>,
    now: i64,
) -> Result<()> {
    let step = position.and_then(|p| steps.iter().find(|s| s.position == p));
    let due = match step {
        Some(s) => {
            let calendar = crate::calendar::deadlines(c).await?.calendar;
            let duration: Duration = s.duration.parse().map_err(invalid)?;
            Some(
                calendar
                    .checked_add(instant(now), duration)
                    .map(|d| d.timestamp_millis())
                    .unwrap_or(i64::MAX),
            )
        }
        None => None,
    };
    let position = step.map(|s| s.position);
    if let Some(p) = position {
        run!(c, x => sqlx::query(
            "UPDATE ticket_steps SET started_at = $1, due_at = $2, done_at = NULL, done_by = NULL, breached_at = NULL
             WHERE ticket_id = $3 AND position = $4"
        ).bind(now).bind(due).bind(ticket_id).bind(p).execute(x).await?.rows_affected());
    }
    run!(c, x => sqlx::query(
        "UPDATE tickets SET step_position = $1, step_due_at = $2, sla_breached_at = NULL WHERE id = $3"
    ).bind(position).bind(due).bind(ticket_id).execute(x).await?.rows_affected());
    Ok(())
}

/// `done` happened on the ticket: the first step of that kind from the current one on is
/// completed (with the steps before it) and the next step starts. Returns whether a step was
/// completed.
pub async fn advance(
    c: &mut C<'_>,
    ticket_id: i64,
    done: StepKind,
    actor_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    let Some(current) = current_position(c, ticket_id).await? else {
        return Ok(false);
    };
    let steps = load_steps(c, ticket_id).await?;
    let domain_steps = domain_steps(&steps)?;
    let Some(index) = steps.iter().position(|s| s.position == current) else {
        return Ok(false);
    };
    let Some(target) = domain::workflow::completes(&domain_steps, index, done) else {
        return Ok(false);
    };
    let last = steps[target].position;
    run!(c, x => sqlx::query(
        "UPDATE ticket_steps SET done_at = $1, done_by = $2, started_at = COALESCE(started_at, $1)
         WHERE ticket_id = $3 AND position >= $4 AND position <= $5 AND done_at IS NULL"
    ).bind(now).bind(actor_id).bind(ticket_id).bind(current).bind(last).execute(x).await?.rows_affected());
    let next = steps.get(target + 1).map(|s| s.position);
    set_current(c, ticket_id, &steps, next, now).await?;
    Ok(true)
}

/// The ticket was reopened: its workflow runs again from the agency's first step (a forward
/// by the secretariat stays done), with fresh deadlines from `now`. The timeline keeps the
/// first run.
pub async fn restart(c: &mut C<'_>, ticket_id: i64, now: i64) -> Result<()> {
    let steps = load_steps(c, ticket_id).await?;
    if steps.is_empty() {
        return Ok(());
    }
    let domain_steps = domain_steps(&steps)?;
    let has_agency: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT agency_id FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_one(x).await?);
    let Some(first) = domain::workflow::first_step(&domain_steps, has_agency.is_some()) else {
        return Ok(());
    };
    let from = steps[first].position;
    run!(c, x => sqlx::query(
        "UPDATE ticket_steps SET started_at = NULL, due_at = NULL, done_at = NULL, done_by = NULL, breached_at = NULL
         WHERE ticket_id = $1 AND position > $2"
    ).bind(ticket_id).bind(from).execute(x).await?.rows_affected());
    set_current(c, ticket_id, &steps, Some(from), now).await
}

/// The ticket was disposed to a liaison officer: completes the `dispose` step. Assigning a
/// ticket to a liaison officer calls it for now; the dispositions work calls it too.
pub async fn ticket_disposed(
    c: &mut C<'_>,
    ticket_id: i64,
    actor_id: Option<i64>,
    now: i64,
) -> Result<bool> {
    advance(c, ticket_id, StepKind::Dispose, actor_id, now).await
}

/// The ticket was assigned to `user_id`: a liaison officer means it was disposed.
pub async fn ticket_assigned(
    c: &mut C<'_>,
    ticket_id: i64,
    user_id: i64,
    actor_id: Option<i64>,
    now: i64,
) -> Result<()> {
    let role: Option<String> = run!(c, x => sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(x).await?);
    if role.as_deref() == Some(Role::LiaisonOfficer.as_str()) {
        ticket_disposed(c, ticket_id, actor_id, now).await?;
    }
    Ok(())
}

/// The ticket was answered directly, declined or closed: the workflow ends. A direct answer
/// completes the remaining steps; a decline or close leaves them undone.
pub async fn end(
    c: &mut C<'_>,
    ticket_id: i64,
    completed: bool,
    actor_id: Option<i64>,
    now: i64,
) -> Result<()> {
    if current_position(c, ticket_id).await?.is_none() {
        return Ok(());
    }
    if completed {
        run!(c, x => sqlx::query(
            "UPDATE ticket_steps SET done_at = $1, done_by = $2 WHERE ticket_id = $3 AND done_at IS NULL"
        ).bind(now).bind(actor_id).bind(ticket_id).execute(x).await?.rows_affected());
    }
    run!(c, x => sqlx::query("UPDATE tickets SET step_position = NULL, step_due_at = NULL WHERE id = $1")
        .bind(ticket_id).execute(x).await?.rows_affected());
    Ok(())
}

/// Whether the ticket's workflow still has an approval step ahead (answers are drafted).
pub async fn requires_approval(c: &mut C<'_>, ticket_id: i64) -> Result<bool> {
    undone(c, ticket_id, "'approve'").await
}

/// Whether a direct answer is refused: an approval, or the sending of an approved answer,
/// is still ahead.
pub async fn blocks_direct_answer(c: &mut C<'_>, ticket_id: i64) -> Result<bool> {
    undone(c, ticket_id, "'approve', 'send'").await
}

async fn undone(c: &mut C<'_>, ticket_id: i64, kinds: &'static str) -> Result<bool> {
    if current_position(c, ticket_id).await?.is_none() {
        return Ok(false);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM ticket_steps WHERE ticket_id = $1 AND kind IN ({kinds}) AND done_at IS NULL"
    );
    let pending: i64 = run!(c, x => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(ticket_id).fetch_one(x).await?);
    Ok(pending > 0)
}

/// A stopped clock restarted: the current step's deadline moves like the ticket's.
pub async fn resume_step_clock(
    c: &mut C<'_>,
    ticket_id: i64,
    deadlines: &crate::calendar::Deadlines,
    paused_at: i64,
    now: i64,
) -> Result<()> {
    let row: Option<(Option<i64>, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT step_position, step_due_at FROM tickets WHERE id = $1"
    ).bind(ticket_id).fetch_optional(x).await?);
    let Some((Some(position), Some(due))) = row else {
        return Ok(());
    };
    let moved = deadlines.resumed_due(paused_at, due, now);
    run!(c, x => sqlx::query("UPDATE tickets SET step_due_at = $1 WHERE id = $2")
        .bind(moved).bind(ticket_id).execute(x).await?.rows_affected());
    run!(c, x => sqlx::query("UPDATE ticket_steps SET due_at = $1 WHERE ticket_id = $2 AND position = $3")
        .bind(moved).bind(ticket_id).bind(position).execute(x).await?.rows_affected());
    Ok(())
}

/// The current step's name and position when the ticket is escalated; marks it breached.
pub async fn mark_breached(
    c: &mut C<'_>,
    ticket_id: i64,
    now: i64,
) -> Result<Option<(i64, String)>> {
    let step: Option<(i64, String)> = run!(c, x => sqlx::query_as(
        "SELECT s.position, s.name FROM tickets t JOIN ticket_steps s ON s.ticket_id = t.id AND s.position = t.step_position
         WHERE t.id = $1"
    ).bind(ticket_id).fetch_optional(x).await?);
    if let Some((position, _)) = &step {
        run!(c, x => sqlx::query("UPDATE ticket_steps SET breached_at = $1 WHERE ticket_id = $2 AND position = $3")
            .bind(now).bind(ticket_id).bind(*position).execute(x).await?.rows_affected());
    }
    Ok(step)
}

fn parse_steps(steps: &[Step]) -> Result<()> {
    domain::workflow::validate(steps).map_err(invalid)
}

/// The locked ticket's fields the approval actions need.
struct Locked {
    agency_id: Option<i64>,
    status: TicketStatus,
}

async fn lock_ticket(c: &mut C<'_>, actor: &Access, ticket_id: i64) -> Result<Locked> {
    if !actor.can_somewhere(Capability::Handle) {
        return Err(StoreError::Forbidden);
    }
    let sql = format!(
        "SELECT agency_id, status FROM tickets WHERE id = $1{}",
        c.for_update()
    );
    let (agency_id, status): (Option<i64>, String) =
        run!(c, x => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ticket_id).fetch_optional(x).await?)
        .ok_or(StoreError::NotFound)?;
    let agency = agency_id.map(AgencyId);
    if !actor.sees(agency) {
        return Err(StoreError::NotFound);
    }
    if !actor.can(Capability::Handle, agency) {
        return Err(StoreError::Forbidden);
    }
    Ok(Locked {
        agency_id,
        status: TicketStatus::parse(&status).unwrap_or(TicketStatus::Open),
    })
}

impl Db {
    /// Templates with their steps, by name.
    pub async fn workflow_templates(&self) -> Result<Vec<Template>> {
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        type Row = (
            i64,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            bool,
        );
        let rows: Vec<Row> = run!(&mut c, x => sqlx::query_as(
            "SELECT w.id, w.name, w.agency_id, a.name, w.category, w.is_default FROM workflow_templates w
             LEFT JOIN agencies a ON a.id = w.agency_id ORDER BY w.name"
        ).fetch_all(x).await?);
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, agency_id, agency_name, category, is_default) in rows {
            out.push(Template {
                steps: template_steps(&mut c, id).await?,
                id,
                name,
                agency_id,
                agency_name,
                category,
                is_default,
            });
        }
        Ok(out)
    }

    pub async fn workflow_template(&self, id: i64) -> Result<Template> {
        self.workflow_templates()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(StoreError::NotFound)
    }

    async fn save_template(&self, id: Option<i64>, input: &TemplateInput) -> Result<i64> {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(StoreError::Refused(domain::Refusal::FieldRequired(
                domain::Field::TemplateName,
            )));
        }
        parse_steps(&input.steps)?;
        let category = input
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        let clash: Option<String> = run!(&mut c, x => sqlx::query_scalar(
            "SELECT name FROM workflow_templates WHERE (COALESCE(agency_id, 0) = $1 AND COALESCE(category, '') = $2
             AND ($3 OR $4)) AND id <> $5"
        ).bind(input.agency_id.unwrap_or(0)).bind(category.unwrap_or("")).bind(input.agency_id.is_some())
            .bind(category.is_some()).bind(id.unwrap_or(0)).fetch_optional(x).await?);
        if let Some(other) = clash {
            return Err(StoreError::Refused(domain::Refusal::TemplateOverlaps(
                other,
            )));
        }
        if input.is_default {
            run!(&mut c, x => sqlx::query("UPDATE workflow_templates SET is_default = FALSE WHERE is_default AND id <> $1")
                .bind(id.unwrap_or(0)).execute(x).await?.rows_affected());
        }
        let now = now_ms();
        let result = match id {
            Some(id) => {
                let n = run!(&mut c, x => sqlx::query(
                    "UPDATE workflow_templates SET name = $1, agency_id = $2, category = $3, is_default = $4, updated_at = $5 WHERE id = $6"
                ).bind(name).bind(input.agency_id).bind(category).bind(input.is_default).bind(now).bind(id)
                    .execute(x).await.map(|r| r.rows_affected()));
                match n {
                    Ok(0) => return Err(StoreError::NotFound),
                    Ok(_) => Ok(id),
                    Err(e) => Err(e),
                }
            }
            None => run!(&mut c, x => sqlx::query_scalar::<_, i64>(
                "INSERT INTO workflow_templates (name, agency_id, category, is_default, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
            ).bind(name).bind(input.agency_id).bind(category).bind(input.is_default).bind(now).fetch_one(x).await),
        };
        let id = match result {
            Ok(id) => id,
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Refused(domain::Refusal::Taken(
                    domain::Taken::TemplateName(name.to_string()),
                )));
            }
            Err(e) => {
                tracing::info!("workflow template refused: {e}");
                return Err(StoreError::Refused(
                    domain::Refusal::UnknownAgencyOrCategory,
                ));
            }
        };
        run!(&mut c, x => sqlx::query("DELETE FROM workflow_steps WHERE template_id = $1")
            .bind(id).execute(x).await?.rows_affected());
        let mut p = Placeholders::for_conn(&c);
        let sql = format!(
            "INSERT INTO workflow_steps (template_id, position, name, role, kind, duration, position_id) VALUES {}",
            p.rows(input.steps.len(), 7)
        );
        run!(&mut c, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, s) in input.steps.iter().enumerate() {
                q = q.bind(id).bind(i as i64).bind(s.name.trim().to_string()).bind(s.role.as_str())
                    .bind(s.kind.as_str()).bind(s.duration.to_string()).bind(s.position_id);
            }
            q.execute(x).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a template (admin); tickets received from now on may follow it.
    pub async fn create_workflow_template(&self, input: &TemplateInput) -> Result<i64> {
        self.save_template(None, input).await
    }

    /// Changes a template; tickets already following it keep their copy of the steps.
    pub async fn update_workflow_template(&self, id: i64, input: &TemplateInput) -> Result<()> {
        self.save_template(Some(id), input).await.map(|_| ())
    }

    pub async fn delete_workflow_template(&self, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut c = tx.c();
        run!(&mut c, x => sqlx::query("DELETE FROM workflow_steps WHERE template_id = $1")
            .bind(id).execute(x).await?.rows_affected());
        let n = run!(&mut c, x => sqlx::query("DELETE FROM workflow_templates WHERE id = $1")
            .bind(id).execute(x).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    /// The ticket's workflow (the caller has checked the actor may see the ticket).
    pub async fn ticket_workflow(&self, ticket_id: i64) -> Result<TicketWorkflow> {
        let mut conn = self.conn().await?;
        let mut c = conn.c();
        let (template, current, current_due_at): (Option<String>, Option<i64>, Option<i64>) =
            run!(&mut c, x => sqlx::query_as(
            "SELECT workflow_name, step_position, step_due_at FROM tickets WHERE id = $1"
        ).bind(ticket_id).fetch_optional(x).await?)
            .ok_or(StoreError::NotFound)?;
        Ok(TicketWorkflow {
            template,
            current,
            current_due_at,
            steps: load_steps(&mut c, ticket_id).await?,
        })
    }

    /// Every version of the ticket's drafted answers, oldest first.
    pub async fn answer_drafts(&self, ticket_id: i64) -> Result<Vec<AnswerDraft>> {
        let mut conn = self.conn().await?;
        Ok(run!(&mut conn.c(), x => sqlx::query_as::<_, AnswerDraft>(
            "SELECT d.id, d.version, d.body, d.author_id, a.full_name AS author_name, d.created_at, d.status,
                    r.full_name AS reviewer_name, d.reviewed_at, d.comment
             FROM answer_drafts d LEFT JOIN users a ON a.id = d.author_id LEFT JOIN users r ON r.id = d.reviewer_id
             WHERE d.ticket_id = $1 ORDER BY d.version"
        ).bind(ticket_id).fetch_all(x).await?))
    }
}

/// Who acts in the ticket's step of `kind`: its role (head of agency by default for the
/// approval) and, when the template names one, the position.
async fn step_actor(c: &mut C<'_>, ticket_id: i64, kind: &str) -> Result<(Role, Option<i64>)> {
    let row: Option<(String, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT role, position_id FROM ticket_steps WHERE ticket_id = $1 AND kind = $2 ORDER BY position LIMIT 1"
    ).bind(ticket_id).bind(kind).fetch_optional(x).await?);
    let (role, position) = row.unwrap_or_default();
    Ok((Role::parse(&role).unwrap_or(Role::HeadOfAgency), position))
}

/// Whether the actor acts in a step for `role` (and `position`, when set) on a ticket of
/// `agency`, with their own authority or the one they stand in for; the admin may.
fn may_act(actor: &Access, agency: Option<i64>, (role, position): (Role, Option<i64>)) -> bool {
    actor
        .step_authority(agency.map(AgencyId), role, position.map(PositionId))
        .is_some()
}

async fn pending_draft(c: &mut C<'_>, ticket_id: i64) -> Result<(i64, i64, String)> {
    let row: Option<(i64, i64, String)> = run!(c, x => sqlx::query_as(
        "SELECT id, version, body FROM answer_drafts WHERE ticket_id = $1 AND status = 'pending' ORDER BY version DESC LIMIT 1"
    ).bind(ticket_id).fetch_optional(x).await?);
    row.ok_or(StoreError::Refused(domain::Refusal::NoPendingDraft))
}

/// An approved answer, ready to go to the reporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    pub version: i64,
    pub body: String,
}

/// The approved version went to the reporter: the draft is sent, the `send` step done and the
/// workflow ends (the caller records the answer itself).
pub async fn approved_answer_sent(
    c: &mut C<'_>,
    ticket_id: i64,
    version: i64,
    actor_id: i64,
    now: i64,
) -> Result<()> {
    run!(c, x => sqlx::query("UPDATE answer_drafts SET status = 'sent' WHERE ticket_id = $1 AND version = $2")
        .bind(ticket_id).bind(version).execute(x).await?.rows_affected());
    advance(c, ticket_id, StepKind::Send, Some(actor_id), now).await?;
    end(c, ticket_id, true, Some(actor_id), now).await
}

// Commands: the application layer holds the transaction and does what they return.

/// Drafts an answer for approval (only when the ticket's workflow has an approval step).
pub async fn draft_answer(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
    body: &str,
    now: i64,
) -> Result<Vec<i64>> {
    if body.trim().is_empty() {
        return Err(StoreError::Refused(domain::Refusal::FieldRequired(
            domain::Field::Answer,
        )));
    }
    let t = lock_ticket(c, actor, ticket_id).await?;
    Action::Answer
        .apply(t.status)
        .map_err(|_| StoreError::Refused(domain::Refusal::NotInStatus(t.status)))?;
    if !requires_approval(c, ticket_id).await? {
        return Err(StoreError::Refused(domain::Refusal::NoApprovalStep));
    }
    let latest: Option<(i64, String)> = run!(c, x => sqlx::query_as(
        "SELECT version, status FROM answer_drafts WHERE ticket_id = $1 ORDER BY version DESC LIMIT 1"
    ).bind(ticket_id).fetch_optional(x).await?);
    if let Some((_, status)) = &latest
        && matches!(status.as_str(), "pending" | "approved")
    {
        return Err(StoreError::Refused(domain::Refusal::DraftInProgress));
    }
    let version = latest.map(|(v, _)| v + 1).unwrap_or(1);
    run!(c, x => sqlx::query(
        "INSERT INTO answer_drafts (ticket_id, version, body, author_id, created_at, status) VALUES ($1, $2, $3, $4, $5, 'pending')"
    ).bind(ticket_id).bind(version).bind(body).bind(actor.user().get()).bind(now).execute(x).await?.rows_affected());
    append_event(
        c,
        ticket_id,
        EventKind::AnswerDrafted,
        Some(actor.user().get()),
        body,
        &serde_json::json!({ "version": version }),
        now,
    )
    .await?;
    advance(c, ticket_id, StepKind::Draft, Some(actor.user().get()), now).await?;
    // The approvers of the agency learn that a draft waits for them.
    let (role, position) = step_actor(c, ticket_id, "approve").await?;
    if let Some(agency) = t.agency_id {
        let approvers: Vec<i64> = run!(c, x => sqlx::query_scalar(
            "SELECT id FROM users WHERE active AND role = $1 AND agency_id = $2 AND id <> $3
             AND ($4 = 0 OR position_id = $4) ORDER BY id"
        ).bind(role.as_str()).bind(agency).bind(actor.user().get()).bind(position.unwrap_or(0)).fetch_all(x).await?);
        return Ok(approvers);
    }
    Ok(Vec::new())
}

/// Approves the pending draft, optionally edited by the approver (the edit is recorded and
/// both versions kept). The approved answer goes to the reporter unless the workflow has a
/// `send` step, which then sends it.
pub async fn approve_answer(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
    edited: Option<&str>,
    now: i64,
) -> Result<Option<Approved>> {
    let t = lock_ticket(c, actor, ticket_id).await?;
    let approver = step_actor(c, ticket_id, "approve").await?;
    if !may_act(actor, t.agency_id, approver) {
        return Err(StoreError::Forbidden);
    }
    let (draft_id, version, body) = pending_draft(c, ticket_id).await?;
    let mut approved = body.clone();
    let mut approved_version = version;
    match edited.map(str::trim) {
        Some("") => {
            return Err(StoreError::Refused(domain::Refusal::FieldRequired(
                domain::Field::Answer,
            )));
        }
        Some(new) if new != body.trim() => {
            approved = new.to_string();
            approved_version = version + 1;
            run!(c, x => sqlx::query(
                "UPDATE answer_drafts SET status = 'edited', reviewer_id = $1, reviewed_at = $2 WHERE id = $3"
            ).bind(actor.user().get()).bind(now).bind(draft_id).execute(x).await?.rows_affected());
            run!(c, x => sqlx::query(
                "INSERT INTO answer_drafts (ticket_id, version, body, author_id, created_at, status, reviewer_id, reviewed_at)
                 VALUES ($1, $2, $3, $4, $5, 'approved', $4, $5)"
            ).bind(ticket_id).bind(approved_version).bind(&approved).bind(actor.user().get()).bind(now)
                .execute(x).await?.rows_affected());
            append_event(
                c,
                ticket_id,
                EventKind::AnswerEdited,
                Some(actor.user().get()),
                &approved,
                &serde_json::json!({ "from_version": version, "to_version": approved_version, "previous": body }),
                now,
            )
            .await?;
        }
        _ => {
            run!(c, x => sqlx::query(
                "UPDATE answer_drafts SET status = 'approved', reviewer_id = $1, reviewed_at = $2 WHERE id = $3"
            ).bind(actor.user().get()).bind(now).bind(draft_id).execute(x).await?.rows_affected());
        }
    }
    append_event(
        c,
        ticket_id,
        EventKind::AnswerApproved,
        Some(actor.user().get()),
        "",
        &serde_json::json!({ "version": approved_version }),
        now,
    )
    .await?;
    advance(
        c,
        ticket_id,
        StepKind::Approve,
        Some(actor.user().get()),
        now,
    )
    .await?;
    let waits_for_send: i64 = run!(c, x => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_steps WHERE ticket_id = $1 AND kind = 'send' AND done_at IS NULL"
    ).bind(ticket_id).fetch_one(x).await?);
    Ok((waits_for_send == 0).then_some(Approved {
        version: approved_version,
        body: approved,
    }))
}

pub async fn return_answer(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
    comment: &str,
    now: i64,
) -> Result<Option<i64>> {
    if comment.trim().is_empty() {
        return Err(StoreError::Refused(domain::Refusal::FieldRequired(
            domain::Field::ReturnComment,
        )));
    }
    let t = lock_ticket(c, actor, ticket_id).await?;
    let approver = step_actor(c, ticket_id, "approve").await?;
    if !may_act(actor, t.agency_id, approver) {
        return Err(StoreError::Forbidden);
    }
    let (draft_id, version, _) = pending_draft(c, ticket_id).await?;
    run!(c, x => sqlx::query(
        "UPDATE answer_drafts SET status = 'returned', reviewer_id = $1, reviewed_at = $2, comment = $3 WHERE id = $4"
    ).bind(actor.user().get()).bind(now).bind(comment.trim()).bind(draft_id).execute(x).await?.rows_affected());
    append_event(
        c,
        ticket_id,
        EventKind::AnswerReturned,
        Some(actor.user().get()),
        comment.trim(),
        &serde_json::json!({ "version": version }),
        now,
    )
    .await?;
    // Back to the draft step: it and the approval are to be done again.
    let steps = load_steps(c, ticket_id).await?;
    if let Some(draft) = steps.iter().find(|s| s.kind == StepKind::Draft) {
        run!(c, x => sqlx::query(
            "UPDATE ticket_steps SET done_at = NULL, done_by = NULL, started_at = NULL, due_at = NULL
             WHERE ticket_id = $1 AND position > $2"
        ).bind(ticket_id).bind(draft.position).execute(x).await?.rows_affected());
        set_current(c, ticket_id, &steps, Some(draft.position), now).await?;
    }
    let author: Option<Option<i64>> = run!(c, x => sqlx::query_scalar(
        "SELECT author_id FROM answer_drafts WHERE id = $1"
    ).bind(draft_id).fetch_optional(x).await?);
    if let Some(Some(author)) = author
        && author != actor.user().get()
    {
        return Ok(Some(author));
    }
    Ok(None)
}

/// Sends the approved answer to the reporter (the workflow's `send` step).
pub async fn send_approved_answer(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
) -> Result<Approved> {
    let t = lock_ticket(c, actor, ticket_id).await?;
    let role: Option<(String, Option<i64>)> = run!(c, x => sqlx::query_as(
        "SELECT role, position_id FROM ticket_steps WHERE ticket_id = $1 AND kind = 'send' AND done_at IS NULL"
    ).bind(ticket_id).fetch_optional(x).await?);
    let Some((role, position)) = role else {
        return Err(StoreError::Refused(domain::Refusal::NoSendStep));
    };
    let role = Role::parse(&role).unwrap_or(Role::Secretariat);
    if !may_act(actor, t.agency_id, (role, position)) {
        return Err(StoreError::Forbidden);
    }
    let approved: Option<(i64, String)> = run!(c, x => sqlx::query_as(
        "SELECT version, body FROM answer_drafts WHERE ticket_id = $1 AND status = 'approved' ORDER BY version DESC LIMIT 1"
    ).bind(ticket_id).fetch_optional(x).await?);
    let Some((version, body)) = approved else {
        return Err(StoreError::Refused(domain::Refusal::NoApprovedAnswer));
    };
    Ok(Approved { version, body })
}

/// Marks the current step done by hand (a `review` step: the review is finished).
pub async fn complete_step(
    c: &mut C<'_>,
    actor: &Access,
    ticket_id: i64,
    note: &str,
    now: i64,
) -> Result<()> {
    let t = lock_ticket(c, actor, ticket_id).await?;
    if t.status.is_final() {
        return Err(StoreError::Refused(domain::Refusal::TicketFinished));
    }
    let steps = load_steps(c, ticket_id).await?;
    let current = current_position(c, ticket_id).await?;
    let Some(step) = steps.iter().find(|s| Some(s.position) == current) else {
        return Err(StoreError::Refused(domain::Refusal::NoCurrentStep));
    };
    if step.kind != StepKind::Review {
        return Err(StoreError::Refused(
            domain::Refusal::StepCompletesByItsAction(step.name.clone()),
        ));
    }
    let name = step.name.clone();
    append_event(
        c,
        ticket_id,
        EventKind::StepCompleted,
        Some(actor.user().get()),
        note.trim(),
        &serde_json::json!({ "step": name }),
        now,
    )
    .await?;
    advance(
        c,
        ticket_id,
        StepKind::Review,
        Some(actor.user().get()),
        now,
    )
    .await?;
    Ok(())
}
