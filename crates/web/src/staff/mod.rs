//! Staff pages: login, the inbox and the ticket page with its handling actions.

mod inbox;
mod login;
mod ticket;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/masuk", get(login::page).post(login::submit))
        .route("/keluar", post(login::logout))
        .route("/staf", get(inbox::page))
        .route("/staf/aduan/{id}", get(ticket::page))
        .route("/staf/aduan/{id}/{action}", post(ticket::act))
}
