//! Ticket categories.

use super::{PageQuery, checked, flash};
use crate::error::PageError;
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::org::Category;

// Categories (kategori)

#[derive(Debug, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    sort_order: String,
    /// `ubah` when editing an existing category; otherwise a new one is added.
    #[serde(default)]
    mode: String,
}

impl CategoryForm {
    pub fn is_active(&self) -> bool {
        checked(&self.active)
    }

    pub fn editing(&self) -> bool {
        self.mode == "ubah"
    }
}

/// Lowercase ASCII letters, 2 to 30 characters.
pub fn valid_category_code(code: &str) -> bool {
    (2..=30).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct CategoriesPage {
    nav: Nav,
    rows: Vec<Category>,
    form: CategoryForm,
    errors: Errors,
    flash: Option<&'static str>,
}

pub async fn categories_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state.db().categories().await?;
    let editing = q
        .ubah
        .as_deref()
        .and_then(|code| rows.iter().find(|c| c.code == code));
    let form = match editing {
        Some(c) => CategoryForm {
            code: c.code.clone(),
            name: c.name.clone(),
            active: if c.active { "on".into() } else { String::new() },
            sort_order: c.sort_order.to_string(),
            mode: "ubah".into(),
        },
        None => CategoryForm {
            active: "on".into(),
            sort_order: (rows.iter().map(|c| c.sort_order).max().unwrap_or(0) + 1).to_string(),
            ..Default::default()
        },
    };
    Ok(render(&CategoriesPage {
        nav,
        rows,
        form,
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn category_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<CategoryForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state.db().categories().await?;
    form.code = form.code.trim().to_string();
    form.name = form.name.trim().to_string();
    form.sort_order = form.sort_order.trim().to_string();
    let mut errors = Errors::default();
    let exists = rows.iter().any(|c| c.code == form.code);
    if !valid_category_code(&form.code) {
        errors.add("code", "kode kategori 2–30 huruf kecil tanpa spasi");
    } else if form.editing() && !exists {
        errors.add("code", "kategori tidak ditemukan");
    } else if !form.editing() && exists {
        errors.add("code", "kode kategori sudah ada");
    }
    if form.name.is_empty() {
        errors.add("name", "nama kategori wajib diisi");
    } else if form.name.chars().count() > 100 {
        errors.add("name", "nama kategori paling banyak 100 karakter");
    }
    let sort_order = if form.sort_order.is_empty() {
        Some(0)
    } else {
        form.sort_order
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=9999).contains(n))
    };
    if sort_order.is_none() {
        errors.add("sort_order", "urutan harus angka 0–9999");
    }
    if let (true, Some(sort_order)) = (errors.is_empty(), sort_order) {
        match state
            .db()
            .upsert_category(&form.code, &form.name, form.is_active(), sort_order)
            .await
        {
            Ok(()) => {
                state.invalidate_catalog();
                return Ok(see_other("/admin/kategori?ok=kategori"));
            }
            Err(e) => errors.store(e, "code")?,
        }
    }
    Ok(invalid(&CategoriesPage {
        nav,
        rows,
        form,
        errors,
        flash: None,
    }))
}
