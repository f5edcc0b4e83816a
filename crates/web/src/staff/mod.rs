//! Staff pages: login, the inbox, the ticket page with its handling actions and administration.

mod admin;
mod inbox;
pub(crate) use inbox::urlencode;
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
        .route("/admin", get(admin::region_page))
        .route("/admin/wilayah", post(admin::region_save))
        .route(
            "/admin/opd",
            get(admin::agencies_page).post(admin::agency_create),
        )
        .route(
            "/admin/opd/{id}",
            get(admin::agency_page).post(admin::agency_save),
        )
        .route(
            "/admin/jabatan",
            get(admin::positions_page).post(admin::position_create),
        )
        .route(
            "/admin/pengguna",
            get(admin::users_page).post(admin::user_create),
        )
        .route(
            "/admin/pengguna/{id}",
            get(admin::user_page).post(admin::user_save),
        )
        .route(
            "/admin/kategori",
            get(admin::categories_page).post(admin::category_save),
        )
}
