//! Inbound webhooks of the SMS gateways. A gateway gets its 2xx only after the message is
//! committed; a retry with the same gateway message id changes nothing.

mod android;
mod dev;
mod kannel;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/gateway/kannel/mo", get(kannel::mo).post(kannel::mo_post))
        .route("/gateway/kannel/dlr", get(kannel::dlr).post(kannel::dlr))
        .route(
            "/gateway/android/webhook",
            axum::routing::post(android::webhook),
        )
}

/// The simulated handset of the `dev` gateway: mounted only under `balai demo`
/// (`WebConfig::simulator`), since it shows any number's conversation to anyone.
pub fn simulator_routes() -> Router<AppState> {
    Router::new()
        .route("/simulasi-sms", get(dev::page).post(dev::send))
        .route("/simulasi-sms/pesan", get(dev::messages))
}
