//! Administration pages (role admin only), one file per resource: region settings, the
//! organisation tree (agencies and positions), users and roles, categories, SMS keywords,
//! templates, blocked numbers and gateways, the working-time calendar, workflows, disposition
//! instructions and redaction. Invalid input is shown on the form with 422.

mod agencies;
mod blocked_numbers;
mod calendar;
mod categories;
mod gateways;
mod instructions;
mod keywords;
mod positions;
mod redaction;
mod region;
mod sms_templates;
mod users;
mod workflows;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashSet;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(region::region_page))
        .route("/admin/wilayah", post(region::region_save))
        .route(
            "/admin/opd",
            get(agencies::agencies_page).post(agencies::agency_create),
        )
        .route(
            "/admin/opd/{id}",
            get(agencies::agency_page).post(agencies::agency_save),
        )
        .route(
            "/admin/jabatan",
            get(positions::positions_page).post(positions::position_create),
        )
        .route(
            "/admin/pengguna",
            get(users::users_page).post(users::user_create),
        )
        .route(
            "/admin/pengguna/{id}",
            get(users::user_page).post(users::user_save),
        )
        .route(
            "/admin/kategori",
            get(categories::categories_page).post(categories::category_save),
        )
        .route(
            "/admin/kata-kunci",
            get(keywords::keywords_page).post(keywords::keyword_create),
        )
        .route("/admin/kata-kunci/{id}", post(keywords::keyword_save))
        .route(
            "/admin/templat-sms",
            get(sms_templates::templates_page).post(sms_templates::template_save),
        )
        .route(
            "/admin/nomor-diblokir",
            get(blocked_numbers::blocked_page).post(blocked_numbers::block),
        )
        .route(
            "/admin/nomor-diblokir/hapus",
            post(blocked_numbers::unblock),
        )
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
        .route(
            "/admin/alur",
            get(workflows::list_page).post(workflows::create),
        )
        .route("/admin/alur/baru", get(workflows::new_page))
        .route(
            "/admin/alur/{id}",
            get(workflows::page).post(workflows::update),
        )
        .route(
            "/admin/alur/{id}/hapus",
            get(workflows::delete_page).post(workflows::delete),
        )
        .route(
            "/admin/instruksi-disposisi",
            get(instructions::instructions_page).post(instructions::instruction_save),
        )
        .route(
            "/admin/penyamaran",
            get(redaction::page).post(redaction::save),
        )
}

fn opt(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The message shown after a successful save (`?ok=…`).
fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "wilayah" => Some("Pengaturan wilayah disimpan."),
        "opd-baru" => Some("OPD ditambahkan."),
        "opd" => Some("Perubahan OPD disimpan."),
        "jabatan" => Some("Jabatan ditambahkan."),
        "pengguna-baru" => Some("Pengguna ditambahkan."),
        "pengguna" => Some("Perubahan pengguna disimpan."),
        "kategori" => Some("Kategori disimpan."),
        "kata-kunci-baru" => Some("Kata kunci ditambahkan."),
        "kata-kunci" => Some("Perubahan kata kunci disimpan."),
        "templat" => Some("Templat SMS disimpan."),
        "blokir" => Some("Nomor diblokir."),
        "buka-blokir" => Some("Blokir nomor dicabut."),
        "instruksi" => Some("Instruksi disimpan."),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
    /// Users: text filter.
    q: Option<String>,
    /// Positions: the agency preselected in the form.
    opd: Option<String>,
    /// Categories: the code being edited.
    ubah: Option<String>,
}

/// Items in tree order (each parent before its children) with their depth. Items whose parent
/// is not among `items` are roots; any left over (a cycle in bad data) come last at depth 0.
fn tree_order<T>(
    items: &[T],
    id: impl Fn(&T) -> i64,
    parent: impl Fn(&T) -> Option<i64>,
) -> Vec<(usize, &T)> {
    let ids: HashSet<i64> = items.iter().map(&id).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    let mut stack: Vec<(usize, &T)> = items
        .iter()
        .filter(|t| parent(t).is_none_or(|p| !ids.contains(&p)))
        .rev()
        .map(|t| (0, t))
        .collect();
    loop {
        while let Some((depth, item)) = stack.pop() {
            if !seen.insert(id(item)) {
                continue;
            }
            out.push((depth, item));
            let me = id(item);
            stack.extend(
                items
                    .iter()
                    .filter(|c| parent(c) == Some(me))
                    .rev()
                    .map(|c| (depth + 1, c)),
            );
        }
        match items.iter().find(|t| !seen.contains(&id(t))) {
            Some(t) => stack.push((0, t)),
            None => break,
        }
    }
    out
}

/// The deepest level `app.css` indents (`tree-1` … `tree-8`); deeper rows stay at it.
const MAX_INDENT: usize = 8;

fn indent_label(depth: usize, label: &str) -> String {
    format!("{}{label}", "— ".repeat(depth))
}

fn checked(value: &str) -> bool {
    !value.is_empty()
}

fn parse_id(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::agencies::valid_agency_code;
    use super::categories::valid_category_code;
    use super::region::valid_logo_url;
    use super::tree_order;
    use super::users::valid_username;

    #[test]
    fn codes_and_urls() {
        assert!(valid_agency_code("DISHUB"));
        assert!(valid_agency_code("KEC-01"));
        assert!(!valid_agency_code("D"));
        assert!(!valid_agency_code("dishub"));
        assert!(!valid_agency_code("DIS HUB"));
        assert!(valid_category_code("pengaduan"));
        assert!(!valid_category_code("Pengaduan"));
        assert!(!valid_category_code("peng_aduan"));
        assert!(valid_username("penghubung.dishub"));
        assert!(!valid_username("Budi"));
        assert!(valid_logo_url(""));
        assert!(valid_logo_url("https://contoh.go.id/logo.png"));
        assert!(!valid_logo_url("javascript:alert(1)"));
        assert!(!valid_logo_url("https://"));
        assert!(!valid_logo_url("https://contoh.go.id/a b.png"));
    }

    #[test]
    fn tree_order_puts_children_under_parents_and_survives_cycles() {
        let items = [
            (1, None),
            (2, Some(3)),
            (3, Some(1)),
            (4, None),
            (5, Some(6)),
            (6, Some(5)),
        ];
        let order: Vec<(usize, i64)> = tree_order(&items, |t| t.0, |t| t.1)
            .into_iter()
            .map(|(d, t)| (d, t.0))
            .collect();
        assert_eq!(order, [(0, 1), (1, 3), (2, 2), (0, 4), (0, 5), (1, 6)]);
    }
}
