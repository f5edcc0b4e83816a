//! Standard disposition instructions (instruksi disposisi) the admin keeps.

use crate::forms::{Errors, require_admin, see_other};

use super::{PageQuery, flash};
use crate::error::PageError;
use crate::request::PageStaff;
use crate::state::AppState;
use crate::view::{Nav, render, render_with};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use store::StoreError;
use store::dispositions::Instruction;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InstructionForm {
    pub code: String,
    pub label: String,
    pub due_within: String,
    pub sort_order: String,
    pub active: String,
}

#[derive(Template)]
#[template(path = "admin/instructions.html")]
struct InstructionsPage {
    nav: Nav,
    rows: Vec<Instruction>,
    form: InstructionForm,
    errors: Errors,
    flash: Option<&'static str>,
}

pub async fn instructions_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state.db().disposition_instructions().await?;
    let form = match rows.iter().find(|i| Some(&i.code) == q.ubah.as_ref()) {
        Some(i) => InstructionForm {
            code: i.code.clone(),
            label: i.label.clone(),
            due_within: i.due_within.clone(),
            sort_order: i.sort_order.to_string(),
            active: if i.active { "on".into() } else { String::new() },
        },
        None => InstructionForm {
            due_within: "2wd".into(),
            active: "on".into(),
            sort_order: (rows.iter().map(|i| i.sort_order).max().unwrap_or(0) + 1).to_string(),
            ..Default::default()
        },
    };
    Ok(render(&InstructionsPage {
        nav,
        rows,
        form,
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

pub async fn instruction_save(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(form): Form<InstructionForm>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let mut errors = Errors::default();
    let sort_order = form.sort_order.trim().parse::<i64>().unwrap_or(0);
    let instruction = Instruction {
        code: form.code.trim().to_string(),
        label: form.label.trim().to_string(),
        due_within: form.due_within.trim().to_string(),
        active: !form.active.is_empty(),
        sort_order,
    };
    match state
        .db()
        .upsert_disposition_instruction(&instruction)
        .await
    {
        Ok(()) => return Ok(see_other("/admin/instruksi-disposisi?ok=instruksi")),
        Err(StoreError::Invalid(m)) => {
            let field = match m.split_once(':').map(|(f, _)| f) {
                Some("label") => "label",
                Some("due_within") => "due_within",
                _ => "code",
            };
            errors.add(field, m);
        }
        Err(e) => return Err(e.into()),
    }
    let rows = state.db().disposition_instructions().await?;
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &InstructionsPage {
            nav,
            rows,
            form,
            errors,
            flash: None,
        },
    ))
}
