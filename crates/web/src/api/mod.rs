//! The JSON API under `/api/v1`, documented by the OpenAPI document at `/api/v1/openapi.json`.

mod actions;
mod auth;
mod cases;
pub(crate) mod dispositions;
pub mod doc;
pub(crate) mod lapor;
pub(crate) mod tickets;
mod workflow;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route(
            "/auth/token",
            post(auth::issue_token).delete(auth::revoke_token),
        )
        .route("/tickets", post(tickets::create).get(tickets::list))
        .route("/tickets/{id}", get(tickets::detail))
        .route("/tickets/{id}/forward", post(actions::forward))
        .route("/tickets/{id}/notes", post(actions::note))
        .route("/tickets/{id}/assign", post(actions::assign))
        .route("/tickets/{id}/answer", post(actions::answer))
        .route("/tickets/{id}/decline", post(actions::decline))
        .route("/tickets/{id}/close", post(actions::close))
        .route("/tickets/{id}/reopen", post(actions::reopen))
        .route("/tickets/{id}/ask", post(actions::ask))
        .route("/track/{code}", get(tickets::track))
        .route("/lapor", get(lapor::export))
        .route("/tickets/{id}/lapor", axum::routing::put(lapor::record))
        .route("/dispositions", get(dispositions::mine))
        .route("/tickets/{id}/dispositions", post(dispositions::dispose))
        .route("/dispositions/{id}/read", post(dispositions::read))
        .route("/dispositions/{id}/report", post(dispositions::report))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::detail))
        .route("/workflows", get(workflow::templates))
        .route("/tickets/{id}/workflow", get(workflow::ticket_workflow))
        .route("/tickets/{id}/answer-drafts", post(workflow::draft))
        .route(
            "/tickets/{id}/answer-drafts/approve",
            post(workflow::approve),
        )
        .route(
            "/tickets/{id}/answer-drafts/return",
            post(workflow::return_draft),
        )
        .route("/tickets/{id}/answer-drafts/send", post(workflow::send))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn openapi_json(
    State(state): State<AppState>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let catalog = state.catalog().await?;
    Ok(axum::Json(doc::document(&catalog)))
}

/// Any other path under `/api/v1`.
async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A method that a path of the API does not take; axum adds the `Allow` header.
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
