//! Dispositions over the JSON API: "mine", dispose a ticket, mark read, report back.

use crate::error::ApiError;
use crate::request::{ApiPath, ApiStaff, json_body, parse_when};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::dispositions::{Disposition, MineCursor, MineFilter, NewDisposition};
use utoipa::{IntoParams, ToSchema};

/// One disposition: who sent the ticket to whom, with which instruction and due date.
#[derive(Serialize, ToSchema)]
pub struct DispositionItem {
    pub id: i64,
    pub ticket_id: i64,
    pub register_number: String,
    /// The disposition this one continues (none for the head's own).
    pub parent_id: Option<i64>,
    pub from_user_id: i64,
    pub from_name: String,
    /// `Plh. <position>` / `Plt. <position>` when the sender acted for another official.
    pub acting_as: Option<String>,
    pub recipient_id: i64,
    pub recipient_name: String,
    pub instruction: String,
    pub instruction_label: String,
    pub note: String,
    /// Milliseconds since the Unix epoch.
    pub due_at: i64,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub reported_at: Option<i64>,
    pub report: Option<String>,
    pub report_acting_as: Option<String>,
    /// `new`, `read` or `reported`.
    pub state: String,
    pub overdue: bool,
}

impl From<Disposition> for DispositionItem {
    fn from(d: Disposition) -> Self {
        let overdue = d.is_overdue(store::now_ms());
        let state = d.state().to_string();
        DispositionItem {
            id: d.id,
            ticket_id: d.ticket_id,
            register_number: d.register_number,
            parent_id: d.parent_id,
            from_user_id: d.from_user_id,
            from_name: d.from_name,
            acting_as: d.acting_as,
            recipient_id: d.recipient_id,
            recipient_name: d.recipient_name,
            instruction: d.instruction,
            instruction_label: d.instruction_label,
            note: d.note,
            due_at: d.due_at,
            created_at: d.created_at,
            read_at: d.read_at,
            reported_at: d.reported_at,
            report: d.report,
            report_acting_as: d.report_acting_as,
            state,
            overdue,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DispositionPage {
    pub items: Vec<DispositionItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineQuery {
    /// `all` (default), `open` (not reported), `unread` or `reported`.
    pub status: Option<String>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Dispositions addressed to the caller, and to any official the caller stands in for as
/// Plt./Plh., newest first.
#[utoipa::path(get, path = "/dispositions", params(MineQuery), security(("bearer" = [])),
    responses((status = 200, body = DispositionPage), (status = 400), (status = 401)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    query: Result<Query<MineQuery>, QueryRejection>,
) -> Result<Json<DispositionPage>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = MineFilter::parse(q.status.as_deref().unwrap_or(""))
        .ok_or_else(|| ApiError::BadRequest("status: all, open, unread atau reported".into()))?;
    let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            MineCursor::decode(c)
                .ok_or_else(|| ApiError::BadRequest("cursor tidak valid".into()))?,
        ),
        None => None,
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest("limit harus 1 sampai 200".into()));
    }
    let page = state
        .db()
        .my_dispositions(&staff.access, filter, cursor, limit)
        .await?;
    Ok(Json(DispositionPage {
        next_cursor: page.next_cursor.map(|c| c.encode()),
        items: page.items.into_iter().map(DispositionItem::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposeInput {
    /// User ids; they must be active users of the ticket's agency.
    #[serde(default)]
    pub recipients: Vec<i64>,
    /// Position ids: every active holder receives the disposition.
    #[serde(default)]
    pub positions: Vec<i64>,
    /// A code from the instruction list (`tindak_lanjuti`, `pelajari`, `siapkan_jawaban`,
    /// `koordinasikan`, `untuk_diketahui`, `lainnya`…).
    pub instruction: String,
    /// Free text; required with `lainnya`.
    #[serde(default)]
    pub note: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (end of that day, region time); default: the
    /// instruction's working-time due date.
    pub due: Option<String>,
    /// The disposition of the caller's this one continues; default: their latest on the ticket.
    pub parent_id: Option<i64>,
}

/// Disposes a ticket: the head of the ticket's agency, a holder of a disposition on it (below
/// their own), or an acting official (Plt./Plh.) for either.
#[utoipa::path(post, path = "/tickets/{id}/dispositions", params(("id" = i64, Path)), request_body = DisposeInput,
    security(("bearer" = [])),
    responses((status = 201, body = [DispositionItem]), (status = 403, description = "not allowed to dispose this ticket"),
              (status = 404), (status = 409, description = "ticket finished"), (status = 422, description = "invalid input, or a recipient or position not below the sender")))]
pub async fn dispose(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<DisposeInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Vec<DispositionItem>>), ApiError> {
    let input = json_body(body)?;
    let due_at = match input
        .due
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(text) => Some(
            parse_when(text, state.region_tz().await, true)
                .ok_or_else(|| ApiError::Unprocessable("due: tanggal tidak valid".into()))?,
        ),
        None => None,
    };
    let new = NewDisposition {
        recipients: input.recipients,
        positions: input.positions,
        instruction: input.instruction,
        note: input.note,
        due_at,
        parent_id: input.parent_id,
    };
    let made = state.db().dispose(&staff.access, id, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(made.into_iter().map(DispositionItem::from).collect()),
    ))
}

/// Marks a disposition addressed to the caller (or to the official they stand in for) read.
#[utoipa::path(post, path = "/dispositions/{id}/read", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = DispositionItem), (status = 403), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DispositionItem>, ApiError> {
    let d = state.db().read_disposition(&staff.access, id).await?;
    Ok(Json(d.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    pub report: String,
}

/// Reports back on a disposition, once; the report goes on the ticket's internal timeline.
#[utoipa::path(post, path = "/dispositions/{id}/report", params(("id" = i64, Path)), request_body = ReportInput,
    security(("bearer" = [])),
    responses((status = 200, body = DispositionItem), (status = 403), (status = 404),
              (status = 409, description = "already reported"), (status = 422)))]
pub async fn report(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<ReportInput>, JsonRejection>,
) -> Result<Json<DispositionItem>, ApiError> {
    let input = json_body(body)?;
    let d = state
        .db()
        .report_disposition(&staff.access, id, &input.report)
        .await?;
    Ok(Json(d.into()))
}
