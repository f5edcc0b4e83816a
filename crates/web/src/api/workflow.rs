//! Workflow templates and answer approval in the JSON API.

use crate::error::ApiError;
use crate::request::{ApiPath, ApiStaff, Staff, json_body};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct StepView {
    pub name: String,
    /// Role that acts: `secretariat`, `head_of_agency`, `liaison_officer`, …
    pub role: String,
    /// What completes the step: `forward`, `dispose`, `review`, `draft`, `approve`, `send`,
    /// `answer`.
    pub kind: String,
    /// e.g. `30wm`, `3wh`, `2wd` (working minutes, hours, days) or `30m`, `3h`, `1d`.
    pub duration: String,
    /// Only this position's holder acts in the step; null: anyone with the role.
    pub position_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub agency_id: Option<i64>,
    pub agency_name: Option<String>,
    pub category: Option<String>,
    /// The region default, used when no more specific template matches.
    pub is_default: bool,
    pub steps: Vec<StepView>,
}

/// The workflow templates (agency and category, then agency, then category, then the region
/// default: the most specific match applies to a new ticket).
#[utoipa::path(get, path = "/workflows", security(("bearer" = [])),
    responses((status = 200, body = [TemplateView]), (status = 401)))]
pub async fn templates(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    let list = state.db().workflow_templates().await?;
    Ok(Json(
        list.into_iter()
            .map(|t| TemplateView {
                id: t.id,
                name: t.name,
                agency_id: t.agency_id,
                agency_name: t.agency_name,
                category: t.category,
                is_default: t.is_default,
                steps: t
                    .steps
                    .into_iter()
                    .map(|s| StepView {
                        name: s.name,
                        role: s.role.as_str().into(),
                        kind: s.kind.as_str().into(),
                        duration: s.duration.to_string(),
                        position_id: s.position_id,
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TicketStepView {
    pub position: i64,
    pub name: String,
    pub role: String,
    pub kind: String,
    pub duration: String,
    /// `done`, `current` or `todo`.
    pub state: String,
    pub started_at: Option<i64>,
    /// The step's deadline in working time (set when it starts).
    pub due_at: Option<i64>,
    pub done_at: Option<i64>,
    /// When the step was escalated for passing its deadline.
    pub breached_at: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DraftView {
    pub version: i64,
    pub body: String,
    pub author_name: Option<String>,
    pub created_at: i64,
    /// `pending`, `returned`, `edited` (replaced by the approver's version), `approved`, `sent`.
    pub status: String,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<i64>,
    /// The approver's comments when returned.
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct TicketWorkflowView {
    pub ticket_id: i64,
    /// Name of the template the ticket follows; null without one.
    pub template: Option<String>,
    pub current_step: Option<i64>,
    pub current_due_at: Option<i64>,
    /// Whether an answer must be drafted and approved before it reaches the reporter.
    pub needs_approval: bool,
    pub steps: Vec<TicketStepView>,
    pub drafts: Vec<DraftView>,
}

async fn view(state: &AppState, staff: &Staff, id: i64) -> Result<TicketWorkflowView, ApiError> {
    state.db().ticket(&staff.access, id).await?;
    let flow = state.db().ticket_workflow(id).await?;
    let drafts = state.db().answer_drafts(id).await?;
    Ok(TicketWorkflowView {
        ticket_id: id,
        needs_approval: flow.needs_approval(),
        current_step: flow.current,
        current_due_at: flow.current_due_at,
        steps: flow
            .steps
            .iter()
            .map(|s| TicketStepView {
                position: s.position,
                name: s.name.clone(),
                role: s.role.as_str().to_string(),
                kind: s.kind.as_str().to_string(),
                duration: s.duration.clone(),
                state: s.state(flow.current).into(),
                started_at: s.started_at,
                due_at: s.due_at,
                done_at: s.done_at,
                breached_at: s.breached_at,
            })
            .collect(),
        template: flow.template,
        drafts: drafts
            .into_iter()
            .map(|d| DraftView {
                version: d.version,
                body: d.body,
                author_name: d.author_name,
                created_at: d.created_at,
                status: d.status.to_string(),
                reviewer_name: d.reviewer_name,
                reviewed_at: d.reviewed_at,
                comment: d.comment,
            })
            .collect(),
    })
}

type FlowResult = Result<Json<TicketWorkflowView>, ApiError>;

/// The ticket's workflow steps (done, current with its deadline, to come) and every version
/// of its drafted answers.
#[utoipa::path(get, path = "/tickets/{id}/workflow", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TicketWorkflowView), (status = 401), (status = 403), (status = 404)))]
pub async fn ticket_workflow(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> FlowResult {
    Ok(Json(view(&state, &staff, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    pub body: String,
}

/// Drafts an answer for approval (tickets whose workflow has an approval step). The answer
/// does not reach the reporter until it is approved.
#[utoipa::path(post, path = "/tickets/{id}/answer-drafts", params(("id" = i64, Path)), request_body = DraftInput, security(("bearer" = [])),
    responses((status = 200, body = TicketWorkflowView), (status = 403), (status = 404),
        (status = 409, description = "no approval step, or a draft already waits"), (status = 422)))]
pub async fn draft(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<DraftInput>, JsonRejection>,
) -> FlowResult {
    let input = json_body(body)?;
    state
        .db()
        .draft_answer(&staff.access, id, &input.body)
        .await?;
    Ok(Json(view(&state, &staff, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApproveInput {
    /// The approver's edited text; omitted or equal to the draft: approved as drafted. An edit
    /// is recorded on the timeline and both versions are kept.
    pub body: Option<String>,
}

/// Approves the pending draft, as the role of the workflow's approval step (head of agency by
/// default). The answer goes to the reporter, unless the workflow has a `send` step.
#[utoipa::path(post, path = "/tickets/{id}/answer-drafts/approve", params(("id" = i64, Path)), request_body(content = ApproveInput, description = "optional"), security(("bearer" = [])),
    responses((status = 200, body = TicketWorkflowView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ApproveInput>, JsonRejection>,
) -> FlowResult {
    let input = match body {
        Err(JsonRejection::MissingJsonContentType(_)) => ApproveInput::default(),
        other => json_body(other)?,
    };
    state
        .db()
        .approve_answer(&staff.access, id, input.body.as_deref())
        .await?;
    Ok(Json(view(&state, &staff, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    pub comment: String,
}

/// Returns the pending draft to its author with comments; the draft step starts again.
#[utoipa::path(post, path = "/tickets/{id}/answer-drafts/return", params(("id" = i64, Path)), request_body = ReturnInput, security(("bearer" = [])),
    responses((status = 200, body = TicketWorkflowView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn return_draft(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ReturnInput>, JsonRejection>,
) -> FlowResult {
    let input = json_body(body)?;
    state
        .db()
        .return_answer(&staff.access, id, &input.comment)
        .await?;
    Ok(Json(view(&state, &staff, id).await?))
}

/// Sends the approved answer to the reporter (the workflow's `send` step, e.g. the
/// secretariat in SOP Wadul).
#[utoipa::path(post, path = "/tickets/{id}/answer-drafts/send", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = TicketWorkflowView), (status = 403), (status = 404), (status = 409)))]
pub async fn send(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> FlowResult {
    state.db().send_approved_answer(&staff.access, id).await?;
    Ok(Json(view(&state, &staff, id).await?))
}
