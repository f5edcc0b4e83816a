//! Staff pages: login, the inbox, the ticket page with its handling actions and administration.

mod admin;
mod forms;
mod inbox;
pub(crate) use inbox::urlencode;
mod calendar;
mod dashboard;
mod delegations;
mod dispositions;
mod gateways;
mod inbound;
mod lapor;
mod login;
mod moderation;
mod profile;
mod reach;
mod redaction;
mod reports;
mod sms;
mod ticket;
mod workflow;

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
        .route(
            "/admin/kata-kunci",
            get(sms::keywords_page).post(sms::keyword_create),
        )
        .route("/admin/kata-kunci/{id}", post(sms::keyword_save))
        .route(
            "/admin/templat-sms",
            get(sms::templates_page).post(sms::template_save),
        )
        .route(
            "/admin/nomor-diblokir",
            get(sms::blocked_page).post(sms::block),
        )
        .route("/admin/nomor-diblokir/hapus", post(sms::unblock))
        .route(
            "/admin/gateway-sms",
            get(gateways::page).post(gateways::save),
        )
        .route("/admin/gateway-sms/hapus", post(gateways::delete))
        .route(
            "/admin/kalender",
            get(calendar::page).post(calendar::save_settings),
        )
        .route("/admin/kalender/libur", post(calendar::add_holidays))
        .route(
            "/admin/kalender/libur/hapus",
            post(calendar::delete_holiday),
        )
        .route("/staf/dasbor", get(dashboard::page))
        .route(
            "/admin/alur",
            get(workflow::list_page).post(workflow::create),
        )
        .route("/admin/alur/baru", get(workflow::new_page))
        .route(
            "/admin/alur/{id}",
            get(workflow::page).post(workflow::update),
        )
        .route(
            "/admin/alur/{id}/hapus",
            get(workflow::delete_page).post(workflow::delete),
        )
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
        .route(
            "/admin/instruksi-disposisi",
            get(delegations::instructions_page).post(delegations::instruction_save),
        )
        .route(
            "/admin/penyamaran",
            get(redaction::page).post(redaction::save),
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
