//! Staff pages: login, the inbox, the ticket page with its handling actions, dispositions,
//! delegations, SMS logs, reports and moderation. Administration is in `crate::admin`.

mod inbox;
pub(crate) use inbox::urlencode;
mod dashboard;
mod delegations;
mod dispositions;
mod inbound;
mod lapor;
mod login;
mod moderation;
mod profile;
mod reach;
mod reports;
mod sms;
pub(crate) use sms::counter_text;
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
        .route("/staf/dasbor", get(dashboard::page))
        .route("/staf/profil", get(profile::page).post(profile::save))
        .route("/staf/sms", get(sms::outbox_page))
        .route("/staf/sms/{id}/kirim-ulang", post(sms::resend))
        .route("/staf/sms/masuk/{id}", get(inbound::original))
        .route("/staf/lapor", get(lapor::page))
        .route("/staf/lapor.csv", get(lapor::download_csv))
        .route("/staf/lapor.json", get(lapor::download_json))
        .route("/staf/aduan/{id}/lapor", post(lapor::record))
        .route("/staf/aduan/{id}/disposisi", post(dispositions::dispose))
        .route("/staf/disposisi", get(dispositions::mine))
        .route("/staf/disposisi/{id}/baca", post(dispositions::read))
        .route("/staf/disposisi/{id}/lapor", post(dispositions::report))
        .route("/staf/profil/delegasi", post(delegations::create_own))
        .route("/staf/delegasi/{id}/akhiri", post(delegations::end))
        .route(
            "/admin/delegasi",
            get(delegations::admin_page).post(delegations::admin_create),
        )
        .route("/staf/laporan", get(reports::page))
        .route("/staf/laporan/unduh", get(reports::download))
        .route("/staf/laporan/kirim", post(reports::submit))
        .route("/staf/kasus", get(moderation::list))
        .route("/staf/kasus/{id}", get(moderation::detail))
        .route("/staf/kasus/{id}/ubah", post(moderation::edit))
        .route("/staf/kasus/{id}/tahan", post(moderation::withhold))
        .route("/staf/kasus/{id}/tampilkan", post(moderation::restore))
}
