//! Admin pages of the workflow templates: the list, a template's scope and steps (create and
//! edit), and deleting with a confirmation page.

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
use domain::Role;
use domain::workflow::{Step, StepKind};
use serde::Deserialize;
use store::workflow::{Template as WorkflowTemplate, TemplateInput};

/// Roles that may act in a step.
pub(crate) const STEP_ROLES: [Role; 5] = [
    Role::Secretariat,
    Role::HeadOfAgency,
    Role::LiaisonOfficer,
    Role::Staff,
    Role::HeadOfRegion,
];

fn flash(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "simpan" => Some("Templat alur disimpan; berlaku untuk aduan yang masuk sesudah ini."),
        "hapus" => Some("Templat alur dihapus."),
        _ => None,
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    ok: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub steps: String,
}

#[derive(Template)]
#[template(path = "admin/workflows.html")]
struct ListPage {
    nav: Nav,
    rows: Vec<Row>,
    errors: Errors,
    flash: Option<&'static str>,
}

fn scope_label(t: &WorkflowTemplate) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &t.agency_name {
        parts.push(format!("OPD {a}"));
    }
    if let Some(c) = &t.category {
        parts.push(format!("kategori {c}"));
    }
    if t.is_default {
        parts.push("bawaan wilayah".into());
    }
    if parts.is_empty() {
        "belum dipakai".into()
    } else {
        parts.join(" · ")
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let rows = state
        .db()
        .workflow_templates()
        .await?
        .into_iter()
        .map(|t| Row {
            id: t.id,
            scope: scope_label(&t),
            steps: t
                .steps
                .iter()
                .map(|s| format!("{} ({})", s.name, s.duration))
                .collect::<Vec<_>>()
                .join(" → "),
            name: t.name,
        })
        .collect();
    Ok(render(&ListPage {
        nav,
        rows,
        errors: Errors::default(),
        flash: flash(q.ok.as_deref()),
    }))
}

/// One row of the steps editor, as typed.
#[derive(Debug, Default, Clone)]
pub struct StepRow {
    pub name: String,
    pub role: String,
    pub kind: String,
    pub duration: String,
    /// A position id, or "" for anyone with the role.
    pub position: String,
}

#[derive(Debug, Default)]
pub struct EditForm {
    pub name: String,
    pub agency_id: String,
    pub category: String,
    pub is_default: bool,
    pub steps: Vec<StepRow>,
}

#[derive(Template)]
#[template(path = "admin/workflow.html")]
struct EditPage {
    nav: Nav,
    id: Option<i64>,
    form: EditForm,
    agencies: Vec<Choice>,
    categories: Vec<Choice>,
    roles: Vec<Choice>,
    kinds: Vec<Choice>,
    positions: Vec<Choice>,
    errors: Errors,
    flash: Option<&'static str>,
}

impl EditPage {
    fn selected(&self, a: &str, b: &str) -> bool {
        a == b
    }
}

/// Empty rows offered after the template's steps.
const SPARE_ROWS: usize = 3;

async fn edit_page(
    state: &AppState,
    nav: Nav,
    id: Option<i64>,
    mut form: EditForm,
    errors: Errors,
) -> Result<EditPage, PageError> {
    let catalog = state.catalog().await?;
    form.steps
        .extend(std::iter::repeat_n(StepRow::default(), SPARE_ROWS));
    let positions = state
        .db()
        .positions()
        .await?
        .into_iter()
        .map(|p| Choice {
            value: p.id.to_string(),
            label: match catalog.agencies.iter().find(|a| a.id == p.agency_id) {
                Some(a) => format!("{} ({})", p.name, a.code),
                None => p.name,
            },
        })
        .collect();
    Ok(EditPage {
        nav,
        id,
        form,
        agencies: catalog
            .intake_agencies()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.name.clone(),
            })
            .collect(),
        categories: catalog
            .categories
            .iter()
            .map(|c| Choice {
                value: c.code.clone(),
                label: c.name.clone(),
            })
            .collect(),
        roles: STEP_ROLES
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: r.label_id().into(),
            })
            .collect(),
        kinds: StepKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label_id().into(),
            })
            .collect(),
        positions,
        errors,
        flash: None,
    })
}

pub async fn new_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let page = edit_page(&state, nav, None, EditForm::default(), Errors::default()).await?;
    Ok(render(&page))
}

pub async fn page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let t = state.db().workflow_template(id).await?;
    let form = EditForm {
        name: t.name,
        agency_id: t.agency_id.map(|a| a.to_string()).unwrap_or_default(),
        category: t.category.unwrap_or_default(),
        is_default: t.is_default,
        steps: t
            .steps
            .iter()
            .map(|s| StepRow {
                name: s.name.clone(),
                role: s.role.as_str().into(),
                kind: s.kind.as_str().into(),
                duration: s.duration.to_string(),
                position: s.position_id.map(|p| p.to_string()).unwrap_or_default(),
            })
            .collect(),
    };
    let mut page = edit_page(&state, nav, Some(id), form, Errors::default()).await?;
    page.flash = flash(q.ok.as_deref());
    Ok(render(&page))
}

/// Reads the form: repeated `step_name`, `step_role`, `step_kind`, `step_duration` fields, one
/// of each per row; rows left empty are dropped.
fn read_form(pairs: Vec<(String, String)>) -> EditForm {
    let mut form = EditForm::default();
    let column = |key: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let names = column("step_name");
    let roles = column("step_role");
    let kinds = column("step_kind");
    let durations = column("step_duration");
    let positions = column("step_position");
    for (i, name) in names.iter().enumerate() {
        let row = StepRow {
            name: name.trim().to_string(),
            role: roles.get(i).cloned().unwrap_or_default(),
            kind: kinds.get(i).cloned().unwrap_or_default(),
            duration: durations
                .get(i)
                .map(|d| d.trim().to_string())
                .unwrap_or_default(),
            position: positions.get(i).cloned().unwrap_or_default(),
        };
        if !row.name.is_empty() || !row.duration.is_empty() {
            form.steps.push(row);
        }
    }
    for (k, v) in &pairs {
        match k.as_str() {
            "name" => form.name = v.trim().to_string(),
            "agency_id" => form.agency_id = v.clone(),
            "category" => form.category = v.clone(),
            "is_default" => form.is_default = v == "on",
            _ => {}
        }
    }
    form
}

fn to_input(form: &EditForm, errors: &mut Errors) -> TemplateInput {
    if form.name.is_empty() {
        errors.add("name", "nama templat wajib diisi");
    }
    let agency_id = match form.agency_id.trim() {
        "" => None,
        id => match id.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("agency_id", "OPD tidak dikenal");
                None
            }
        },
    };
    let mut steps = Vec::new();
    for (i, row) in form.steps.iter().enumerate() {
        let n = i + 1;
        let role = Role::parse(&row.role).filter(|r| STEP_ROLES.contains(r));
        let kind = StepKind::parse(&row.kind);
        let duration = row.duration.parse::<domain::calendar::Duration>();
        let position_id = match row.position.trim() {
            "" => None,
            p => match p.parse() {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("steps", format!("langkah {n}: jabatan tidak dikenal"));
                    None
                }
            },
        };
        match (role, kind, duration) {
            (Some(role), Some(kind), Ok(duration)) => steps.push(Step {
                name: row.name.clone(),
                role,
                kind,
                duration,
                position_id,
            }),
            (None, _, _) => errors.add("steps", format!("langkah {n}: pilih peran")),
            (_, None, _) => errors.add("steps", format!("langkah {n}: pilih jenis langkah")),
            (_, _, Err(e)) => errors.add("steps", format!("langkah {n}: {e}")),
        }
    }
    if errors.is_empty()
        && let Err(e) = domain::workflow::validate(&steps)
    {
        errors.add("steps", e.to_string());
    }
    TemplateInput {
        name: form.name.clone(),
        agency_id,
        category: Some(form.category.clone()).filter(|c| !c.trim().is_empty()),
        is_default: form.is_default,
        steps,
    }
}

async fn save(
    state: AppState,
    nav: Nav,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let form = read_form(pairs);
    let mut errors = Errors::default();
    let input = to_input(&form, &mut errors);
    if errors.is_empty() {
        let result = match id {
            Some(id) => state
                .db()
                .update_workflow_template(id, &input)
                .await
                .map(|_| id),
            None => state.db().create_workflow_template(&input).await,
        };
        match result {
            Ok(saved) => return Ok(see_other(&format!("/admin/alur/{saved}?ok=simpan"))),
            Err(e) => errors.store(e, "name")?,
        }
    }
    let page = edit_page(&state, nav, id, form, errors).await?;
    Ok(invalid(&page))
}

pub async fn create(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    save(state, nav, None, pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    state.db().workflow_template(id).await?;
    save(state, nav, Some(id), pairs).await
}

#[derive(Template)]
#[template(path = "admin/workflow_delete.html")]
struct DeletePage {
    nav: Nav,
    id: i64,
    name: String,
    errors: Errors,
    flash: Option<&'static str>,
}

pub async fn delete_page(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let nav = require_admin(&staff)?;
    let t = state.db().workflow_template(id).await?;
    Ok(render(&DeletePage {
        nav,
        id,
        name: t.name,
        errors: Errors::default(),
        flash: None,
    }))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

pub async fn delete(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    if form.confirm != "ya" {
        return Err(PageError(ApiError::Unprocessable(
            "centang konfirmasi untuk menghapus templat".into(),
        )));
    }
    state.db().delete_workflow_template(id).await?;
    Ok(see_other("/admin/alur?ok=hapus"))
}
