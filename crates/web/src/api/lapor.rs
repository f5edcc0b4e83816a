//! LAPOR! SP4N over the API: the export of answered and closed tickets to report there, and
//! recording the tracking number LAPOR! gives back.

use crate::error::ApiError;
use crate::request::{ApiPath, ApiStaff, json_body, parse_when};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use store::lapor::{LaporFilter, LaporRow};
use store::tickets::Cursor;
use utoipa::{IntoParams, ToSchema};

/// One ticket to report to LAPOR! SP4N. The reporter's identity is null for anonymous and
/// confidential tickets.
#[derive(Serialize, ToSchema)]
pub struct LaporItem {
    pub id: i64,
    pub register_number: String,
    pub tracking_code: String,
    /// `answered` or `closed`.
    pub status: String,
    pub received_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    pub category_name: Option<String>,
    pub channel: String,
    /// The citizen's words, unaltered.
    pub text: String,
    /// The latest answer; null for a ticket closed without one.
    pub answer: Option<String>,
    pub anonymous: bool,
    pub confidential: bool,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
    /// The LAPOR! tracking number, once recorded.
    pub lapor_number: Option<String>,
    pub lapor_recorded_at: Option<i64>,
}

impl From<LaporRow> for LaporItem {
    fn from(r: LaporRow) -> Self {
        LaporItem {
            id: r.id,
            register_number: r.register_number,
            tracking_code: r.tracking_code,
            status: r.status.to_string(),
            received_at: r.received_at,
            answered_at: r.answered_at,
            closed_at: r.closed_at,
            agency_code: r.agency_code,
            agency_name: r.agency_name,
            category: r.category,
            category_name: r.category_name,
            channel: r.channel.to_string(),
            text: r.text,
            answer: r.answer,
            anonymous: r.anonymous,
            confidential: r.confidential,
            reporter_name: r.reporter_name,
            reporter_phone: r.reporter_phone,
            reporter_email: r.reporter_email,
            lapor_number: r.lapor_number,
            lapor_recorded_at: r.lapor_recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LaporExport {
    pub items: Vec<LaporItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LaporQuery {
    /// Received on or after this date (`YYYY-MM-DD`, region time zone) or instant (RFC 3339).
    pub from: Option<String>,
    /// Received before the end of this date, or before this instant.
    pub to: Option<String>,
    /// Only tickets without a LAPOR! number yet.
    pub unreported: Option<bool>,
    pub cursor: Option<String>,
    /// 1–1000, default 500.
    pub limit: Option<i64>,
}

fn bad(field: &'static str, message: &str) -> ApiError {
    ApiError::Invalid(vec![domain::FieldError {
        field,
        message: message.to_string(),
    }])
}

/// Answered and closed tickets received in the range, in the caller's scope (the whole region
/// for the secretariat, admin and head of region; their agency for agency staff), oldest first.
#[utoipa::path(get, path = "/lapor", params(LaporQuery), security(("bearer" = [])),
    responses((status = 200, body = LaporExport), (status = 401), (status = 422)))]
pub async fn export(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    query: Result<Query<LaporQuery>, QueryRejection>,
) -> Result<Json<LaporExport>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let tz = state.region_tz().await;
    let when = |text: &Option<String>, field: &'static str, end: bool| match text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => Ok(None),
        Some(t) => parse_when(t, tz, end)
            .map(Some)
            .ok_or_else(|| bad(field, "tanggal tidak valid (YYYY-MM-DD)")),
    };
    let from_ms = when(&q.from, "from", false)?.unwrap_or(0);
    let to_ms = when(&q.to, "to", true)?.unwrap_or(i64::MAX);
    let after = match q.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| bad("cursor", "cursor tidak valid"))?),
        None => None,
    };
    let limit = q.limit.unwrap_or(500);
    if !(1..=1000).contains(&limit) {
        return Err(bad("limit", "limit harus 1 sampai 1000"));
    }
    let filter = LaporFilter {
        from_ms,
        to_ms,
        only_unreported: q.unreported.unwrap_or(false),
        after,
        limit: Some(limit),
    };
    let (rows, next) = state.db().lapor_page(&staff.access, &filter).await?;
    Ok(Json(LaporExport {
        items: rows.into_iter().map(LaporItem::from).collect(),
        next_cursor: next.map(|c| c.encode()),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaporNumberInput {
    /// The tracking number from LAPOR! SP4N: 1–40 letters, digits, `-` or `/`.
    pub lapor_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct LaporNumber {
    pub ticket_id: i64,
    pub lapor_number: String,
    pub lapor_recorded_at: i64,
    /// The number it replaced, if any.
    pub previous: Option<String>,
    /// False when the ticket already had this number.
    pub changed: bool,
}

/// Records the ticket's LAPOR! SP4N tracking number (secretariat and admin). The same number
/// again changes nothing; another number replaces it; a number of another ticket is a conflict.
#[utoipa::path(put, path = "/tickets/{id}/lapor", params(("id" = i64, Path)), request_body = LaporNumberInput, security(("bearer" = [])),
    responses((status = 200, body = LaporNumber), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn record(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<LaporNumberInput>, JsonRejection>,
) -> Result<Json<LaporNumber>, ApiError> {
    if !staff.reports_to_lapor() {
        return Err(ApiError::Forbidden);
    }
    let input = json_body(body)?;
    let recorded = state
        .db()
        .record_lapor_number(&staff.access, id, &input.lapor_number)
        .await
        .map_err(|e| match e {
            store::StoreError::Invalid(m) => bad("lapor_number", &m),
            other => other.into(),
        })?;
    Ok(Json(LaporNumber {
        ticket_id: id,
        lapor_number: recorded.lapor_number,
        lapor_recorded_at: recorded.lapor_recorded_at,
        previous: recorded.previous,
        changed: recorded.changed,
    }))
}
