//! HTTP for Balai: the public site, the staff pages, the JSON API and the health endpoints.
//! Handlers are thin: parse, authorise, call `store`/`domain`, render.

pub mod api;
pub mod config;
mod error;
mod extract;
pub mod mail;
mod public;
mod staff;
mod state;
mod view;

pub use config::{SmtpConfig, WebConfig};
pub use state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::csrf::CsrfLayer;

pub fn router(state: AppState) -> Router {
    let body_limit = state.config().max_body_bytes;
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .merge(public::routes())
        .merge(staff::routes())
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(body_limit))
        // Rejects cross-site form posts by Sec-Fetch-Site / Origin (browsers send them; API
        // clients and gateways do not, and the API authenticates by bearer token, not cookie).
        .layer(CsrfLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` completes. Tests bind port 0 and pass their own signal.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn health(state: axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let database = state.db().backend().as_str();
    match state.db().ping().await {
        Ok(()) => {
            axum::Json(serde_json::json!({ "status": "ok", "database": database })).into_response()
        }
        Err(e) => {
            tracing::error!("health check failed: {e}");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "unavailable", "database": database })),
            )
                .into_response()
        }
    }
}

async fn metrics() -> String {
    state::prometheus().render()
}
