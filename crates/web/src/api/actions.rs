//! Actions on a ticket over the JSON API: forward, note, assign, answer, decline, close,
//! reopen, ask the reporter. Each answers with the ticket as it is afterwards.

use super::tickets::{TicketDetail, decline_input, detail_of};
use crate::error::ApiError;
use crate::request::json_body;
use crate::request::{ApiPath, ApiStaff, Staff};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::Deserialize;
use store::tickets::ActionInput;
use utoipa::ToSchema;

async fn act(
    state: AppState,
    staff: Staff,
    id: i64,
    input: ActionInput,
) -> Result<Json<TicketDetail>, ApiError> {
    let ticket = state.db().apply_action(&staff.access, id, &input).await?;
    Ok(Json(detail_of(&state, &staff, ticket).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardInput {
    pub agency_code: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    pub user_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    /// `sara`, `unethical`, `out_of_scope`, `duplicate` or `other`.
    pub reason: String,
    #[serde(default)]
    pub detail: String,
    /// Register number or tracking code of the original, for `duplicate`.
    pub duplicate_of: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    #[serde(default)]
    pub note: String,
}

type ActionResult = Result<Json<TicketDetail>, ApiError>;

/// Forwards the ticket to an agency (from the triage queue or between agencies).
#[utoipa::path(post, path = "/tickets/{id}/forward", params(("id" = i64, Path)), request_body = ForwardInput, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn forward(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ForwardInput>, JsonRejection>,
) -> ActionResult {
    let input = json_body(body)?;
    act(
        s,
        staff,
        id,
        ActionInput::Forward {
            agency_code: input.agency_code,
            note: input.note,
        },
    )
    .await
}

/// Adds an internal note (never shown to the public).
#[utoipa::path(post, path = "/tickets/{id}/notes", params(("id" = i64, Path)), request_body = BodyInput, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn note(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<BodyInput>, JsonRejection>,
) -> ActionResult {
    let input = json_body(body)?;
    act(s, staff, id, ActionInput::Note { body: input.body }).await
}

/// Assigns the ticket to a colleague of the handling agency.
#[utoipa::path(post, path = "/tickets/{id}/assign", params(("id" = i64, Path)), request_body = AssignInput, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn assign(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<AssignInput>, JsonRejection>,
) -> ActionResult {
    let input = json_body(body)?;
    act(
        s,
        staff,
        id,
        ActionInput::Assign {
            user_id: input.user_id,
        },
    )
    .await
}

/// Answers the reporter: shown on the tracking page and sent on the reporter's channel.
#[utoipa::path(post, path = "/tickets/{id}/answer", params(("id" = i64, Path)), request_body = BodyInput, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn answer(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<BodyInput>, JsonRejection>,
) -> ActionResult {
    let input = json_body(body)?;
    act(s, staff, id, ActionInput::Answer { body: input.body }).await
}

/// Declines the ticket with a reason (SARA, unethical, out of scope, duplicate, other).
#[utoipa::path(post, path = "/tickets/{id}/decline", params(("id" = i64, Path)), request_body = DeclineInput, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn decline(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<DeclineInput>, JsonRejection>,
) -> ActionResult {
    let input = json_body(body)?;
    let action = decline_input(&input.reason, input.detail, input.duplicate_of)?;
    act(s, staff, id, action).await
}

/// Closes the ticket.
#[utoipa::path(post, path = "/tickets/{id}/close", params(("id" = i64, Path)), request_body(content = NoteInput, description = "optional"), security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn close(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<NoteInput>, JsonRejection>,
) -> ActionResult {
    let note = optional_note(body)?;
    act(s, staff, id, ActionInput::Close { note }).await
}

/// Reopens an answered, declined or closed ticket.
#[utoipa::path(post, path = "/tickets/{id}/reopen", params(("id" = i64, Path)), request_body(content = NoteInput, description = "optional"), security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn reopen(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<NoteInput>, JsonRejection>,
) -> ActionResult {
    let note = optional_note(body)?;
    act(s, staff, id, ActionInput::Reopen { note }).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskInput {
    pub question: String,
}

/// Asks the reporter for more information on their channel; an SMS reply attaches to the ticket.
#[utoipa::path(post, path = "/tickets/{id}/ask", params(("id" = i64, Path)), request_body = AskInput, security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn ask(
    State(s): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<AskInput>, JsonRejection>,
) -> ActionResult {
    let input = json_body(body)?;
    act(
        s,
        staff,
        id,
        ActionInput::Ask {
            question: input.question,
        },
    )
    .await
}

/// A missing body is as good as an empty note.
fn optional_note(body: Result<Json<NoteInput>, JsonRejection>) -> Result<String, ApiError> {
    match body {
        Err(JsonRejection::MissingJsonContentType(_)) => Ok(String::new()),
        other => Ok(json_body(other)?.note),
    }
}
