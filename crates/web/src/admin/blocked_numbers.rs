//! Blocked numbers (nomor diblokir).

use super::{PageQuery, flash};
use crate::error::{ApiError, PageError};
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, format_time, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::PhoneNumber;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    reason: String,
}

pub struct BlockedRow {
    pub phone: String,
    pub reason: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "sms/blocked.html")]
struct BlockedPage {
    nav: Nav,
    rows: Vec<BlockedRow>,
    form: BlockForm,
    errors: Errors,
    flash: Option<&'static str>,
}

async fn blocked_view(
    state: &AppState,
    nav: Nav,
    form: BlockForm,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<BlockedPage, PageError> {
    let tz = state.region_tz().await;
    let rows = state
        .db()
        .blocked_numbers()
        .await?
        .into_iter()
        .map(|(phone, reason, at)| BlockedRow {
            phone,
            reason,
            since: format_time(at, tz),
        })
        .collect();
    Ok(BlockedPage {
        nav,
        rows,
        form,
        errors,
        flash,
    })
}

pub async fn blocked_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let page = blocked_view(
        &state,
        nav,
        BlockForm::default(),
        Errors::default(),
        flash(q.ok.as_deref()),
    )
    .await?;
    Ok(render(&page))
}

pub async fn block(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<BlockForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    form.phone = form.phone.trim().to_string();
    form.reason = form.reason.trim().to_string();
    let mut errors = Errors::default();
    if form.phone.is_empty() {
        errors.add("phone", "nomor telepon wajib diisi");
    } else if let Err(e) = PhoneNumber::parse(&form.phone) {
        errors.add("phone", e.to_string());
    }
    if form.reason.chars().count() > 200 {
        errors.add("reason", "alasan paling banyak 200 karakter");
    }
    if errors.is_empty() {
        match state.db().block_number(&form.phone, &form.reason).await {
            Ok(()) => return Ok(see_other("/admin/nomor-diblokir?ok=blokir")),
            Err(e) => errors.store(e, "phone")?,
        }
    }
    let page = blocked_view(&state, nav, form, errors, None).await?;
    Ok(invalid(&page))
}

#[derive(Debug, Default, Deserialize)]
pub struct UnblockForm {
    #[serde(default)]
    phone: String,
}

pub async fn unblock(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<UnblockForm>,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    if form.phone.trim().is_empty() {
        return Err(PageError(ApiError::Unprocessable(
            "nomor telepon wajib diisi".into(),
        )));
    }
    state.db().unblock_number(&form.phone).await?;
    Ok(see_other("/admin/nomor-diblokir?ok=buka-blokir"))
}
