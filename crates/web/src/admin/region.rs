//! Region settings: name, time zone and logo.

use super::{PageQuery, flash, opt};
use crate::error::PageError;
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::public::Choice;
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::org::RegionSettings;
/// The time zones of Indonesia, by their IANA name.
const ZONES: [(&str, &str); 3] = [
    ("Asia/Jakarta", "WIB — Waktu Indonesia Barat"),
    ("Asia/Makassar", "WITA — Waktu Indonesia Tengah"),
    ("Asia/Jayapura", "WIT — Waktu Indonesia Timur"),
];

// Region settings

#[derive(Debug, Default, Deserialize)]
pub struct RegionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    logo_url: String,
}

#[derive(Template)]
#[template(path = "admin/region.html")]
struct RegionPage {
    nav: Nav,
    form: RegionForm,
    zones: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

fn zones() -> Vec<Choice> {
    ZONES
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).into(),
            label: (*label).into(),
        })
        .collect()
}

/// An absolute http(s) URL without spaces, or nothing.
pub fn valid_logo_url(url: &str) -> bool {
    if url.is_empty() {
        return true;
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    }) && url.len() <= 500
}

pub async fn region_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let region = state.db().region().await?;
    Ok(render(&RegionPage {
        nav,
        form: RegionForm {
            name: region.name,
            timezone: region.timezone,
            logo_url: region.logo_url.unwrap_or_default(),
        },
        zones: zones(),
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn region_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<RegionForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let form = RegionForm {
        name: form.name.trim().to_string(),
        timezone: form.timezone.trim().to_string(),
        logo_url: form.logo_url.trim().to_string(),
    };
    let mut errors = Errors::default();
    if form.name.is_empty() {
        errors.add("name", "nama wilayah wajib diisi");
    } else if form.name.chars().count() > 120 {
        errors.add("name", "nama wilayah paling banyak 120 karakter");
    }
    if !ZONES.iter().any(|(z, _)| *z == form.timezone) {
        errors.add("timezone", "pilih zona waktu WIB, WITA atau WIT");
    }
    if !valid_logo_url(&form.logo_url) {
        errors.add(
            "logo_url",
            "URL logo harus diawali http:// atau https:// (atau dikosongkan)",
        );
    }
    if !errors.is_empty() {
        return Ok(invalid(&RegionPage {
            nav,
            form,
            zones: zones(),
            errors,
            flash: None,
        }));
    }
    let settings = RegionSettings {
        logo_url: opt(&form.logo_url),
        name: form.name,
        timezone: form.timezone,
    };
    state.db().update_region(&settings).await?;
    state.invalidate_region();
    Ok(see_other("/admin?ok=wilayah"))
}

// ---------------------------------------------------------------------------------------------
