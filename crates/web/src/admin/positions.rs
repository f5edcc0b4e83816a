//! Positions (jabatan) in each agency.

use super::agencies::agency_choices;
use super::{MAX_INDENT, PageQuery, flash, indent_label, parse_id, tree_order};
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
use store::org::{Agency, Position};

// Positions (jabatan)

pub struct PositionRow {
    pub id: i64,
    pub name: String,
    pub label: String,
    pub parent: String,
    /// As `AgencyRow::indent`.
    pub indent: usize,
}

pub struct PositionGroup {
    pub agency_id: i64,
    pub agency: String,
    pub rows: Vec<PositionRow>,
}

/// Every agency (in tree order) with its positions (in tree order).
pub(super) fn position_groups(agencies: &[Agency], positions: &[Position]) -> Vec<PositionGroup> {
    tree_order(agencies, |a| a.id, |a| a.parent_id)
        .into_iter()
        .map(|(_, a)| {
            let own: Vec<Position> = positions
                .iter()
                .filter(|p| p.agency_id == a.id)
                .cloned()
                .collect();
            let rows = tree_order(&own, |p| p.id, |p| p.parent_id)
                .into_iter()
                .map(|(depth, p)| PositionRow {
                    id: p.id,
                    name: p.name.clone(),
                    label: indent_label(depth, &p.name),
                    parent: p
                        .parent_id
                        .and_then(|id| own.iter().find(|x| x.id == id))
                        .map(|x| x.name.clone())
                        .unwrap_or_default(),
                    indent: depth.min(MAX_INDENT),
                })
                .collect();
            PositionGroup {
                agency_id: a.id,
                agency: format!("{} ({})", a.name, a.code),
                rows,
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct PositionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    agency_id: String,
    #[serde(default)]
    parent_id: String,
}

#[derive(Template)]
#[template(path = "admin/positions.html")]
struct PositionsPage {
    nav: Nav,
    groups: Vec<PositionGroup>,
    agencies: Vec<Choice>,
    form: PositionForm,
    errors: Errors,
    flash: Option<&'static str>,
}

impl PositionsPage {
    fn empty(&self) -> bool {
        self.groups.iter().all(|g| g.rows.is_empty())
    }
}

pub async fn positions_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    Ok(render(&PositionsPage {
        nav,
        groups: position_groups(&agencies, &positions),
        agencies: agency_choices(&agencies, &[]),
        form: PositionForm {
            agency_id: q.opd.unwrap_or_default(),
            ..Default::default()
        },
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn position_create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(mut form): Form<PositionForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let agencies = state.db().agencies().await?;
    let positions = state.db().positions().await?;
    form.name = form.name.trim().to_string();
    let mut errors = Errors::default();
    if form.name.is_empty() {
        errors.add("name", "nama jabatan wajib diisi");
    } else if form.name.chars().count() > 200 {
        errors.add("name", "nama jabatan paling banyak 200 karakter");
    }
    let agency_id = parse_id(&form.agency_id).filter(|id| agencies.iter().any(|a| a.id == *id));
    if agency_id.is_none() {
        errors.add("agency_id", "pilih OPD");
    }
    let parent_id = if form.parent_id.trim().is_empty() {
        None
    } else {
        let parent = parse_id(&form.parent_id).and_then(|id| positions.iter().find(|p| p.id == id));
        match parent {
            Some(p) if Some(p.agency_id) == agency_id => Some(p.id),
            Some(_) => {
                errors.add("parent_id", "jabatan atasan harus dari OPD yang sama");
                None
            }
            None => {
                errors.add("parent_id", "jabatan atasan tidak ditemukan");
                None
            }
        }
    };
    if let (true, Some(agency_id)) = (errors.is_empty(), agency_id) {
        match state
            .db()
            .create_position(agency_id, &form.name, parent_id)
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/admin/jabatan?ok=jabatan&opd={agency_id}"
                )));
            }
            Err(e) => errors.store(e, "name")?,
        }
    }
    Ok(invalid(&PositionsPage {
        nav,
        groups: position_groups(&agencies, &positions),
        agencies: agency_choices(&agencies, &[]),
        form,
        errors,
        flash: None,
    }))
}

// ---------------------------------------------------------------------------------------------
