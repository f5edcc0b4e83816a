//! HTTP for Balai: the public site, the staff pages, the JSON API and the health endpoints.
//! Handlers are thin: parse, authorise, call `store`/`domain`, render.

mod admin;
pub mod api;
mod assets;
mod client_ip;
pub mod config;
mod error;
mod forms;
mod gateway;
mod headers;
mod login_guard;
pub mod mail;
mod public;
mod request;
mod server;
pub mod sms_sink;
mod staff;
mod state;
mod texts;
mod uri_guard;
mod view;

pub use config::{SmtpConfig, WebConfig};
pub use state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub fn router(state: AppState) -> Router {
    let body_limit = state.config().max_body_bytes;
    let request_timeout = state.config().request_timeout_secs;
    let csp = headers::content_security_policy(state.config());
    let mut routes = Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .merge(assets::routes())
        .merge(public::routes())
        .merge(staff::routes())
        .merge(admin::routes())
        .merge(gateway::routes())
        .nest("/api/v1", api::routes());
    if state.config().simulator {
        routes = routes.merge(gateway::simulator_routes());
    }
    routes
        .layer(DefaultBodyLimit::max(body_limit))
        // Inside the request timeout: it reads the body of a JSON request to the API.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            uri_guard::strip_nul_from_json,
        ))
        // Bounds a request, body upload included: a trickling client gets 408.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(request_timeout.max(1)),
        ))
        .layer(axum::middleware::from_fn(
            uri_guard::refuse_control_characters,
        ))
        .layer(axum::middleware::from_fn(record_request))
        // Rejects cross-site form posts by Sec-Fetch-Site / Origin (browsers send them; API
        // clients and gateways do not, and the API authenticates by bearer token, not cookie).
        .layer(CsrfLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` completes. Tests bind port 0 and pass their own signal.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = state.config();
    let limits = server::Limits {
        header_read_timeout: Duration::from_secs(config.header_read_timeout_secs.max(1)),
        max_connections: config.max_connections,
        drain: Duration::from_secs(config.request_timeout_secs.max(1)),
    };
    server::run(listener, router(state), limits, shutdown).await
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

/// Counts requests and their latency per route pattern and status for `/metrics`.
async fn record_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("balai_http_requests_total", &labels).increment(1);
    metrics::histogram!("balai_http_request_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

async fn metrics(
    state: axum::extract::State<AppState>,
    parts: axum::http::request::Parts,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !headers::metrics_allowed(&state, &parts) {
        return (StatusCode::FORBIDDEN, "forbidden\n").into_response();
    }
    state::prometheus().render().into_response()
}
