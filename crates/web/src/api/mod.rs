//! The JSON API under `/api/v1`, documented by the OpenAPI document at `/api/v1/openapi.json`.

mod auth;
mod cases;
pub(crate) mod dispositions;
pub(crate) mod lapor;
pub(crate) mod tickets;
mod workflow;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route(
            "/auth/token",
            post(auth::issue_token).delete(auth::revoke_token),
        )
        .route("/tickets", post(tickets::create).get(tickets::list))
        .route("/tickets/{id}", get(tickets::detail))
        .route("/tickets/{id}/forward", post(tickets::forward))
        .route("/tickets/{id}/notes", post(tickets::note))
        .route("/tickets/{id}/assign", post(tickets::assign))
        .route("/tickets/{id}/answer", post(tickets::answer))
        .route("/tickets/{id}/decline", post(tickets::decline))
        .route("/tickets/{id}/close", post(tickets::close))
        .route("/tickets/{id}/reopen", post(tickets::reopen))
        .route("/tickets/{id}/ask", post(tickets::ask))
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
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Balai API", version = "1", description = "Pengaduan masyarakat: intake, tracking and handling."),
    servers((url = "/api/v1")),
    paths(
        auth::issue_token, auth::revoke_token,
        tickets::create, tickets::list, tickets::detail, tickets::track,
        tickets::forward, tickets::note, tickets::assign, tickets::answer, tickets::decline, tickets::close, tickets::reopen, tickets::ask,
        lapor::export, lapor::record,
        dispositions::mine, dispositions::dispose, dispositions::read, dispositions::report,
        cases::list, cases::detail,
        workflow::templates, workflow::ticket_workflow, workflow::draft, workflow::approve,
        workflow::return_draft, workflow::send,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
