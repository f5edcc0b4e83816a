//! Agencies (OPD): the organisation tree of the region.

use super::{MAX_INDENT, PageQuery, checked, flash, indent_label, parse_id, tree_order};
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
use store::org::{AGENCY_KINDS, Agency, NewAgency};

// Agencies (OPD)

#[derive(Debug, Default, Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    mechanism: String,
    /// A checkbox: "on" when ticked, absent otherwise.
    #[serde(default)]
    active: String,
}

impl AgencyForm {
    pub fn is_active(&self) -> bool {
        checked(&self.active)
    }

    fn of(agency: &Agency) -> Self {
        AgencyForm {
            code: agency.code.clone(),
            name: agency.name.clone(),
            kind: agency.kind.as_str().to_string(),
            parent_id: agency.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            mechanism: agency.mechanism.clone(),
            active: if agency.active {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    /// Normalises the form in place and checks it. `excluded` are the agencies that may not be
    /// the parent (the agency being edited and everything below it).
    fn check(&mut self, agencies: &[Agency], excluded: &[i64]) -> (NewAgency, Errors) {
        self.code = self.code.trim().to_uppercase();
        self.name = self.name.trim().to_string();
        self.kind = self.kind.trim().to_string();
        self.parent_id = self.parent_id.trim().to_string();
        let mut errors = Errors::default();
        if !valid_agency_code(&self.code) {
            errors.add(
                "code",
                "kode OPD 2–20 karakter: huruf besar, angka atau tanda hubung",
            );
        }
        if self.name.is_empty() {
            errors.add("name", "nama OPD wajib diisi");
        } else if self.name.chars().count() > 200 {
            errors.add("name", "nama OPD paling banyak 200 karakter");
        }
        if !AGENCY_KINDS.iter().any(|(k, _)| *k == self.kind) {
            errors.add("kind", "pilih jenis OPD");
        }
        let parent_id = if self.parent_id.is_empty() {
            None
        } else {
            match parse_id(&self.parent_id) {
                Some(p) if excluded.contains(&p) => {
                    errors.add(
                        "parent_id",
                        "induk tidak boleh OPD ini sendiri atau OPD di bawahnya",
                    );
                    None
                }
                Some(p) if agencies.iter().any(|a| a.id == p) => Some(p),
                _ => {
                    errors.add("parent_id", "OPD induk tidak ditemukan");
                    None
                }
            }
        };
        if self.mechanism.chars().count() > 5000 {
            errors.add("mechanism", "mekanisme paling banyak 5000 karakter");
        }
        let agency = NewAgency {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            parent_id,
            mechanism: self.mechanism.trim().to_string(),
        };
        (agency, errors)
    }
}

/// Uppercase ASCII letters, digits and dashes, 2 to 20 characters.
pub fn valid_agency_code(code: &str) -> bool {
    (2..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

fn kinds() -> Vec<Choice> {
    AGENCY_KINDS
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).into(),
            label: (*label).into(),
        })
        .collect()
}

/// Agencies as select options in tree order, leaving out `excluded`.
pub(super) fn agency_choices(agencies: &[Agency], excluded: &[i64]) -> Vec<Choice> {
    tree_order(agencies, |a| a.id, |a| a.parent_id)
        .into_iter()
        .filter(|(_, a)| !excluded.contains(&a.id))
        .map(|(depth, a)| Choice {
            value: a.id.to_string(),
            label: indent_label(
                depth,
                &format!(
                    "{} ({}){}",
                    a.name,
                    a.code,
                    if a.active { "" } else { " — nonaktif" }
                ),
            ),
        })
        .collect()
}

pub struct AgencyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub parent: String,
    /// The depth in the tree, for the stylesheet's `tree-N` class (capped at `MAX_INDENT`).
    pub indent: usize,
    pub active: bool,
}

fn agency_rows(agencies: &[Agency]) -> Vec<AgencyRow> {
    tree_order(agencies, |a| a.id, |a| a.parent_id)
        .into_iter()
        .map(|(depth, a)| AgencyRow {
            id: a.id,
            code: a.code.clone(),
            name: a.name.clone(),
            kind: a.kind.label_id(),
            parent: a
                .parent_id
                .and_then(|p| agencies.iter().find(|x| x.id == p))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            indent: depth.min(MAX_INDENT),
            active: a.active,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
struct AgenciesPage {
    nav: Nav,
    rows: Vec<AgencyRow>,
    form: AgencyForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/agency.html")]
struct AgencyPage {
    nav: Nav,
    id: i64,
    form: AgencyForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

pub async fn agencies_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    Ok(render(&AgenciesPage {
        nav,
        rows: agency_rows(&agencies),
        parents: agency_choices(&agencies, &[]),
        form: AgencyForm {
            kind: "agency".into(),
            ..Default::default()
        },
        kinds: kinds(),
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn agency_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<AgencyForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let (agency, mut errors) = form.check(&agencies, &[]);
    if errors.is_empty() {
        match state.db().create_agency(&agency).await {
            Ok(_) => {
                state.invalidate_catalog();
                return Ok(see_other("/admin/opd?ok=opd-baru"));
            }
            Err(e) => errors.store(e, "code")?,
        }
    }
    Ok(invalid(&AgenciesPage {
        nav,
        rows: agency_rows(&agencies),
        parents: agency_choices(&agencies, &[]),
        form,
        kinds: kinds(),
        errors,
        flash: None,
    }))
}

pub async fn agency_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let agency = agencies
        .iter()
        .find(|a| a.id == id)
        .ok_or(ApiError::NotFound)?;
    let excluded = state.db().agency_subtree(id).await?;
    Ok(render(&AgencyPage {
        nav,
        id,
        form: AgencyForm::of(agency),
        kinds: kinds(),
        parents: agency_choices(&agencies, &excluded),
        errors: Errors::default(),
        flash: None,
    }))
}

pub async fn agency_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(mut form): Form<AgencyForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    if !agencies.iter().any(|a| a.id == id) {
        return Err(PageError(ApiError::NotFound));
    }
    let excluded = state.db().agency_subtree(id).await?;
    let (agency, mut errors) = form.check(&agencies, &excluded);
    if errors.is_empty() {
        match state
            .db()
            .update_agency(id, &agency, form.is_active())
            .await
        {
            Ok(()) => {
                state.invalidate_catalog();
                return Ok(see_other("/admin/opd?ok=opd"));
            }
            Err(e) => errors.store(e, "code")?,
        }
    }
    Ok(invalid(&AgencyPage {
        nav,
        id,
        form,
        kinds: kinds(),
        parents: agency_choices(&agencies, &excluded),
        errors,
        flash: None,
    }))
}

// ---------------------------------------------------------------------------------------------
