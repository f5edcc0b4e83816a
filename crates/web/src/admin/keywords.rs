//! SMS keywords (kata kunci) that route a message to an agency.

use super::{PageQuery, flash, parse_id};
use crate::error::{ApiError, PageError};
use crate::forms::{Errors, invalid, require_admin, see_other};
use crate::public::Choice;
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use store::org::Agency;
use store::sms::Keyword;

#[derive(Debug, Default, Deserialize)]
pub struct KeywordForm {
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    description: String,
    /// A checkbox on the edit form: "on" when ticked.
    #[serde(default)]
    active: String,
}

impl KeywordForm {
    pub fn is_active(&self) -> bool {
        !self.active.is_empty()
    }

    pub fn agency_is(&self, value: &str) -> bool {
        self.agency_id == value
    }

    fn of(k: &Keyword) -> Self {
        KeywordForm {
            keyword: k.keyword.clone(),
            agency_id: k.agency_id.to_string(),
            description: k.description.clone(),
            active: if k.active { "on".into() } else { String::new() },
        }
    }

    /// Normalises the form and checks the agency and description; the keyword itself is
    /// checked by the store.
    fn check(&mut self, agencies: &[Agency], current_agency: Option<i64>) -> (i64, Errors) {
        self.keyword = self.keyword.trim().to_uppercase();
        self.description = self.description.trim().to_string();
        self.agency_id = self.agency_id.trim().to_string();
        let mut errors = Errors::default();
        let agency = self
            .agency_id
            .parse::<i64>()
            .ok()
            .and_then(|id| agencies.iter().find(|a| a.id == id));
        let agency_id = match agency {
            Some(a) if a.active || Some(a.id) == current_agency => a.id,
            Some(_) => {
                errors.add("agency_id", "OPD ini nonaktif");
                0
            }
            None => {
                errors.add("agency_id", "pilih OPD tujuan");
                0
            }
        };
        if self.keyword.chars().count() > 30 {
            errors.add("keyword", "kata kunci paling banyak 30 karakter");
        }
        if self.description.chars().count() > 200 {
            errors.add("description", "keterangan paling banyak 200 karakter");
        }
        (agency_id, errors)
    }
}

#[derive(Template)]
#[template(path = "sms/keywords.html")]
struct KeywordsPage {
    nav: Nav,
    rows: Vec<Keyword>,
    agencies: Vec<Choice>,
    /// The create form.
    form: KeywordForm,
    /// The keyword being edited, with its form.
    editing: Option<(i64, KeywordForm)>,
    errors: Errors,
    flash: Option<&'static str>,
}

/// Active agencies as options, plus `keep` (the current agency of an edited keyword).
fn agency_choices(agencies: &[Agency], keep: Option<i64>) -> Vec<Choice> {
    agencies
        .iter()
        .filter(|a| a.active || Some(a.id) == keep)
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!(
                "{} ({}){}",
                a.name,
                a.code,
                if a.active { "" } else { " — nonaktif" }
            ),
        })
        .collect()
}

async fn keywords_view(
    state: &AppState,
    nav: Nav,
    form: KeywordForm,
    editing: Option<(i64, KeywordForm)>,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<KeywordsPage, PageError> {
    let rows = state.db().keywords().await?;
    let agencies = state.db().agencies().await?;
    let keep = editing
        .as_ref()
        .and_then(|(id, _)| rows.iter().find(|k| k.id == *id))
        .map(|k| k.agency_id);
    Ok(KeywordsPage {
        nav,
        rows,
        agencies: agency_choices(&agencies, keep),
        form,
        editing,
        errors,
        flash,
    })
}

pub async fn keywords_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let editing = match q.ubah.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let id = parse_id(text).ok_or(PageError(ApiError::NotFound))?;
            let rows = state.db().keywords().await?;
            let k = rows
                .iter()
                .find(|k| k.id == id)
                .ok_or(PageError(ApiError::NotFound))?;
            Some((id, KeywordForm::of(k)))
        }
        None => None,
    };
    let page = keywords_view(
        &state,
        nav,
        KeywordForm::default(),
        editing,
        Errors::default(),
        flash(q.ok.as_deref()),
    )
    .await?;
    Ok(render(&page))
}

pub async fn keyword_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<KeywordForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let (agency_id, mut errors) = form.check(&agencies, None);
    if form.keyword.is_empty() {
        errors.add("keyword", "kata kunci wajib diisi");
    }
    if errors.is_empty() {
        match state
            .db()
            .create_keyword(&form.keyword, agency_id, &form.description)
            .await
        {
            Ok(_) => return Ok(see_other("/admin/kata-kunci?ok=kata-kunci-baru")),
            Err(e) => errors.store(e, "keyword")?,
        }
    }
    let page = keywords_view(&state, nav, form, None, errors, None).await?;
    Ok(invalid(&page))
}

pub async fn keyword_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(mut form): Form<KeywordForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let existing = state
        .db()
        .keywords()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(PageError(ApiError::NotFound))?;
    // The keyword itself is fixed; the form shows it read-only.
    form.keyword = existing.keyword.clone();
    let agencies = state.db().agencies().await?;
    let (agency_id, mut errors) = form.check(&agencies, Some(existing.agency_id));
    if errors.is_empty() {
        match state
            .db()
            .update_keyword(id, agency_id, &form.description, form.is_active())
            .await
        {
            Ok(()) => return Ok(see_other("/admin/kata-kunci?ok=kata-kunci")),
            Err(e) => errors.store(e, "description")?,
        }
    }
    let page = keywords_view(
        &state,
        nav,
        KeywordForm::default(),
        Some((id, form)),
        errors,
        None,
    )
    .await?;
    Ok(invalid(&page))
}
