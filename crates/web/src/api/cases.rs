//! Published cases over the API (public, no token): search with filters and one case.

use crate::error::ApiError;
use crate::public::cases::CaseQuery;
use crate::request::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Serialize;
use store::publication::PublishedCase;
use utoipa::ToSchema;

/// An answered complaint as published: personal data masked, no reporter contact.
#[derive(Serialize, ToSchema)]
pub struct CaseItem {
    pub id: i64,
    /// The case's public page.
    pub url: String,
    pub agency_code: Option<String>,
    pub agency_name: Option<String>,
    pub category: String,
    pub category_name: Option<String>,
    /// `YYYY-MM` of receipt (region time zone).
    pub month: String,
    /// Milliseconds since the Unix epoch.
    pub received_at: i64,
    pub answered_at: i64,
    /// Time to answer in seconds.
    pub answer_seconds: i64,
    /// Answered by the deadline; null without a deadline.
    pub on_time: Option<bool>,
    /// "Budi S."; null for an anonymous reporter.
    pub reporter: Option<String>,
    pub question: String,
    pub answer: String,
}

impl From<PublishedCase> for CaseItem {
    fn from(c: PublishedCase) -> Self {
        CaseItem {
            url: format!("/kasus/{}", c.id),
            id: c.id,
            agency_code: c.agency_code,
            agency_name: c.agency_name,
            category: c.category,
            category_name: c.category_name,
            month: c.month,
            received_at: c.received_at,
            answered_at: c.answered_at,
            answer_seconds: c.answer_ms / 1000,
            on_time: c.on_time,
            reporter: c.reporter_label,
            question: c.question,
            answer: c.answer,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseItem>,
    pub page: i64,
    /// Whether `page + 1` has more cases.
    pub has_next: bool,
}

/// Published cases, newest first, 20 per page.
#[utoipa::path(get, path = "/cases", params(CaseQuery),
    responses((status = 200, body = CaseList), (status = 400, description = "bad month or page, or control characters in the query string; problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let page = state.db().search_cases(&query.to_filter()?).await?;
    Ok(Json(CaseList {
        page: page.page,
        has_next: page.has_next,
        items: page.items.into_iter().map(CaseItem::from).collect(),
    }))
}

/// One published case.
#[utoipa::path(get, path = "/cases/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = CaseItem), (status = 404)))]
pub async fn detail(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseItem>, ApiError> {
    Ok(Json(state.db().public_case(id).await?.into()))
}
