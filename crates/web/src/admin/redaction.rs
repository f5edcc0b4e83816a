//! Admin page of the optional kinds of masking in published cases (`domain::redact::Settings`):
//! street addresses, licence plates, social-media handles and other people's names. Phones,
//! emails, ID numbers, the ticket's own codes and the reporter's name are always masked.

use crate::error::PageError;
use crate::forms::{require_admin, see_other};
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::redact::Settings;
use serde::Deserialize;

/// One switch on the page.
pub struct KindRow {
    /// The form field.
    pub name: &'static str,
    pub label: &'static str,
    pub explanation: &'static str,
    pub on: bool,
}

fn rows(settings: Settings) -> Vec<KindRow> {
    vec![
        KindRow {
            name: "addresses",
            label: "Alamat jalan",
            explanation: "Nama jalan, gang, kompleks, perumahan atau blok beserta nomor rumah \
                          (mis. \u{201c}Jl. Merdeka No. 12\u{201d}) diganti [alamat]. RT/RW saja tetap tampil.",
            on: settings.addresses,
        },
        KindRow {
            name: "plates",
            label: "Pelat nomor kendaraan",
            explanation: "Nomor polisi kendaraan (mis. \u{201c}B 1234 XYZ\u{201d}) diganti [pelat nomor].",
            on: settings.plates,
        },
        KindRow {
            name: "handles",
            label: "Akun media sosial",
            explanation: "Nama akun (\u{201c}@budi_s\u{201d}, \u{201c}ig: budi\u{201d}) dan tautan profil \
                          (\u{201c}instagram.com/budi\u{201d}) diganti [akun media sosial].",
            on: settings.handles,
        },
        KindRow {
            name: "third_party_names",
            label: "Nama pihak lain",
            explanation: "Nama orang lain yang didahului sapaan atau gelar (mis. \u{201c}Pak Joko\u{201d}, \
                          \u{201c}Bu Sri\u{201d}) diganti [nama], bukan hanya nama pelapor. Jabatan \
                          (\u{201c}Pak Lurah\u{201d}) tetap tampil.",
            on: settings.third_party_names,
        },
    ]
}

#[derive(Template)]
#[template(path = "admin/redaction.html")]
struct RedactionPage {
    nav: Nav,
    rows: Vec<KindRow>,
    flash: Option<&'static str>,
    /// The admin menu shows form problems; this form has none (a switch is on or off).
    errors: crate::forms::Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    ok: String,
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let settings = state.db().redaction_settings().await?;
    Ok(render(&RedactionPage {
        nav,
        rows: rows(settings),
        flash: (q.ok == "simpan").then_some(
            "Pengaturan penyamaran disimpan; berlaku untuk kasus yang dipublikasikan mulai sekarang.",
        ),
        errors: Default::default(),
    }))
}

/// A ticked checkbox arrives as `on`; an unticked one does not arrive.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RedactionForm {
    addresses: String,
    plates: String,
    handles: String,
    third_party_names: String,
}

pub async fn save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<RedactionForm>,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    let on = |value: &str| !value.is_empty();
    let settings = Settings {
        addresses: on(&form.addresses),
        plates: on(&form.plates),
        handles: on(&form.handles),
        third_party_names: on(&form.third_party_names),
    };
    state.db().update_redaction_settings(settings).await?;
    Ok(see_other("/admin/penyamaran?ok=simpan"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_switch_shows_its_setting() {
        let all = Settings {
            addresses: true,
            plates: false,
            handles: true,
            third_party_names: false,
        };
        let shown: Vec<(&str, bool)> = rows(all).iter().map(|r| (r.name, r.on)).collect();
        assert_eq!(
            shown,
            [
                ("addresses", true),
                ("plates", false),
                ("handles", true),
                ("third_party_names", false)
            ]
        );
    }
}
